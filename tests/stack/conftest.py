"""Fixtures for obs-stack tests: rendering into a temporary folder with chosen settings."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from obs_stack import load_settings, render

Render = Callable[..., Path]


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A free port on 127.0.0.1 below the kernel's ephemeral range (32768 and up).

    A port the kernel hands out for port 0 is also what it hands to outgoing connections:
    under load one of those can take it between this check and the server's bind. Ports
    below the range are only ever taken by a bind, so a random free one stays free.
    No port is handed out twice in one test session.
    """
    for _ in range(200):
        port = random.randint(20000, 32000)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free port between 20000 and 32000 on 127.0.0.1")


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


def run_cli(
    *args: str, cwd: Path, timeout: float = 120, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `obs-stack ARGS` as a user would, in `cwd`, with this environment (and `path`)."""
    env = dict(os.environ) if path is None else {**os.environ, "PATH": path}
    return subprocess.run(
        [sys.executable, "-m", "obs_stack", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def process_gone(pid: int) -> bool:
    """True when `pid` no longer runs (gone, or a zombie its non-reaping parent left)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def query(prometheus: str, promql: str) -> list[dict[str, Any]]:
    """The result vector of an instant query (empty on any error)."""
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = json.load(response)
    except (OSError, ValueError):
        return []
    result: list[dict[str, Any]] = body.get("data", {}).get("result", [])
    return result


def wait_for(check: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture
def native_dirs(tmp_path: Path) -> Iterator[list[Path]]:
    """Stack folders whose native processes are stopped after the test, whatever happens."""
    from obs_stack._native import down_native

    folders: list[Path] = []
    yield folders
    for folder in folders:
        down_native(folder)
