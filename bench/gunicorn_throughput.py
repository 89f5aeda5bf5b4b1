"""Requests per second through real gunicorn (2 sync workers): bare Flask vs full obs-flask.

Each configuration runs as its own gunicorn on 127.0.0.1; wrk (Debian's `wrk`) drives a
bounded load of a few seconds per round, rounds alternate between the two, and the
medians are compared. Target: full obs-flask >= 0.8x bare requests/s.

Run: uv run python bench/gunicorn_throughput.py [--rounds 3] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

APPS = {
    "bare": """
        from flask import Flask
        app = Flask("bare")

        @app.get("/api/orders/<int:order_id>")
        def get_order(order_id):
            return {"id": order_id, "amount": 1000}
        """,
    "obs-flask full": """
        from flask import Flask
        from obs_flask import Observability
        app = Flask("full")

        @app.get("/api/orders/<int:order_id>")
        def get_order(order_id):
            return {"id": order_id, "amount": 1000}

        Observability(app, log_stdout=False, log_file="access.jsonl", traces_file="traces.jsonl")
        """,
}
# The same full app with 10 % of traces sampled (OTEL_TRACES_SAMPLER): what a busy
# service would run, and where the per-span SDK cost stops dominating.
APPS["obs-flask full, 10% sampled"] = APPS["obs-flask full"]
ENV = {
    "obs-flask full, 10% sampled": {
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.1",
    }
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(name: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    folder = workdir / "".join(c if c.isalnum() else "_" for c in name)
    (folder / "multiproc").mkdir(parents=True)
    (folder / "app.py").write_text(textwrap.dedent(APPS[name]))
    port = free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder / "multiproc"), **ENV.get(name, {})}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    cmd = [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(folder)]
    if name != "bare":
        cmd += ["-c", "python:obs_flask.gunicorn"]
    proc = subprocess.Popen([*cmd, "app:app"], env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/orders/42"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"{name}: gunicorn did not start") from None
            time.sleep(0.2)


def load(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        servers = {name: start(name, Path(tmp)) for name in APPS}
        try:
            rates: dict[str, list[float]] = {name: [] for name in APPS}
            for _ in range(args.rounds):
                for name, (_, url) in servers.items():
                    rates[name].append(load(url, args.seconds))
        finally:
            for proc, _ in servers.values():
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
    med = {name: statistics.median(values) for name, values in rates.items()}
    for name, value in med.items():
        rounds = ", ".join(f"{v:.0f}" for v in rates[name])
        print(f"{name:<28} {value:>9.0f} requests/s  (rounds: {rounds})")
    print(f"\nobs-flask full / bare: {med['obs-flask full'] / med['bare']:.2f}  (target >= 0.80)")
    sampled = med["obs-flask full, 10% sampled"] / med["bare"]
    print(f"obs-flask full, 10% sampled / bare: {sampled:.2f}")


if __name__ == "__main__":
    main()
