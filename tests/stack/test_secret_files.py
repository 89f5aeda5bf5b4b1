"""Secret files obs-stack writes: new private files, never written through a symlink."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.conftest import require_binary
from tests.stack.conftest import free_port, run_cli


def _project(folder: Path) -> None:
    (folder / "pyproject.toml").write_text(
        "[tool.obs.stack]\n"
        f"prometheus_port = {free_port()}\nalertmanager_port = {free_port()}\n"
        "scrape_interval = '1s'\nevaluation_interval = '1s'\n"
    )


def _victim(tmp_path: Path) -> Path:
    """A file of the user's that a planted symlink points at."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious, not a password\n")
    victim.chmod(0o644)
    return victim


def test_render_replaces_a_symlinked_env_and_leaves_its_target_untouched(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / ".env").symlink_to(victim)
    result = run_cli("render", "stack", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert victim.read_text() == "precious, not a password\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    env = stack / ".env"
    assert not env.is_symlink()
    assert stat.S_IMODE(env.lstat().st_mode) == 0o600
    assert "GRAFANA_ADMIN_PASSWORD=" in env.read_text()
    assert [p.name for p in stack.iterdir() if p.name.startswith(".env.")] == []  # no leftovers


def test_render_through_a_dangling_env_symlink_creates_nothing_at_its_target(
    tmp_path: Path,
) -> None:
    stack = tmp_path / "stack"
    stack.mkdir()
    target = tmp_path / "elsewhere" / "planted"
    (stack / ".env").symlink_to(target)
    assert run_cli("render", "stack", cwd=tmp_path).returncode == 0
    assert not target.exists() and not target.parent.exists()
    assert "GRAFANA_ADMIN_PASSWORD=" in (stack / ".env").read_text()


def test_generated_files_are_never_written_through_a_symlink(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    stack = tmp_path / "stack"
    (stack / "prometheus").mkdir(parents=True)
    (stack / "prometheus" / "prometheus.yml").symlink_to(victim)
    (stack / ".gitignore").symlink_to(victim)
    assert run_cli("render", "stack", cwd=tmp_path).returncode == 0
    assert victim.read_text() == "precious, not a password\n"
    assert "scrape_configs" in (stack / "prometheus" / "prometheus.yml").read_text()


@pytest.mark.slow
def test_up_native_never_writes_receiver_secrets_through_a_symlinked_folder(
    tmp_path: Path, native_dirs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_binary("prometheus")
    require_binary("prometheus-alertmanager")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/secret-xyz")
    _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    (elsewhere / "slack_webhook_url").symlink_to(_victim(tmp_path))
    stack = tmp_path / "stack"
    (stack / "native").mkdir(parents=True)
    (stack / "native" / "secrets").symlink_to(elsewhere, target_is_directory=True)
    native_dirs.append(stack)
    result = run_cli("up", "stack", "--native", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    assert (tmp_path / "victim.txt").read_text() == "precious, not a password\n"
    assert os.listdir(elsewhere) == ["slack_webhook_url"]  # nothing new in the link's target
    secrets = stack / "native" / "secrets"
    assert not secrets.is_symlink()
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    secret = secrets / "slack_webhook_url"
    assert not secret.is_symlink() and stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text() == "https://hooks.slack.com/services/T0/B0/secret-xyz"
    assert run_cli("down", "stack", cwd=tmp_path).returncode == 0
    assert not secrets.exists() and elsewhere.is_dir()
