"""The shared settings machinery: one pyproject reader, one parser, keys owned per distribution."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from obs_core import ConfigError, configured_service_name, load_config
from obs_core.settings import declared_names, read_pyproject_table


def write_pyproject(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[project]\nname = 'app'\n\n[tool.obs]\n{body}\n")
    return path


def test_every_installed_distribution_declares_the_keys_it_reads() -> None:
    names = declared_names()
    assert {"service_name", "log_level"} <= names  # obs-core
    assert {"metrics_path", "http_access_log", "http_duration_buckets"} <= names  # obs-flask
    assert "stack" in names  # obs-stack


def test_core_accepts_the_keys_other_distributions_own(tmp_path: Path) -> None:
    path = write_pyproject(
        tmp_path, 'service_name = "loans"\nhttp_access_log = false\n[tool.obs.stack]\njob = "x"'
    )
    config = load_config(pyproject=path, env={})
    assert config.service_name == "loans"
    assert not hasattr(config, "http_access_log") and not hasattr(config, "stack")


def test_a_typo_is_refused_naming_every_distributions_keys(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, "http_acces_log = false")
    with pytest.raises(ConfigError) as info:
        load_config(pyproject=path, env={})
    message = str(info.value)
    assert "[tool.obs] http_acces_log" in message and str(path) in message
    assert "http_access_log" in message and "service_name" in message


def test_the_reader_parses_once_and_sees_an_edit(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, 'service_name = "first"\n[tool.obs.stack]\njob = "a"')
    assert read_pyproject_table("obs", "stack", pyproject=path) == (path, {"job": "a"})
    read_pyproject_table("obs", pyproject=path)[1]["service_name"] = "changed by a caller"
    assert read_pyproject_table("obs", pyproject=path)[1]["service_name"] == "first"
    path.write_text("[tool.obs]\nservice_name = 'second, longer'\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert read_pyproject_table("obs", pyproject=path)[1] == {"service_name": "second, longer"}


def test_a_missing_table_is_empty_and_a_non_table_is_refused(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, "stack = 3")
    assert read_pyproject_table("obs-ci", pyproject=path)[1] == {}
    with pytest.raises(ConfigError, match=r"\[tool.obs.stack\] in .*expected a table"):
        read_pyproject_table("obs", "stack", pyproject=path)
    (tmp_path / "bad.toml").write_text("[tool.obs\n")
    with pytest.raises(ConfigError, match=r"valid pyproject\.toml"):
        read_pyproject_table("obs", pyproject=tmp_path / "bad.toml")
    with pytest.raises(ConfigError, match=r"absent\.toml"):  # a file named on purpose must exist
        read_pyproject_table("obs", pyproject=tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("body", "env", "expected"),
    [
        ("", {}, None),
        ('service_name = "toml"', {}, "toml"),
        ('service_name = "toml"', {"OTEL_SERVICE_NAME": "env"}, "env"),
        ("", {"OTEL_RESOURCE_ATTRIBUTES": "service.name=billing"}, "billing"),
    ],
)
def test_the_service_name_alone_reads_as_the_full_config_does(
    tmp_path: Path, body: str, env: dict[str, str], expected: str | None
) -> None:
    path = write_pyproject(tmp_path, body)
    assert configured_service_name(pyproject=path, env=env) == expected
    full = load_config(pyproject=path, env=env).service_name
    assert full == (expected or "unknown_service")


def test_reading_settings_loads_no_pillar(tmp_path: Path) -> None:
    code = (
        "import json, sys, obs_core.settings, obs_flask._settings, obs_stack._settings\n"
        "obs_stack._settings.load_settings(); obs_flask._settings.load_http_settings()\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.check_output([sys.executable, "-c", code], cwd=tmp_path, text=True, timeout=60)
    roots = {name.split(".")[0] for name in json.loads(out)}
    assert roots.isdisjoint({"opentelemetry", "loguru", "prometheus_client", "flask", "grpc"})
