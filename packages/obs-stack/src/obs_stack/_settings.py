"""Stack settings: defaults < ``[tool.obs.stack]`` in the nearest pyproject < flags.

The merged mapping is what every stack hook receives as ``settings``. obs-stack knows,
defaults and checks only its own keys; any other key is passed on as given to the
plugins, which own their settings (obs-flask its alert thresholds). `gather` refuses a
key that neither obs-stack nor any plugin reads, so a typo never silently keeps a default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import yaml
from obs_core import ConfigError, configured_service_name
from obs_core import settings as checks
from obs_core.settings import read_pyproject_table

__all__ = [
    "DEFAULTS",
    "TABLE",
    "TOOL_OBS_KEYS",
    "load_settings",
    "parse_assignments",
    "refuse_unknown",
]

DEFAULTS: dict[str, Any] = {
    # what Prometheus scrapes: the service label is the scrape job
    "job": "app",
    "targets": ["127.0.0.1:8000"],
    "metrics_path": "/metrics",
    "scrape_interval": "15s",
    "evaluation_interval": "15s",
    # where every plugin's alerts link their runbooks: base URL + lower-case alert name
    "runbook_base_url": "https://runbooks.example.com/obs/",
    # Alertmanager
    "webhook_url": "http://127.0.0.1:5001/alerts",
    "group_wait": "10s",
    "group_interval": "5m",
    "repeat_interval": "4h",
    # where the stack listens
    "bind_address": "127.0.0.1",
    "compose_network": "bridge",
    "prometheus_port": 9090,
    "alertmanager_port": 9093,
    "grafana_port": 3000,
    "jaeger_ui_port": 16686,
    "otlp_grpc_port": 4317,
    "otlp_http_port": 4318,
    "prometheus_datasource_uid": "prometheus",
    "jaeger_datasource_uid": "jaeger",
    "images": {
        "prometheus": "prom/prometheus:v2.53.2",
        "alertmanager": "prom/alertmanager:v0.27.0",
        "grafana": "grafana/grafana:11.2.2",
        "jaeger": "jaegertracing/all-in-one:1.62.0",
    },
    # Kubernetes (kube-prometheus-stack)
    "kubernetes_namespace": "monitoring",
    "kubernetes_release": "kube-prometheus-stack",
    "kubernetes_port_name": "http",
}


TABLE = "[tool.obs.stack]"
# what obs-stack reads in [tool.obs] (declared to obs-core's check of unknown keys)
TOOL_OBS_KEYS = ("stack",)


def _coerce(setting: str, key: str, value: Any) -> Any:
    """`value` as the type of obs-stack's default for `key` (TOML and flags differ)."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return checks.boolean(setting, value)
    if isinstance(default, int | float):
        number = checks.real(setting, value)
        return int(number) if isinstance(default, int) and number.is_integer() else number
    if isinstance(default, list):
        if not isinstance(value, str | list):
            raise ConfigError(setting, value, "a list")
        return list(checks.string_list(setting, value))
    if isinstance(default, dict):
        return {**default, **checks.table(setting, value)}
    return checks.string(setting, value)


_CHOICES = {"compose_network": ("bridge", "host")}

# Values that would render a stack that cannot start are refused with what is accepted.
_CHECKS: dict[str, Callable[[str, object], object]] = {
    **{key: checks.port for key in DEFAULTS if key.endswith("_port")},
    **{key: checks.duration for key in DEFAULTS if key.endswith(("_interval", "_wait"))},
    "bind_address": checks.ip_address,
}


def _merge(settings: dict[str, Any], values: Mapping[str, Any]) -> None:
    """Lay `values` over `settings`: obs-stack's keys checked, the plugins' passed on."""
    for raw_key, value in values.items():
        key, setting = raw_key.replace("-", "_"), f"{TABLE} {raw_key}"
        if key not in DEFAULTS:  # a plugin's setting: the plugin checks it
            settings[key] = value
            continue
        if key in _CHECKS:
            settings[key] = _CHECKS[key](setting, value)
            continue
        settings[key] = _coerce(setting, key, value)
        if key in _CHOICES and settings[key] not in _CHOICES[key]:
            raise ConfigError(setting, value, " or ".join(_CHOICES[key]))


def parse_assignments(pairs: Iterable[str]) -> dict[str, Any]:
    """``key=value`` flags (values read as YAML scalars: ``5``, ``0.1``, ``a,b``)."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError("--set", pair, "key=value")
        values[key.strip()] = yaml.safe_load(raw) if raw.strip() else ""
    return values


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    pyproject: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Defaults, then ``[tool.obs.stack]``, then `overrides` (flags).

    obs-stack's own keys are checked and coerced here; the others are the plugins'.
    The scrape job defaults to the configured service name when one is set.
    """
    _, table = read_pyproject_table("obs", "stack", pyproject=pyproject)
    settings = {key: (list(v) if isinstance(v, list) else v) for key, v in DEFAULTS.items()}
    settings["images"] = dict(DEFAULTS["images"])
    service = configured_service_name(pyproject=pyproject)
    if service is not None:
        settings["job"] = service
    _merge(settings, table)
    _merge(settings, overrides or {})
    return settings


def refuse_unknown(settings: Mapping[str, Any], read: Iterable[str]) -> None:
    """Refuse a key the user set that neither obs-stack nor any plugin `read`."""
    known = set(DEFAULTS) | set(read)
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ConfigError(
            f"{TABLE} {unknown[0]}",
            settings[unknown[0]],
            "a setting of obs-stack or of an installed plugin: " + ", ".join(sorted(known)),
        )
