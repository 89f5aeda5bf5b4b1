"""`obs-stack render`: the files a user gets, from the plugins' content and their settings."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml
from obs_core import ConfigError
from obs_stack import load_settings, panel_queries

from tests.stack.conftest import Render, run_cli


def _yaml(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(path.read_text())


def _all_rules(folder: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    rules = {}
    for path in sorted(folder.glob("*.rules.yml")):
        for group in _yaml(path)["groups"]:
            for rule in group["rules"]:
                rules[rule.get("alert") or rule["record"]] = rule
    return rules


def test_http_dashboard_has_the_seven_panels_users_expect(render_stack: Render) -> None:
    out = render_stack()
    dashboard = json.loads((out / "grafana/dashboards/obs-http.json").read_text())
    titles = [p["title"] for p in dashboard["panels"]]
    assert titles == [
        "Request rate",
        "Latency p50 / p95 / p99",
        "Error ratio (4xx, 5xx)",
        "Top endpoints",
        "Exception rate by type",
        "Status codes",
        "Request duration heatmap",
    ]
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["job", "instance", "endpoint"]
    latency = dashboard["panels"][1]
    assert all(t["exemplar"] for t in latency["targets"])
    assert dashboard["panels"][6]["type"] == "heatmap"
    # file provisioning wants the bare model, not the HTTP API's {"dashboard": ...} wrapper
    assert "dashboard" not in dashboard and "generated" in dashboard["description"].lower()


def test_test_plugin_content_appears_next_to_obs_flask_content(render_stack: Render) -> None:
    out = render_stack()
    business = json.loads((out / "grafana/dashboards/obs-test-business.json").read_text())
    assert "loans_approved_total" in panel_queries(business)[0][1]
    rules = _all_rules(out / "prometheus/rules")
    assert {"NoLoansApproved", "High5xxErrorRate", "ServiceDown"} <= set(rules)


def test_alerts_carry_severity_summary_description_and_runbook(render_stack: Render) -> None:
    rules = _all_rules(render_stack() / "prometheus/rules")
    expected = {
        "High5xxErrorRate": ("critical", "2m"),
        "HighRequestLatency": ("warning", "5m"),
        "ExceptionSpike": ("warning", "2m"),
        "ServiceDown": ("critical", "1m"),
        "AbnormalRequestRate": ("warning", "10m"),
    }
    for name, (severity, duration) in expected.items():
        rule = rules[name]
        assert rule["labels"]["severity"] == severity
        assert rule["for"] == duration
        assert set(rule["annotations"]) == {"summary", "description", "runbook_url"}
    assert "> 0.05" in rules["High5xxErrorRate"]["expr"]
    assert "histogram_quantile(0.95" in rules["HighRequestLatency"]["expr"]


def test_slo_burn_rate_alerts_use_the_workbook_windows(render_stack: Render) -> None:
    rules = _all_rules(render_stack(slo_availability=0.99) / "prometheus/rules")
    fast = rules["AvailabilitySLOFastBurn"]["expr"]
    assert "ratio_rate1h > 14.4 * 0.01" in fast and "ratio_rate5m > 14.4 * 0.01" in fast
    assert "ratio_rate6h > 6.0 * 0.01" in fast and "ratio_rate30m > 6.0 * 0.01" in fast
    slow = rules["AvailabilitySLOSlowBurn"]["expr"]
    assert "ratio_rate3d > 1.0 * 0.01" in slow and "ratio_rate6h > 1.0 * 0.01" in slow
    assert rules["LatencySLOFastBurn"]["labels"]["severity"] == "critical"
    assert rules["LatencySLOSlowBurn"]["labels"]["severity"] == "warning"
    for window in ("5m", "30m", "1h", "6h", "3d"):
        assert f"job:http_requests_errors:ratio_rate{window}" in rules
        assert f"job:http_requests_slow:ratio_rate{window}" in rules
    assert 'le="0.5"' in rules["job:http_requests_slow:ratio_rate5m"]["expr"]


def test_thresholds_come_from_pyproject_and_flags_win(render_stack: Render, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.obs]\nservice-name = 'lending'\n"
        "[tool.obs.stack]\nerror_rate_threshold = 0.2\nlatency-p95-threshold = 1.5\n"
    )
    rules = _all_rules(render_stack(latency_p95_threshold=3) / "prometheus/rules")
    assert "> 0.2" in rules["High5xxErrorRate"]["expr"]
    assert "> 3.0" in rules["HighRequestLatency"]["expr"]
    assert rules["ServiceDown"]["expr"] == 'up{job="lending"} == 0'


def test_a_misspelt_setting_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.obs.stack]\nerror_rate_treshold = 0.2\n")
    result = run_cli("render", "out", cwd=tmp_path)
    assert result.returncode != 0
    assert "error_rate_treshold" in result.stderr and "error_rate_threshold" in result.stderr
    assert not (tmp_path / "out/prometheus/rules").exists()


def test_a_plugin_owns_its_settings_and_obs_stack_passes_them_on(render_stack: Render) -> None:
    rules = _all_rules(render_stack(no_loans_for="1h", slo_latency_seconds=1) / "prometheus/rules")
    assert rules["NoLoansApproved"]["for"] == "1h"
    assert 'le="1.0"' in rules["job:http_requests_slow:ratio_rate5m"]["expr"]


def test_a_threshold_that_is_not_a_number_stops_the_render_naming_it(
    render_stack: Render, tmp_path: Path
) -> None:
    # a plugin's ConfigError is the user's error: no stack without its HTTP alerts
    with pytest.raises(ConfigError, match="error_rate_threshold='lots': expected a number"):
        render_stack(error_rate_threshold="lots")
    assert not (tmp_path / "stack").exists()  # the setting is refused before any folder


def test_compose_binds_localhost_and_never_defaults_grafana_password(render_stack: Render) -> None:
    out = render_stack()
    compose = _yaml(out / "docker-compose.yml")
    ports = [p for s in compose["services"].values() for p in s.get("ports", [])]
    assert ports and all(p.startswith("127.0.0.1:") for p in ports)
    assert {"prometheus", "alertmanager", "grafana", "jaeger"} <= set(compose["services"])
    jaeger_ports = compose["services"]["jaeger"]["ports"]
    assert "127.0.0.1:4317:4317" in jaeger_ports and "127.0.0.1:4318:4318" in jaeger_ports
    password = compose["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"]
    assert password.startswith("${GRAFANA_ADMIN_PASSWORD:?")
    env = out / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    generated = env.read_text().split("GRAFANA_ADMIN_PASSWORD=")[1].strip()
    assert len(generated) >= 20 and generated != "admin"
    # rendering again keeps the password Grafana's database already has
    again = render_stack()
    assert generated in (again / ".env").read_text()


def test_a_password_from_the_environment_is_not_written(
    render_stack: Render, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFANA_ADMIN_PASSWORD", "from-the-vault-123")
    out = render_stack()
    assert not (out / ".env").exists()
    assert all("from-the-vault-123" not in p.read_text() for p in out.rglob("*") if p.is_file())


def test_webhook_by_default_slack_and_pagerduty_from_env_without_secrets_in_files(
    render_stack: Render, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _yaml(render_stack() / "alertmanager/alertmanager.yml")
    assert [r["name"] for r in config["receivers"]] == ["webhook"]
    assert "email_configs" not in str(config)

    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/secret-xyz")
    monkeypatch.setenv("PAGERDUTY_ROUTING_KEY", "pd-secret-key-0123")
    out = render_stack()
    config = _yaml(out / "alertmanager/alertmanager.yml")
    receivers = {r["name"]: r for r in config["receivers"]}
    assert set(receivers) == {"webhook", "slack", "pagerduty"}
    slack = receivers["slack"]["slack_configs"][0]
    assert slack["api_url_file"] == "/run/secrets/slack_webhook_url"
    compose = _yaml(out / "docker-compose.yml")
    assert compose["secrets"]["slack_webhook_url"] == {"environment": "SLACK_WEBHOOK_URL"}
    for path in out.rglob("*"):
        if path.is_file():
            assert "secret-xyz" not in path.read_text()
            assert "pd-secret-key" not in path.read_text()


def test_generated_files_say_so(render_stack: Render) -> None:
    out = render_stack()
    render_stack("kubernetes")
    for path in [*out.rglob("*.yml"), *out.rglob("*.yaml"), out / ".env", out / ".gitignore"]:
        assert path.read_text().startswith("# Generated by `obs-stack render`"), path
    for path in out.rglob("*.json"):  # JSON has no comments: the dashboard says it
        assert "Generated by obs-stack" in json.loads(path.read_text())["description"], path


def test_grafana_datasources_link_exemplars_to_jaeger(render_stack: Render) -> None:
    out = render_stack()
    provisioned = _yaml(out / "grafana/provisioning/datasources/obs.yml")["datasources"]
    sources = {d["uid"]: d for d in provisioned}
    prometheus = sources["prometheus"]
    assert prometheus["url"] == "http://prometheus:9090"
    link = prometheus["jsonData"]["exemplarTraceIdDestinations"][0]
    assert link == {"name": "trace_id", "datasourceUid": "jaeger"}
    assert sources["jaeger"]["type"] == "jaeger"
    provider = _yaml(out / "grafana/provisioning/dashboards/obs.yml")["providers"][0]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_kubernetes_target_writes_operator_resources(render_stack: Render) -> None:
    out = render_stack("kubernetes", job="lending", kubernetes_release="prom")
    rule = _yaml(out / "kubernetes/prometheus-rule.yaml")
    monitor = _yaml(out / "kubernetes/service-monitor.yaml")
    for resource, kind in ((rule, "PrometheusRule"), (monitor, "ServiceMonitor")):
        assert (resource["apiVersion"], resource["kind"]) == ("monitoring.coreos.com/v1", kind)
        # kube-prometheus-stack selects rules and monitors by its Helm release label
        assert resource["metadata"]["labels"]["release"] == "prom"
        assert resource["metadata"]["namespace"] == "monitoring"
    assert "High5xxErrorRate" in str(rule["spec"]["groups"])
    assert 'up{job="lending"} == 0' in str(rule["spec"]["groups"])
    # the job label Prometheus gives the scraped series is the Service's name label
    assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/name"
    assert monitor["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "lending"}
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    maps = list(yaml.safe_load_all((out / "kubernetes/grafana-dashboards.yaml").read_text()))
    assert {(m["apiVersion"], m["kind"]) for m in maps} == {("v1", "ConfigMap")}
    assert {m["metadata"]["labels"]["grafana_dashboard"] for m in maps} == {"1"}
    http = next(m for m in maps if "obs-http.json" in m["data"])
    assert json.loads(http["data"]["obs-http.json"])["uid"] == "obs-http"


def test_cli_renders_into_the_given_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.obs.stack]\nprometheus_port = 19090\n")
    result = run_cli("render", "out", "--set", "grafana_port=13000", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    compose = _yaml(tmp_path / "out/docker-compose.yml")
    assert compose["services"]["prometheus"]["ports"] == ["127.0.0.1:19090:9090"]
    assert compose["services"]["grafana"]["ports"] == ["127.0.0.1:13000:3000"]


def test_bridge_network_scrapes_host_services_through_host_docker_internal(
    render_stack: Render,
) -> None:
    out = render_stack(targets="127.0.0.1:8000", webhook_url="http://localhost:5001/hook")
    scrape = _yaml(out / "prometheus/prometheus.yml")["scrape_configs"][0]
    assert scrape["static_configs"][0]["targets"] == ["host.docker.internal:8000"]
    webhook = _yaml(out / "alertmanager/alertmanager.yml")["receivers"][0]["webhook_configs"][0]
    assert webhook["url"] == "http://host.docker.internal:5001/hook"


def test_host_network_listens_on_localhost_and_reaches_local_services(
    render_stack: Render,
) -> None:
    out = render_stack(compose_network="host", prometheus_port=19090, alertmanager_port=19093)
    services = _yaml(out / "docker-compose.yml")["services"]
    for name in ("prometheus", "alertmanager", "grafana"):
        assert services[name]["network_mode"] == "host" and "ports" not in services[name]
    assert "--web.listen-address=127.0.0.1:19090" in services["prometheus"]["command"]
    assert services["grafana"]["environment"]["GF_SERVER_HTTP_ADDR"] == "127.0.0.1"
    assert all(p.startswith("127.0.0.1:") for p in services["jaeger"]["ports"])
    prometheus = _yaml(out / "prometheus/prometheus.yml")
    assert prometheus["scrape_configs"][0]["static_configs"][0]["targets"] == ["127.0.0.1:8000"]
    assert prometheus["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        "127.0.0.1:19093"
    ]
    sources = _yaml(out / "grafana/provisioning/datasources/obs.yml")["datasources"]
    assert sources[0]["url"] == "http://127.0.0.1:19090"


def test_an_unknown_compose_network_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.obs.stack]\ncompose_network = 'overlay'\n")
    with pytest.raises(ConfigError, match="bridge or host"):
        load_settings(pyproject=tmp_path / "pyproject.toml")
