"""`pip install obs-ci` is a light gate: no gRPC, no OpenTelemetry SDK, no Flask at check time.

The wheels are built from this tree and installed into a fresh virtualenv with pip, as a
user's CI job would; PyPI (or the machine's configured index) supplies the third-party
dependencies. `obs-ci check` runs as the real console script with Python's import-time
report on, so every module it imports is seen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("flask", "werkzeug", "opentelemetry", "loguru", "grpc", "prometheus_client")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Venv:
    root: Path
    dist: Path

    def bin(self, name: str) -> Path:
        return self.root / "bin" / name

    def pip_install(self, *requirements: str) -> None:
        # --find-links: the obs distributions come from the wheels just built
        result = subprocess.run(
            [str(self.bin("pip")), "install", "-q", "--find-links", str(self.dist), *requirements],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr

    def installed(self) -> set[str]:
        result = subprocess.run(
            [str(self.bin("python")), "-m", "pip", "list", "--format=freeze"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return {line.partition("==")[0].lower() for line in result.stdout.split()}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venv]:
    base = tmp_path_factory.mktemp("light-gate")
    dist = base / "dist"
    subprocess.run(
        ["uv", "build", "--all-packages", "--wheel", "-o", str(dist), "-q"],
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=300)
    yield Venv(base / "venv", dist)


def _imported_by_check(venv: Venv, tmp_path: Path) -> set[str]:
    """Top-level packages `obs-ci check --files one.py` imports (its import-time report)."""
    (tmp_path / "one.py").write_text(
        'import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef f():\n    log.info("x")\n'
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OBS_", "OTEL_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    result = subprocess.run(
        [str(venv.bin("obs-ci")), "check", "--files", "one.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout
    modules = {
        line.rpartition("|")[2].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "obs_ci" in modules and "obs_core" in modules  # the report is really there
    return {name.partition(".")[0] for name in modules}


def test_pip_install_obs_ci_brings_neither_grpc_nor_the_opentelemetry_sdk(venv: Venv) -> None:
    venv.pip_install("obs-ci")
    installed = venv.installed()
    assert {"obs-ci", "obs-core", "pluggy", "click"} <= installed
    heavy = {"grpcio", "opentelemetry-sdk", "opentelemetry-api", "loguru", "flask"} & installed
    assert not heavy, f"pip install obs-ci installed {sorted(heavy)}"


def test_obs_ci_check_imports_no_flask_opentelemetry_or_loguru(venv: Venv, tmp_path: Path) -> None:
    venv.pip_install("obs-ci")
    assert not set(HEAVY) & _imported_by_check(venv, tmp_path)


def test_without_the_pillars_a_name_that_needs_them_says_which_extra(venv: Venv) -> None:
    venv.pip_install("obs-ci")
    result = subprocess.run(
        [str(venv.bin("python")), "-c", "import obs_core; print(obs_core.hookimpl); obs_core.init"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "HookimplMarker" in result.stdout  # the registry works without them
    assert "pip install 'obs-core[otlp]'" in result.stderr


def test_with_obs_flask_installed_too_the_check_stays_light(venv: Venv, tmp_path: Path) -> None:
    # obs-flask brings the pillars (obs-core[otlp]); its plugin must not import them
    venv.pip_install("obs-ci", "obs-flask", "obs-stack")
    installed = venv.installed()
    assert {"flask", "opentelemetry-sdk", "grpcio", "loguru"} <= installed
    imported = _imported_by_check(venv, tmp_path)
    assert not set(HEAVY) & imported, sorted(set(HEAVY) & imported)
    listing = subprocess.run(
        [str(venv.bin("obs")), "plugins", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    for name in ("core", "ci", "flask", "stack"):
        assert f'"name": "{name}"' in listing.stdout
    assert '"error": null' in listing.stdout and '"error": "' not in listing.stdout
