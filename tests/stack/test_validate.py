"""`obs-stack validate`: rendered files pass, and the first users' broken files are caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from obs_stack._validate import validate

from tests.conftest import require_binary
from tests.stack.conftest import Render, run_cli


@pytest.fixture
def rendered(render_stack: Render) -> Path:
    require_binary("promtool")
    require_binary("amtool")
    out = render_stack("compose")
    render_stack("native")
    render_stack("kubernetes")
    return out


def _failures(directory: Path) -> dict[str, str]:
    return {c.name: c.detail for c in validate(directory) if not c.ok}


def test_render_then_validate_passes_from_the_command_line(rendered: Path) -> None:
    result = run_cli("validate", str(rendered), cwd=rendered.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    for expected in (
        "promtool check config prometheus/prometheus.yml",
        "promtool check rules native/rules",
        "amtool check-config alertmanager/alertmanager.yml",
        "compose spec docker-compose.yml",
        "dashboard PromQL grafana/dashboards/obs-http.json",
        "promtool check rules kubernetes/prometheus-rule.yaml",
    ):
        assert f"ok    {expected}" in result.stdout


def test_invalid_promql_in_a_rule_file_fails(rendered: Path) -> None:
    (rendered / "prometheus/rules/extra.rules.yml").write_text(
        "groups:\n- name: broken\n  rules:\n  - alert: Broken\n"
        "    expr: rate(http_requests_total[5m) > 1\n"
    )
    failures = _failures(rendered)
    assert "promtool check rules prometheus/rules" in failures
    detail = failures["promtool check rules prometheus/rules"]
    assert '"Broken": could not parse expression' in detail


def test_an_email_receiver_without_smtp_host_fails(rendered: Path) -> None:
    path = rendered / "alertmanager/alertmanager.yml"
    config = yaml.safe_load(path.read_text())
    config["receivers"].append({"name": "mail", "email_configs": [{"to": "ops@example.com"}]})
    path.write_text(yaml.safe_dump(config))
    failures = _failures(rendered)
    assert "smtp" in failures["amtool check-config alertmanager/alertmanager.yml"].lower()


def test_a_wrapped_dashboard_and_a_bad_query_fail(rendered: Path) -> None:
    path = rendered / "grafana/dashboards/obs-http.json"
    model = json.loads(path.read_text())
    path.write_text(json.dumps({"dashboard": model, "overwrite": True}))
    assert "HTTP API format" in _failures(rendered)["dashboard grafana/dashboards/obs-http.json"]

    model["panels"][0]["targets"][0]["expr"] = "sum(rate(http_requests_total[$__rate_interval])"
    path.write_text(json.dumps(model))
    assert "dashboard PromQL grafana/dashboards/obs-http.json" in _failures(rendered)


def test_a_dashboard_on_an_unprovisioned_datasource_fails(rendered: Path) -> None:
    path = rendered / "grafana/dashboards/obs-http.json"
    model = json.loads(path.read_text())
    model["panels"][0]["datasource"] = {"type": "prometheus", "uid": "gone"}
    path.write_text(json.dumps(model))
    detail = _failures(rendered)["dashboard grafana/dashboards/obs-http.json"]
    assert "'gone'" in detail


def test_compose_with_a_literal_grafana_password_or_bad_schema_fails(rendered: Path) -> None:
    path = rendered / "docker-compose.yml"
    compose = yaml.safe_load(path.read_text())
    compose["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] = "admin"
    compose["services"]["jaeger"]["ports"] = {"not": "a list"}
    path.write_text(yaml.safe_dump(compose))
    failures = _failures(rendered)
    assert "environment" in failures["compose policy docker-compose.yml"]
    assert "compose spec docker-compose.yml" in failures


def test_a_missing_tool_is_named_with_how_to_install_it(rendered: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = run_cli("validate", str(rendered), cwd=rendered.parent, path=str(empty))
    assert result.returncode == 1
    assert "promtool is not installed: apt-get install prometheus" in result.stdout
    assert "amtool is not installed: apt-get install prometheus-alertmanager" in result.stdout


def test_an_empty_folder_says_to_render_first(tmp_path: Path) -> None:
    failures = _failures(tmp_path)
    assert any("obs-stack render" in detail for detail in failures.values())


def test_host_network_compose_passes_the_compose_spec(render_stack: Render) -> None:
    out = render_stack("compose", compose_network="host")
    failures = _failures(out)
    assert not {k: v for k, v in failures.items() if "compose" in k}, failures
