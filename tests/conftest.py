"""Shared fixtures: a clean obs environment per test, and real binaries that CI must have."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from obs_core import _plugins

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
    """No OTEL_*/OBS_* settings leak in from the shell, and plugins reload per test."""
    for key in list(os.environ):
        if key.startswith(("OTEL_", "OBS_", "PROMETHEUS_MULTIPROC")) or key == "ENVIRONMENT":
            monkeypatch.delenv(key)
    _plugins.reset()
    yield
    _plugins.reset()
