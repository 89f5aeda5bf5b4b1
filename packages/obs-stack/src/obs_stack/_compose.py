"""docker-compose.yml: Prometheus, Alertmanager, Grafana and Jaeger on 127.0.0.1.

With ``compose_network = "host"`` Prometheus, Alertmanager and Grafana use the host's
network (Linux engines) so they reach services bound to 127.0.0.1. Grafana's admin
password comes from ``GRAFANA_ADMIN_PASSWORD`` (the environment or the
generated ``.env``), never a default; receiver secrets are Compose secrets read from the
environment, so no file holds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obs_stack._alertmanager import configured_secrets

__all__ = ["compose_file"]


def _port(settings: Mapping[str, Any], host_key: str, container: int) -> str:
    return f"{settings['bind_address']}:{settings[host_key]}:{container}"


def _use_host_network(services: dict[str, Any], settings: Mapping[str, Any]) -> None:
    """Prometheus, Alertmanager and Grafana on the host's network, listening on bind_address.

    They then reach a service bound to 127.0.0.1 (as `obs demo` is) and a local webhook;
    Jaeger stays on the bridge with its ports published on bind_address.
    """
    host = settings["bind_address"]
    listen = {
        "prometheus": f"--web.listen-address={host}:{settings['prometheus_port']}",
        "alertmanager": f"--web.listen-address={host}:{settings['alertmanager_port']}",
    }
    for name in ("prometheus", "alertmanager", "grafana"):
        service = services[name]
        service["network_mode"] = "host"
        service.pop("ports", None)
        service.pop("extra_hosts", None)
        if name in listen:
            service["command"].append(listen[name])
    services["grafana"]["environment"].update(
        {"GF_SERVER_HTTP_ADDR": host, "GF_SERVER_HTTP_PORT": str(settings["grafana_port"])}
    )


def compose_file(
    settings: Mapping[str, Any], extra_services: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The compose model; plugins' services (``obs_compose_services``) are added as given."""
    images = settings["images"]
    secrets = configured_secrets()
    alertmanager: dict[str, Any] = {
        "image": images["alertmanager"],
        "command": [
            "--config.file=/etc/alertmanager/alertmanager.yml",
            "--storage.path=/alertmanager",
            "--cluster.listen-address=",
        ],
        "volumes": ["./alertmanager:/etc/alertmanager:ro", "alertmanager-data:/alertmanager"],
        "ports": [_port(settings, "alertmanager_port", 9093)],
        "extra_hosts": ["host.docker.internal:host-gateway"],
        "restart": "unless-stopped",
    }
    if secrets:
        alertmanager["secrets"] = sorted(secrets.values())
    services: dict[str, Any] = {
        "prometheus": {
            "image": images["prometheus"],
            "command": [
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--enable-feature=exemplar-storage",
                "--web.enable-lifecycle",
                "--rules.alert.resend-delay=1s",
            ],
            "volumes": ["./prometheus:/etc/prometheus:ro", "prometheus-data:/prometheus"],
            "ports": [_port(settings, "prometheus_port", 9090)],
            "extra_hosts": ["host.docker.internal:host-gateway"],
            "depends_on": ["alertmanager"],
            "restart": "unless-stopped",
        },
        "alertmanager": alertmanager,
        "grafana": {
            "image": images["grafana"],
            "environment": {
                "GF_SECURITY_ADMIN_USER": "admin",
                "GF_SECURITY_ADMIN_PASSWORD": "${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD"
                " or run obs-stack render to generate .env}",
                "GF_AUTH_ANONYMOUS_ENABLED": "false",
                "GF_USERS_ALLOW_SIGN_UP": "false",
            },
            "volumes": [
                "./grafana/provisioning:/etc/grafana/provisioning:ro",
                "./grafana/dashboards:/var/lib/grafana/dashboards:ro",
                "grafana-data:/var/lib/grafana",
            ],
            "ports": [_port(settings, "grafana_port", 3000)],
            "depends_on": ["prometheus", "jaeger"],
            "restart": "unless-stopped",
        },
        "jaeger": {
            "image": images["jaeger"],
            "environment": {"COLLECTOR_OTLP_ENABLED": "true"},
            "ports": [
                _port(settings, "jaeger_ui_port", 16686),
                _port(settings, "otlp_grpc_port", 4317),
                _port(settings, "otlp_http_port", 4318),
            ],
            "restart": "unless-stopped",
        },
    }
    if settings["compose_network"] == "host":
        _use_host_network(services, settings)
    for name, service in extra_services.items():
        services.setdefault(name, dict(service))
    model: dict[str, Any] = {
        "name": "obs-stack",
        "services": services,
        "volumes": {"prometheus-data": {}, "alertmanager-data": {}, "grafana-data": {}},
    }
    if secrets:
        model["secrets"] = {name: {"environment": var} for var, name in sorted(secrets.items())}
    return model
