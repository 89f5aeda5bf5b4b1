"""Instructions per request, counted by valgrind: a per-request cost that noise cannot move.

`gunicorn_throughput.py` measures what users get, but on a shared 2-core machine its
ratios move by 15 % between identical runs, more than most single changes save. This
counts the CPU instructions one request costs (every thread of the process, user space:
system calls are counted as one instruction each, their kernel work not at all) with
valgrind's cachegrind, for the same apps: bare Flask, obs full, obs at 10 % sampling
(each again with its log lines batched) and the hand-wired trio. Each app serves requests
through direct WSGI calls in its own process; two runs of different lengths, each ending
with the spans flushed, are subtracted, so start-up, warm-up and the export of the
requests' spans are in or out exactly. Random ids are seeded; two identical runs agreed to
0.1-0.5 %, and to 1.2 % at 10 % sampling (where the export thread's timing varies),
against 15 % and more for the gunicorn benchmark.

Use it to decide whether a change saves work; use the gunicorn benchmark for what a user
sees (valgrind's counts miss the kernel's share, which in gunicorn is large).

Run: uv run python bench/request_instructions.py [--requests 1000]   (needs Debian's valgrind)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gunicorn_throughput import BARE, CONFIGS, FULL, SAMPLED, TRIO_NAME, app_environment

SERVE = """
import importlib.util, os, random, sys
random.seed(1)
spec = importlib.util.spec_from_file_location("app", "app.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from opentelemetry import trace
from werkzeug.test import EnvironBuilder

environ = EnvironBuilder(path="/api/orders/42", headers={"User-Agent": "wrk"}).get_environ()

def start_response(status, headers, exc_info=None):
    return lambda data: None

for _ in range(int(sys.argv[1])):
    body = module.app(dict(environ), start_response)
    for _chunk in body:
        pass
    getattr(body, "close", lambda: None)()
provider = getattr(module, "provider", None) or trace.get_tracer_provider()
getattr(provider, "force_flush", lambda: None)()
"""
WARM_UP = 300


def instructions(folder: Path, requests: int, env: dict[str, str]) -> int:
    """Instructions cachegrind counts for a process serving `requests` requests."""
    run = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "serve.py",
            str(requests),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env={**app_environment(folder), **env},
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if found is None:
        raise SystemExit(f"could not read valgrind's count:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_request(name: str, workdir: Path, requests: int) -> float:
    """One configuration's instructions per request: two runs, subtracted."""
    config = CONFIGS[name]
    counts = []
    for total in (WARM_UP, WARM_UP + requests):
        folder = workdir / f"{''.join(c if c.isalnum() else '_' for c in name)}_{total}"
        (folder / "multiproc").mkdir(parents=True)
        (folder / "app.py").write_text(textwrap.dedent(config.app))
        (folder / "serve.py").write_text(SERVE)
        counts.append(instructions(folder, total, dict(config.env)))
    return (counts[1] - counts[0]) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    with (
        tempfile.TemporaryDirectory() as tmp,
        ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool,
    ):
        futures = {
            name: pool.submit(per_request, name, Path(tmp), args.requests) for name in CONFIGS
        }
        cost = {name: future.result() for name, future in futures.items()}
    bare = cost[BARE]
    for name, value in cost.items():
        print(f"{name:<24} {value:>10,.0f} instructions/request  {value / bare:5.2f}x bare")
    print()
    for name in (FULL, SAMPLED):
        ratio = (cost[name] - bare) / (cost[TRIO_NAME] - bare)
        print(f"{name} overhead / trio overhead  {ratio:5.2f}")


if __name__ == "__main__":
    main()
