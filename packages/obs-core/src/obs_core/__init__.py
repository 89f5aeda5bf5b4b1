"""obs-core: the plugin registry and the three pillars of obs (metrics, traces, JSON logs)."""

from __future__ import annotations

from importlib import metadata as _metadata

from obs_core._config import ObsConfig, find_pyproject, load_config
from obs_core._errors import ConfigError, ObsError, PluginError
from obs_core._exposition import render_metrics
from obs_core._logger import ObsLogger
from obs_core._logging import get_logger, init_logging
from obs_core._logsinks import LogSink
from obs_core._metrics import get_registry, set_registry, track_function_metrics
from obs_core._plugins import (
    PluginInfo,
    PluginWarning,
    hookimpl,
    load_errors,
    plugin_infos,
    plugin_manager,
)
from obs_core._setup import configure, init, init_metrics
from obs_core._tracing import (
    add_span_attributes,
    add_span_event,
    after_fork,
    get_tracer,
    init_tracing,
    shutdown_tracing,
)

__all__ = [
    "ConfigError",
    "LogSink",
    "ObsConfig",
    "ObsError",
    "ObsLogger",
    "PluginError",
    "PluginInfo",
    "PluginWarning",
    "add_span_attributes",
    "add_span_event",
    "after_fork",
    "configure",
    "find_pyproject",
    "get_logger",
    "get_registry",
    "get_tracer",
    "hookimpl",
    "init",
    "init_logging",
    "init_metrics",
    "init_tracing",
    "load_config",
    "load_errors",
    "plugin_infos",
    "plugin_manager",
    "render_metrics",
    "set_registry",
    "shutdown_tracing",
    "track_function_metrics",
]

try:
    __version__ = _metadata.version("obs-core")
except _metadata.PackageNotFoundError:  # running from a source tree without metadata
    __version__ = "0"
