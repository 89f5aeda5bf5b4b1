"""How fast `obs traces` reads a large OTLP/JSON trace file (it streams, line by line).

Builds a ~100 MB file from the demo's own lines (each copy with fresh trace ids, so the
file holds hundreds of thousands of distinct traces), then times, as a user runs them:

    obs traces --last 20            (parses every line: one summary per trace)
    obs traces show <id>            (a byte search skips the lines of other traces)

and reports wall time and the peak memory (max RSS) of each run.

Run: uv run python bench/traces_read.py [--mb 100]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OBS = str(Path(sys.executable).with_name("obs"))
TRACE_ID = re.compile(rb'"traceId":"([0-9a-f]{32})"')


def demo_lines(folder: Path) -> list[bytes]:
    """Real lines: the demo answering 300 requests writes them."""
    subprocess.run(
        [OBS, "demo", "--port", "0", "--traffic", "300"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return (folder / ".obs" / "traces.jsonl").read_bytes().splitlines(keepends=True)


def build(path: Path, templates: list[bytes], megabytes: int) -> str:
    """Write copies of `templates` with fresh ids until the file is `megabytes` big."""
    rng = random.Random(1)
    target = megabytes * 1024 * 1024
    written = 0
    last_id = ""
    with path.open("wb") as out:
        while written < target:
            fresh: dict[bytes, bytes] = {}

            def swap(match: re.Match[bytes], fresh: dict[bytes, bytes] = fresh) -> bytes:
                old = match.group(1)
                new = fresh.setdefault(old, b"%032x" % rng.getrandbits(128))
                return b'"traceId":"' + new + b'"'

            for line in templates:
                copy = TRACE_ID.sub(swap, line)
                out.write(copy)
                written += len(copy)
            last_id = next(iter(fresh.values())).decode()
    return last_id


def timed(*args: str) -> tuple[float, float, str]:
    """(seconds, peak resident MB, stdout) of one `obs` run."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen([OBS, *args], stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        assert child.returncode == 0, args
        out.seek(0)
        return elapsed, usage.ru_maxrss / 1024, out.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        templates = demo_lines(folder)
        big = folder / "big.jsonl"
        some_id = build(big, templates, args.mb)
        size = big.stat().st_size / 1024 / 1024
        startup, _, _ = timed("--help")
        listed, list_mb, out = timed("traces", "--file", str(big), "--last", "20")
        assert out.count("\n") == 21, out
        shown, show_mb, out = timed("traces", "show", some_id, "--file", str(big))
        assert out.startswith(f"trace {some_id}"), out
        lines = sum(1 for _ in big.open("rb"))
    print(f"file: {size:.0f} MB, {lines} lines (demo lines with fresh trace ids)")
    print(f"`obs --help` (start-up, plugin loading): {startup:.2f} s")
    print(f"`obs traces --last 20`: {listed:.2f} s, peak RSS {list_mb:.0f} MB")
    print(f"`obs traces show <id>`: {shown:.2f} s, peak RSS {show_mb:.0f} MB")


if __name__ == "__main__":
    main()
