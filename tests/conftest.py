"""Shared fixtures: a clean obs environment per test, and real binaries that CI must have."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from importlib import metadata

import pytest
from obs_core.testing import reset

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_PLUGINS = ("obs-test-sink", "obs-test-broken", "obs-test-rules", "obs-test-stack")


def pytest_configure(config: pytest.Config) -> None:
    """The tests need their plugins, which a default `uv sync` leaves out on purpose."""
    missing = []
    for dist in TEST_PLUGINS:
        try:
            metadata.distribution(dist)
        except metadata.PackageNotFoundError:
            missing.append(dist)
    if missing:
        raise pytest.UsageError(
            f"the test plugins {', '.join(missing)} are not installed: run the tests with "
            "`bash scripts/test.sh` or `uv run --group test-plugins pytest`"
        )


def require_binary(name: str) -> str:
    """The path of a real binary; skip without it locally, fail without it in CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install prometheus prometheus-alertmanager)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def clean_obs_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No OTEL_*/OBS_* settings leak in from the shell, and obs starts fresh per test."""
    for key in list(os.environ):
        if key.startswith(("OTEL_", "OBS_", "PROMETHEUS_MULTIPROC")) or key == "ENVIRONMENT":
            monkeypatch.delenv(key)
    reset()
    yield
    reset()
