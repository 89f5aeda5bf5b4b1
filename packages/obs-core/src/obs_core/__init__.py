"""obs-core: the plugin registry and the three pillars of obs (metrics, traces, JSON logs).

Importing obs_core is light: the registry, the config and the errors load at once; the
pillars (OpenTelemetry, loguru, prometheus-client) load on first use of a name that needs
them, so a tool that only reads code (obs-ci) never pays for them. The pillars come with
the ``otlp`` extra (``pip install 'obs-core[otlp]'``), which obs-flask requires.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any

from obs_core._config import ObsConfig, configured_service_name, load_config
from obs_core._errors import ConfigError, ObsError, PluginError
from obs_core._lazy import lazy_names
from obs_core._metadata import distribution_version
from obs_core._plugins import (
    PluginInfo,
    PluginWarning,
    hookimpl,
    load_errors,
    plugin_infos,
    plugin_manager,
)
from obs_core._pyproject import find_pyproject
from obs_core._runtime import on_reset, per_registry
from obs_core.logging._sinks import LogSink

if TYPE_CHECKING:
    from obs_core._configure import configure
    from obs_core._setup import init, init_metrics
    from obs_core.logging._logger import ObsLogger, get_logger
    from obs_core.logging._setup import init_logging
    from obs_core.metrics._exposition import render_metrics
    from obs_core.metrics._registry import get_registry, set_registry, track_function_metrics

    __version__: str
    from obs_core.tracing._setup import (
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
    "configured_service_name",
    "distribution_version",
    "find_pyproject",
    "get_logger",
    "get_registry",
    "get_tracer",
    "hookimpl",
    "init",
    "init_logging",
    "init_metrics",
    "init_tracing",
    "lazy_names",
    "load_config",
    "load_errors",
    "on_reset",
    "per_registry",
    "plugin_infos",
    "plugin_manager",
    "render_metrics",
    "set_registry",
    "shutdown_tracing",
    "track_function_metrics",
]

# The names whose modules need the pillars' libraries, and where they live.
_LAZY = {
    "render_metrics": "metrics._exposition",
    "ObsLogger": "logging._logger",
    "get_logger": "logging._logger",
    "init_logging": "logging._setup",
    "get_registry": "metrics._registry",
    "set_registry": "metrics._registry",
    "track_function_metrics": "metrics._registry",
    "configure": "_configure",
    "init": "_setup",
    "init_metrics": "_setup",
    "add_span_attributes": "tracing._setup",
    "add_span_event": "tracing._setup",
    "after_fork": "tracing._setup",
    "get_tracer": "tracing._setup",
    "init_tracing": "tracing._setup",
    "shutdown_tracing": "tracing._setup",
}
_PILLAR_LIBRARIES = frozenset({"opentelemetry", "loguru", "prometheus_client", "orjson"})


def __getattr__(name: str) -> Any:
    """Load a pillar's name on first use (PEP 562), saying which extra is missing."""
    if name == "__version__":  # read from the installed metadata only when asked
        version = distribution_version("obs-core")
        globals()[name] = version
        return version
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'obs_core' has no attribute {name!r}")
    try:
        value = getattr(_import_module(f"obs_core.{module}"), name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in _PILLAR_LIBRARIES:
            raise
        raise ModuleNotFoundError(
            f"obs_core.{name} needs {exc.name}, which obs-core installs with its pillars: "
            "pip install 'obs-core[otlp]' (obs-flask brings it)",
            name=exc.name,
        ) from exc
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
