"""A fresh clone's default environment has no test plugins: `uv run obs ...` prints no warning.

The workspace is synced as `uv run` syncs it in a fresh clone (the default groups, locked)
into a new environment, and the README's commands run there as a user runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_obs_and_obs_ci_in_a_default_environment_print_no_plugin_warning(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OBS_", "OTEL_", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"))
    }
    env["UV_PROJECT_ENVIRONMENT"] = str(tmp_path / "venv")  # a new environment, default sync
    (tmp_path / "one.py").write_text("import logging\n\nlogging.getLogger(__name__)\n")

    def uv_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["uv", "run", "--locked", "--project", str(ROOT), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    listing = uv_run("obs", "plugins", "--json")
    assert listing.returncode == 0, listing.stderr
    names = {plugin["name"] for plugin in json.loads(listing.stdout)}
    assert {"core", "ci", "flask", "stack"} <= names
    assert not {name for name in names if name.startswith("test_")}
    runs = [
        listing,
        uv_run("obs", "demo", "--help"),
        uv_run("obs-ci", "check", "--files", "one.py"),
        uv_run("obs-stack", "--help"),
    ]
    for run in runs:
        assert run.returncode == 0, run.args
        assert "PluginWarning" not in run.stderr and "skipped" not in run.stderr, run.stderr
        assert "warning" not in run.stderr.lower(), run.stderr
