"""The benchmark scripts start: their imports follow the modules they measure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))  # _: shared parts


def test_every_benchmark_is_found() -> None:
    assert len(SCRIPTS) >= 6, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_a_benchmark_imports_what_it_measures_and_prints_its_usage(script: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BENCH.parent,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage:"), run.stdout
