"""Fixtures for obs-stack tests: rendering into a temporary folder with chosen settings."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from obs_stack import load_settings, render

Render = Callable[..., Path]


def free_port() -> int:
    """A port nobody listens on right now (bind to port 0 and let the kernel choose)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def render_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Render:
    """Render a target into tmp_path/stack from a project whose pyproject has no stack table."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "0"\n')
    monkeypatch.chdir(tmp_path)
    for var in ("GRAFANA_ADMIN_PASSWORD", "SLACK_WEBHOOK_URL", "PAGERDUTY_ROUTING_KEY"):
        monkeypatch.delenv(var, raising=False)

    def _render(target: str = "compose", **overrides: Any) -> Path:
        out = tmp_path / "stack"
        render(out, load_settings(overrides), target)
        return out

    return _render
