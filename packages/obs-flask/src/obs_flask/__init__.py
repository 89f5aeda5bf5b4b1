"""obs-flask: one line instruments a Flask service (RED metrics, server spans, JSON logs).

from obs_flask import Observability
Observability(app)
"""

from __future__ import annotations

from obs_core import add_span_attributes, get_logger, get_tracer, track_function_metrics

from obs_flask._compat import MetricsMiddleware, init_tracing
from obs_flask._console import ConsoleSettings
from obs_flask._extension import Observability
from obs_flask._http_metrics import UNMATCHED

__all__ = [
    "UNMATCHED",
    "ConsoleSettings",
    "MetricsMiddleware",
    "Observability",
    "add_span_attributes",
    "get_logger",
    "get_tracer",
    "init_tracing",
    "track_function_metrics",
]
