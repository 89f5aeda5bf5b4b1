"""Requests/s and CPU per request through real gunicorn: bare Flask, obs-flask, the trio.

Each configuration runs as its own gunicorn (2 sync workers) on 127.0.0.1; wrk (Debian's
`wrk`) drives a bounded load of a few seconds per round, rounds alternate between the
configurations (each round in a rotated order), and each ratio is the median over rounds
of that round's own ratio: the machine's speed drifts by 15 % or more over a run, and a
ratio of two back-to-back measurements cancels the drift that a ratio of two medians keeps
(both are printed). CPU per request is the workers' user+system time
(/proc/<pid>/stat of the master's children, export threads included) over a round,
divided by the requests wrk counted in it: it moves less than requests/s with what else
the machine is doing. The trio is what a team wires by hand: prometheus_flask_exporter in
multiprocess mode, OTel's Flask instrumentation with a BatchSpanProcessor to a file, and
a structlog JSON access line to a file.

Targets: obs full >= 0.70x bare; obs full at 10% sampling >= 0.85x bare; obs full >= 1.5x
the trio (requests/s). All three are also checked with ``log_flush_interval=0.2``,
the access line written in batches by a thread (opt-in: a killed worker loses up to the
last 0.2 s of lines).

Run: uv run python bench/gunicorn_throughput.py [--rounds 5] [--seconds 5]
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
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROUTE = """
from flask import Flask
app = Flask("bench")

@app.get("/api/orders/<int:order_id>")
def get_order(order_id):
    return {"id": order_id, "amount": 1000}
"""
OBS = (
    ROUTE
    + """
from obs_flask import Observability
Observability(app, log_stdout=False, log_file="access.jsonl", traces_file="traces.jsonl")
"""
)
TRIO = (
    ROUTE
    + """
from _trio_access_line import structlog_access_log
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

GunicornInternalPrometheusMetrics(app)

provider = TracerProvider()
spans = open("traces.jsonl", "a")
exporter = ConsoleSpanExporter(out=spans, formatter=lambda span: span.to_json(indent=None) + "\\n")
provider.add_span_processor(BatchSpanProcessor(exporter))
FlaskInstrumentor().instrument_app(app, tracer_provider=provider)
structlog_access_log(app, open("access.jsonl", "ab"))
"""
)
TRIO_GUNICORN = """
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

def child_exit(server, worker):
    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
"""


@dataclass(frozen=True)
class Config:
    """One gunicorn to measure: its app module, gunicorn config and extra environment."""

    app: str
    gunicorn: str | None = None  # a config file's text; None: obs-flask's hooks (or none)
    env: tuple[tuple[str, str], ...] = ()


BARE, FULL, SAMPLED, TRIO_NAME = "bare", "obs full", "obs full, 10% sampled", "trio"
FULL_BATCHED, SAMPLED_BATCHED = "obs full, batched log", "obs 10%, batched log"
TEN_PERCENT = (
    ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
    ("OTEL_TRACES_SAMPLER_ARG", "0.1"),
)
BATCHED = (("OBS_LOG_FLUSH_INTERVAL", "0.2"),)  # the access line written in batches (opt-in)
CONFIGS = {
    BARE: Config(ROUTE),
    FULL: Config(OBS),
    # what a busy service would run, and where the per-span SDK cost stops dominating
    SAMPLED: Config(OBS, env=TEN_PERCENT),
    FULL_BATCHED: Config(OBS, env=BATCHED),
    SAMPLED_BATCHED: Config(OBS, env=TEN_PERCENT + BATCHED),
    TRIO_NAME: Config(TRIO, gunicorn=TRIO_GUNICORN),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def app_environment(folder: Path) -> dict[str, str]:
    """The environment an app in `folder` runs with: its own multiprocess directory, and
    this folder importable (the trio's shared access line)."""
    path = os.pathsep.join(filter(None, (str(BENCH), os.environ.get("PYTHONPATH"))))
    return {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder / "multiproc"), "PYTHONPATH": path}


def start(name: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    config = CONFIGS[name]
    folder = workdir / "".join(c if c.isalnum() else "_" for c in name)
    (folder / "multiproc").mkdir(parents=True)
    (folder / "app.py").write_text(textwrap.dedent(config.app))
    port = free_port()
    env = {**app_environment(folder), **dict(config.env)}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    cmd = [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(folder)]
    if config.gunicorn is not None:
        (folder / "gunicorn_conf.py").write_text(textwrap.dedent(config.gunicorn))
        cmd += ["-c", str(folder / "gunicorn_conf.py")]
    elif name != BARE:
        cmd += ["-c", "python:obs_flask.gunicorn"]
    proc = subprocess.Popen([*cmd, "app:app"], env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/orders/42"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit(f"{name}: gunicorn did not start") from None
            time.sleep(0.2)


TICK = os.sysconf("SC_CLK_TCK")


def workers_cpu(master: int) -> float:
    """Seconds of user+system CPU used so far by the master's children (the workers)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # gone since the listing
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if int(fields[1]) == master:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def load(url: str, seconds: int) -> tuple[float, int]:
    """(requests/s, requests) as wrk reports them for one bounded round."""
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if rate is None or count is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return float(rate.group(1)), int(count.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    rates: dict[str, list[float]] = {name: [] for name in CONFIGS}
    cpu: dict[str, list[float]] = {name: [] for name in CONFIGS}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {name: start(name, Path(tmp)) for name in CONFIGS}
        try:
            names = list(servers)
            for turn in range(args.rounds):
                for name in names[turn % len(names) :] + names[: turn % len(names)]:
                    proc, url = servers[name]
                    before = workers_cpu(proc.pid)
                    rate, count = load(url, args.seconds)
                    rates[name].append(rate)
                    cpu[name].append((workers_cpu(proc.pid) - before) / count * 1e6)
        finally:
            for proc, _ in servers.values():
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
    med = {name: statistics.median(values) for name, values in rates.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    for name, value in med.items():
        rounds = ", ".join(f"{v:.0f}" for v in rates[name])
        print(
            f"{name:<24} {value:>7.0f} requests/s {value / med[BARE]:5.2f}x bare"
            f"  {med_cpu[name]:6.0f} µs CPU/request {med_cpu[name] / med_cpu[BARE]:5.2f}x bare"
            f"  (rounds: {rounds})"
        )
    print()
    print("ratio (median of each round's own ratio; ratio of the medians in brackets)")
    targets = ((FULL, BARE, 0.70), (SAMPLED, BARE, 0.85), (FULL, TRIO_NAME, 1.5))
    batched = {FULL: FULL_BATCHED, SAMPLED: SAMPLED_BATCHED}
    for top, bottom, target in (*targets, *((batched[t], b, x) for t, b, x in targets)):
        ratio = paired(rates[top], rates[bottom])
        verdict = "ok" if ratio >= target else "BELOW TARGET"
        print(
            f"{top + ' / ' + bottom:<34} {ratio:5.2f}  ({med[top] / med[bottom]:.2f})"
            f"  target >= {target:.2f}, {verdict}"
        )


def paired(top: list[float], bottom: list[float]) -> float:
    """The median of the rounds' own ratios: drift between rounds cancels out."""
    return statistics.median(a / b for a, b in zip(top, bottom, strict=True))


if __name__ == "__main__":
    main()
