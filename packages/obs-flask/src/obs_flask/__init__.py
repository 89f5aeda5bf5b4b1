"""obs-flask: one line instruments a Flask service (RED metrics, server spans, JSON logs).

from obs_flask import Observability
Observability(app)

`authorizer(config)` is the /metrics credential check (bearer token or basic auth), for an
endpoint of your own that should ask the same.

Names load on first use (PEP 562): obs's plugin loader imports `obs_flask.plugin`, and
that must not import Flask or OpenTelemetry for a tool that never instruments an app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obs_core import lazy_names

if TYPE_CHECKING:
    from obs_core import add_span_attributes, get_logger, get_tracer, track_function_metrics

    from obs_flask._compat import MetricsMiddleware, init_tracing
    from obs_flask._console import ConsoleSettings
    from obs_flask._endpoint import Authorizer, authorizer
    from obs_flask._extension import Observability
    from obs_flask._http_metrics import UNMATCHED
    from obs_flask._settings import HttpSettings, load_http_settings

__all__ = [
    "UNMATCHED",
    "Authorizer",
    "ConsoleSettings",
    "HttpSettings",
    "MetricsMiddleware",
    "Observability",
    "add_span_attributes",
    "authorizer",
    "get_logger",
    "get_tracer",
    "init_tracing",
    "load_http_settings",
    "track_function_metrics",
]

_LAZY = {
    "UNMATCHED": "obs_flask._http_metrics",
    "Authorizer": "obs_flask._endpoint",
    "authorizer": "obs_flask._endpoint",
    "ConsoleSettings": "obs_flask._console",
    "HttpSettings": "obs_flask._settings",
    "MetricsMiddleware": "obs_flask._compat",
    "Observability": "obs_flask._extension",
    "add_span_attributes": "obs_core",
    "get_logger": "obs_core",
    "get_tracer": "obs_core",
    "init_tracing": "obs_flask._compat",
    "load_http_settings": "obs_flask._settings",
    "track_function_metrics": "obs_core",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
