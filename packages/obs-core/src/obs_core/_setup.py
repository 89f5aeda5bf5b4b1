"""One call for all three pillars: config, plugin hooks, metrics, tracing and logs."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry

from obs_core._config import ObsConfig
from obs_core._configure import configure
from obs_core._hookcall import call_hook
from obs_core._runtime import runtime
from obs_core.logging._setup import init_logging
from obs_core.metrics._registry import get_registry, set_registry
from obs_core.tracing._setup import init_tracing

__all__ = ["init", "init_metrics"]


def init_metrics(config: ObsConfig, registry: CollectorRegistry | None = None) -> CollectorRegistry:
    """Select the registry and let plugins register collectors on it, once per registry."""
    if registry is not None:
        set_registry(registry)
    reg = get_registry()
    # once per registry: the plugins' collectors stay registered on it
    done: list[bool] = runtime.per_registry(reg, "obs_core.metrics_done", lambda: [False])
    with runtime.metrics.lock:
        if not done[0]:
            done[0] = True
            call_hook("obs_register_metrics", config=config, registry=reg)
    return reg


def init(
    registry: CollectorRegistry | None = None, config: ObsConfig | None = None, **kwargs: Any
) -> ObsConfig:
    """Set up metrics, tracing and JSON logs from one config; returns that config.

    `config` is built with `configure(**kwargs)` unless given (adapters adjust it first).
    """
    if config is None:
        config = configure(**kwargs)
    elif kwargs:
        raise TypeError("init takes either a config or keyword settings, not both")
    init_metrics(config, registry)
    init_tracing(config)
    init_logging(config)
    return config
