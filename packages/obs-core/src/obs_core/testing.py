"""Helpers for a user's own test suite: a clean start, plugins, spans, metrics and log lines.

with capture_spans() as spans, capture_logs() as logs:
    create_order()
assert spans[0].name == "create_order"
assert logs[0]["message"] == "Order created"

`reset()` returns obs to a fresh process's state between tests. With pytest, the fixtures
``obs_logs``, ``obs_spans`` and ``obs_registry`` (obs's pytest plugin, installed with
obs-core) do the same around each test that uses them. Importing this module is light: the
pillars load when a helper that needs them runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from obs_core._plugins import register, unregister
from obs_core._runtime import runtime

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan
    from prometheus_client import CollectorRegistry

__all__ = [
    "capture_logs",
    "capture_spans",
    "isolated_registry",
    "metric_value",
    "registered_plugin",
    "reset",
]


def reset() -> None:
    """Restore a fresh process's obs state: what obs started is stopped, what it loaded forgotten.

    Tracing is shut down (exporters flushed and stopped), obs's log handlers removed and
    its loggers forgotten, plugins are loaded again on next use, and obs uses
    prometheus-client's default registry again. Metrics obs created on a registry stay
    on it and are reused (a registry cannot forget a collector); use `isolated_registry`
    for fresh series. Other obs distributions' state is reset through their
    `obs_core.on_reset` callbacks.
    """
    runtime.reset()


@contextmanager
def capture_logs() -> Iterator[list[dict[str, Any]]]:
    """Collect the log lines written inside the block, parsed back into dicts."""
    from obs_core.logging._setup import capture_logs as capture

    with capture() as logs:
        yield logs


@contextmanager
def capture_spans() -> Iterator[list[ReadableSpan]]:
    """Collect the spans ended inside the block, as they end (sampled ones only)."""
    from obs_core.tracing._setup import capture_spans as capture

    with capture() as spans:
        yield spans


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
    from prometheus_client import CollectorRegistry

    from obs_core.metrics._registry import get_registry, set_registry

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
