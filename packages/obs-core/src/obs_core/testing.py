"""Helpers for a user's own test suite: plugins, spans, metrics and log lines.

with capture_spans() as spans, capture_logs() as logs:
    create_order()
assert spans[0].name == "create_order"
assert logs[0]["message"] == "Order created"
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry

from obs_core._plugins import register, unregister
from obs_core.logging._setup import capture_logs
from obs_core.metrics._registry import get_registry, set_registry
from obs_core.tracing._setup import capture_spans

__all__ = [
    "capture_logs",
    "capture_spans",
    "isolated_registry",
    "metric_value",
    "registered_plugin",
]


@contextmanager
def registered_plugin(plugin: object, name: str | None = None) -> Iterator[str]:
    """Register `plugin` for the duration of the block; always unregistered after."""
    plugin_name = register(plugin, name)
    try:
        yield plugin_name
    finally:
        unregister(plugin_name)


@contextmanager
def isolated_registry() -> Iterator[CollectorRegistry]:
    """A fresh registry obs uses inside the block, so tests do not see each other's series."""
    previous = get_registry()
    registry = CollectorRegistry()
    set_registry(registry)
    try:
        yield registry
    finally:
        set_registry(previous)


def metric_value(
    registry: CollectorRegistry, name: str, labels: dict[str, str] | None = None
) -> float:
    """A sample's value, 0.0 when absent (``metric_value(reg, "orders_total", {...})``)."""
    value = registry.get_sample_value(name, labels or {})
    return 0.0 if value is None else value
