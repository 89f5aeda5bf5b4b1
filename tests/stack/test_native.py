"""`obs-stack up --native` / `down` with Debian's prometheus and prometheus-alertmanager."""

from __future__ import annotations

import json
import socket
import stat
import urllib.request
from pathlib import Path

import pytest
from obs_stack._docker import docker_engine_problem

from tests.conftest import require_binary
from tests.stack.conftest import free_port, process_gone, run_cli

pytestmark = pytest.mark.slow


def _pyproject(folder: Path, prometheus: int, alertmanager: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(
        "[tool.obs.stack]\n"
        f"prometheus_port = {prometheus}\nalertmanager_port = {alertmanager}\n"
        "scrape_interval = '1s'\nevaluation_interval = '1s'\n"
    )


def _pids(stack: Path) -> list[int]:
    return [p["pid"] for p in json.loads((stack / "native/state.json").read_text())]


def _ready(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=5) as response:
        return bool(response.status == 200)


def test_up_native_runs_both_on_localhost_and_down_stops_exactly_them(
    tmp_path: Path, native_dirs: list[Path]
) -> None:
    require_binary("prometheus")
    require_binary("prometheus-alertmanager")
    first, second = tmp_path / "one", tmp_path / "two"
    ports = {first: (free_port(), free_port()), second: (free_port(), free_port())}
    for folder, (prom, am) in ports.items():
        _pyproject(folder, prom, am)
        native_dirs.append(folder / "stack")
        result = run_cli("up", "stack", "--native", cwd=folder)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"http://127.0.0.1:{prom}" in result.stdout
        assert _ready(prom) and _ready(am)

    again = run_cli("up", "stack", "--native", cwd=first)
    assert again.returncode != 0 and "already running" in again.stderr

    first_pids, second_pids = _pids(first / "stack"), _pids(second / "stack")
    down = run_cli("down", "stack", cwd=first)
    assert down.returncode == 0, down.stderr
    assert "stopped prometheus" in down.stdout and "stopped alertmanager" in down.stdout
    assert all(process_gone(pid) for pid in first_pids)
    assert not any(process_gone(pid) for pid in second_pids)
    assert _ready(ports[second][0])

    run_cli("down", "stack", cwd=second)
    assert all(process_gone(pid) for pid in second_pids)
    assert "nothing is running" in run_cli("down", "stack", cwd=second).stdout


def test_a_busy_port_is_named_with_the_setting_to_change(
    tmp_path: Path, native_dirs: list[Path]
) -> None:
    require_binary("prometheus")
    require_binary("prometheus-alertmanager")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _pyproject(tmp_path, port, free_port())
        native_dirs.append(tmp_path / "stack")
        result = run_cli("up", "stack", "--native", cwd=tmp_path)
    assert result.returncode != 0
    assert f"127.0.0.1:{port} is in use" in result.stderr
    assert "--set prometheus_port=PORT" in result.stderr


def test_up_without_a_docker_engine_explains_and_suggests_native(tmp_path: Path) -> None:
    if docker_engine_problem() is None:
        pytest.skip("a Docker engine is reachable here")
    result = run_cli("up", "stack", cwd=tmp_path)
    assert result.returncode != 0
    assert "No Docker engine is reachable" in result.stderr
    assert "obs-stack up --native" in result.stderr


def test_receiver_secrets_live_in_private_files_only_while_the_stack_runs(
    tmp_path: Path, native_dirs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_binary("prometheus")
    require_binary("prometheus-alertmanager")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/secret-xyz")
    _pyproject(tmp_path, free_port(), free_port())
    stack = tmp_path / "stack"
    native_dirs.append(stack)
    result = run_cli("up", "stack", "--native", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    secret = stack / "native/secrets/slack_webhook_url"
    assert secret.read_text() == "https://hooks.slack.com/services/T0/B0/secret-xyz"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    config = (stack / "native/alertmanager.yml").read_text()
    assert f"api_url_file: {secret}" in config and "secret-xyz" not in config

    assert run_cli("down", "stack", cwd=tmp_path).returncode == 0
    assert not secret.parent.exists()
