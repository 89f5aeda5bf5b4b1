"""A stack setting that cannot work stops `obs-stack render` naming it (exit 2), nothing written.

Ports, thresholds, objectives, durations and the bind address are checked when the stack
is rendered, with the key, the value and what is accepted; a plugin's `ConfigError` (here
obs-flask's, for its alert thresholds) is the user's error, not a skipped plugin.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from obs_core import ConfigError

from tests.stack.conftest import Render, run_cli


def _project(tmp_path: Path, stack_table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "svc"\nversion = "0"\n\n[tool.obs.stack]\n{stack_table}\n'
    )
    return tmp_path


def test_a_threshold_a_plugin_refuses_makes_render_exit_2_naming_the_key(tmp_path: Path) -> None:
    project = _project(tmp_path, 'error_rate_threshold = "high"')
    result = run_cli("render", "out", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error_rate_threshold='high'" in result.stderr and "a number" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "out").exists()  # no stack without its HTTP alerts


def test_a_negative_port_makes_render_exit_2_naming_key_value_and_range(tmp_path: Path) -> None:
    project = _project(tmp_path, "prometheus_port = -1")
    result = run_cli("render", "out", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "prometheus_port=-1" in result.stderr and "1 to 65535" in result.stderr
    assert not (project / "out").exists()


def test_a_bad_value_given_as_a_flag_is_refused_the_same_way(tmp_path: Path) -> None:
    project = _project(tmp_path, "")
    result = run_cli("render", "out", "--set", "scrape_interval=0s", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "scrape_interval='0s'" in result.stderr and "Prometheus duration" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "out").exists()


@pytest.mark.parametrize(
    ("setting", "value", "accepted"),
    [
        ("grafana_port", 0, "1 to 65535"),
        ("alertmanager_port", 70000, "1 to 65535"),
        ("otlp_grpc_port", True, "1 to 65535"),
        ("jaeger_ui_port", 3000.5, "1 to 65535"),
        ("otlp_http_port", "http", "1 to 65535"),
        ("scrape_interval", "15 seconds", "Prometheus duration"),
        ("repeat_interval", "0h", "greater than 0"),
        ("group_wait", 10, "Prometheus duration"),
        ("bind_address", "localhost:80", "an IP address"),
        ("error_rate_threshold", -0.1, ">= 0"),
        ("latency_p95_threshold", float("nan"), ">= 0"),
        ("exception_rate_threshold", False, "a number"),
        ("slo_availability", 1, "between 0 and 1"),
        ("slo_latency", 99.9, "between 0 and 1"),
        ("slo_latency_seconds", 0, "> 0"),
        ("error_rate_for", "-1m", "Prometheus duration"),
        ("rate_window", "0m", "greater than 0"),
    ],
)
def test_a_value_out_of_range_is_refused_with_key_value_and_what_is_accepted(
    render_stack: Render, setting: str, value: object, accepted: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        render_stack(**{setting: value})
    message = str(caught.value)
    assert f"{setting}={value!r}" in message and accepted in message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("prometheus_port", 1),
        ("grafana_port", 65535),
        ("grafana_port", "3001"),
        ("scrape_interval", "1m30s"),
        ("evaluation_interval", "500ms"),
        ("bind_address", "0.0.0.0"),
        ("bind_address", "::1"),
        ("error_rate_threshold", 0),
        ("slo_availability", 0.95),
    ],
)
def test_a_value_in_range_renders(render_stack: Render, setting: str, value: object) -> None:
    assert (render_stack(**{setting: value}) / "docker-compose.yml").is_file()
