"""Benchmark obs-ci's scan against the parse floor and flake8 (a benchmark, not a test).

Corpus: a deterministic sample of the environment's installed site-packages (every file
treated as changed, ~100k lines). Interleaved rounds of: read + ``ast.parse`` of every file
(the floor), obs-ci with all built-in rules (the engine, in process), and ``flake8 -j1``
on the same files (a subprocess). Prints files/s for each and the ratios to the floor;
the target is obs-ci <= 1.6x the floor. Then the startup row: ``obs-ci check --files
one.py`` against ``flake8 one.py``, both as processes of this environment, best of a few
interleaved runs (target: obs-ci <= 1.0x flake8). Bounded to about a minute and a half.

    uv run python bench/ci_scan.py [--lines 100000] [--budget 60]
"""

from __future__ import annotations

import argparse
import ast
import gc
import statistics
import subprocess
import sys
import sysconfig
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from obs_ci import ChangedFile, CiConfig, Engine, load_rules

SKIP_PARTS = {"tests", "test", "testing", "_vendor", "vendor"}


def corpus(target_lines: int) -> list[Path]:
    """Every k-th parsable .py file of site-packages in path order, k chosen for `target_lines`.

    The stride spreads the sample over every installed package (not just the first ones
    alphabetically); the same environment always gives the same corpus.
    """
    root = Path(sysconfig.get_paths()["purelib"])
    candidates = [
        path
        for path in sorted(root.rglob("*.py"))
        if not SKIP_PARTS & set(path.relative_to(root).parts)
    ]
    total = sum(path.read_bytes().count(b"\n") for path in candidates)
    stride = max(1, round(total / target_lines))
    chosen: list[Path] = []
    for path in candidates[::stride]:
        try:
            ast.parse(path.read_bytes().decode("utf-8"))
        except (SyntaxError, ValueError):
            continue
        chosen.append(path)
    return chosen


def floor(files: list[Path]) -> None:
    """Read and parse every file: the least any AST checker must do."""
    for path in files:
        ast.parse(path.read_bytes().decode("utf-8"), filename=str(path))


def make_obs_ci(files: list[Path]) -> tuple[Callable[[], int], int]:
    """The engine with every built-in rule; returns the run function and the rule count."""
    rules = [loaded for loaded in load_rules() if loaded.plugin == "ci"]
    # the corpus is site-packages, which obs-ci excludes by default: check it anyway
    engine = Engine(rules, CiConfig(exclude=()), {loaded.rule.code for loaded in rules})
    changed = [ChangedFile(path.as_posix(), path, None) for path in files]

    def run() -> int:
        return len(engine.run(changed).findings)

    return run, len(rules)


def flake8(files: list[Path]) -> None:
    """flake8 on one process with default settings."""
    subprocess.run(
        [sys.executable, "-m", "flake8", "-j1", "--isolated", "--exit-zero", "-q", *files],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def startup(rounds: int) -> tuple[float, float]:
    """Best wall time of ``obs-ci check --files one.py`` and of ``flake8 one.py``.

    The file is a small clean service module in a temporary folder outside git, so both
    tools pay only for starting up, loading their checks and reading one file.
    """
    import tempfile

    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "one.py"
        one.write_text('import logging\n\nlog = logging.getLogger(__name__)\nlog.info("up")\n')
        commands = {
            "obs-ci": [str(bindir / "obs-ci"), "check", "--files", str(one)],
            "flake8": [str(bindir / "flake8"), "--isolated", str(one)],
        }
        best = {name: float("inf") for name in commands}
        for _ in range(rounds):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command, cwd=folder, capture_output=True, check=False)
                best[name] = min(best[name], time.perf_counter() - start)
    return best["obs-ci"], best["flake8"]


def timed(action: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="corpus size in lines")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds to spend at most")
    parser.add_argument("--no-flake8", action="store_true", help="skip the flake8 rounds")
    parser.add_argument("--startup-rounds", type=int, default=7, help="startup runs of each")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    files = corpus(args.lines)
    total_lines = sum(p.read_bytes().count(b"\n") for p in files)
    run_obs, rule_count = make_obs_ci(files)
    findings = run_obs()  # warm up caches and report what the rules found
    floor(files)
    print(f"corpus: {len(files)} files, {total_lines} lines from site-packages")
    print(f"obs-ci: {rule_count} built-in rules, {findings} findings on the corpus")

    times: dict[str, list[float]] = {"floor": [], "obs-ci": [], "flake8": []}
    started = time.perf_counter()
    rounds = 0
    while rounds < 15 and time.perf_counter() - started < args.budget:
        times["floor"].append(timed(lambda: floor(files)))
        times["obs-ci"].append(timed(run_obs))
        spent = time.perf_counter() - started
        if not args.no_flake8 and (
            not times["flake8"] or (len(times["flake8"]) < 3 and spent < args.budget / 2)
        ):
            times["flake8"].append(timed(lambda: flake8(files)))
        rounds += 1

    best_floor = min(times["floor"])
    print(f"{rounds} interleaved rounds in {time.perf_counter() - started:.1f} s (best of each)")
    print(f"{'':8}{'files/s':>10}{'median s':>10}{'best s':>9}{'x floor':>9}")
    for name, samples in times.items():
        if not samples:
            continue
        best = min(samples)
        print(
            f"{name:8}{len(files) / best:>10.0f}{statistics.median(samples):>10.3f}"
            f"{best:>9.3f}{best / best_floor:>9.2f}"
        )
    ratio = min(times["obs-ci"]) / best_floor
    verdict = "meets" if ratio <= 1.6 else "misses"
    print(f"obs-ci is {ratio:.2f}x the floor: {verdict} the 1.6x target")

    if not args.no_flake8:
        obs_ci, flake8_s = startup(args.startup_rounds)
        ratio = obs_ci / flake8_s
        verdict = "meets" if ratio <= 1.0 else "misses"
        print(
            f"startup, one file: obs-ci check --files {obs_ci:.3f} s, flake8 {flake8_s:.3f} s "
            f"(best of {args.startup_rounds}): obs-ci is {ratio:.2f}x flake8: "
            f"{verdict} the 1.0x target"
        )


if __name__ == "__main__":
    main()
