"""Manifests for kube-prometheus-stack: PrometheusRule, ServiceMonitor, dashboard ConfigMaps."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from obs_stack._content import StackContent
from obs_stack._grafana import dashboard_file

__all__ = ["dashboard_config_maps", "prometheus_rule", "service_monitor"]


def _name(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:63] or "obs"


def _meta(settings: Mapping[str, Any], name: str, **labels: str) -> dict[str, Any]:
    return {
        "name": _name(name),
        "namespace": settings["kubernetes_namespace"],
        "labels": {
            "app.kubernetes.io/managed-by": "obs-stack",
            "release": settings["kubernetes_release"],
            **labels,
        },
    }


def prometheus_rule(content: StackContent, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Every rule group in one PrometheusRule the operator's ruleSelector picks up."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": _meta(settings, f"{settings['job']}-obs-rules"),
        "spec": {"groups": content.rule_groups},
    }


def service_monitor(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Scrape the Service labelled ``app.kubernetes.io/name: <job>`` on its named port."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": _meta(settings, settings["job"]),
        "spec": {
            "jobLabel": "app.kubernetes.io/name",
            "selector": {"matchLabels": {"app.kubernetes.io/name": settings["job"]}},
            "namespaceSelector": {"any": True},
            "endpoints": [
                {
                    "port": settings["kubernetes_port_name"],
                    "path": settings["metrics_path"],
                    "interval": settings["scrape_interval"],
                }
            ],
        },
    }


def dashboard_config_maps(
    content: StackContent, settings: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One ConfigMap per dashboard, labelled for the Grafana sidecar (``grafana_dashboard``)."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(settings, f"dashboard-{d['uid']}", grafana_dashboard="1"),
            "data": {f"{d['uid']}.json": json.dumps(dashboard_file(d), indent=2)},
        }
        for d in content.dashboards
    ]
