"""What obs-ci knows about observability APIs: qualified names, methods and their meaning.

A call is described by ``(kind, returns)``: ``kind`` is the hook kind it counts as
(``logging``, ``metrics``, ``tracing``, ``instrumentation`` or None) and ``returns`` the
role of the object it gives back (``logger``, ``metric``, ``tracer``, ``span``,
``flask_app``, ``blueprint``, ``observability`` or None), so
``log = logging.getLogger(__name__)`` makes ``log.info(...)`` a logging hook.
"""

from __future__ import annotations

import re

__all__ = [
    "CONVENTIONAL_METHODS",
    "FUNCTIONS",
    "INTERESTING_METHODS",
    "METHODS",
    "METRIC_TYPES",
    "OBJECTS",
    "REQUEST_HOOKS",
    "ROUTE_METHODS",
    "role_by_convention",
]

CallMeaning = tuple[str | None, str | None]

_LOG_LEVELS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal")
#: prometheus-client's metric classes.
METRIC_TYPES = frozenset({"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"})
_OBS = ("obs_core", "obs_flask")

FUNCTIONS: dict[str, CallMeaning] = {}
for _level in (*_LOG_LEVELS, "log"):
    FUNCTIONS[f"logging.{_level}"] = ("logging", None)
for _name in ("logging.getLogger", "logging.LoggerAdapter", "logging.Logger"):
    FUNCTIONS[_name] = (None, "logger")
for _name in ("get_logger", "getLogger", "wrap_logger", "stdlib.get_logger"):
    FUNCTIONS[f"structlog.{_name}"] = (None, "logger")
for _type in METRIC_TYPES:
    FUNCTIONS[f"prometheus_client.{_type}"] = ("metrics", "metric")
    FUNCTIONS[f"prometheus_client.metrics.{_type}"] = ("metrics", "metric")
for _pkg in _OBS:
    FUNCTIONS[f"{_pkg}.get_logger"] = (None, "logger")
    FUNCTIONS[f"{_pkg}.track_function_metrics"] = ("metrics", None)
    FUNCTIONS[f"{_pkg}.get_tracer"] = ("tracing", "tracer")
    FUNCTIONS[f"{_pkg}.add_span_attributes"] = ("tracing", None)
    FUNCTIONS[f"{_pkg}.add_span_event"] = ("tracing", None)
FUNCTIONS.update(
    {
        "opentelemetry.trace.get_tracer": ("tracing", "tracer"),
        "opentelemetry.trace.get_current_span": ("tracing", "span"),
        "opentelemetry.trace.use_span": ("tracing", "span"),
        "flask.Flask": (None, "flask_app"),
        "flask.Blueprint": (None, "blueprint"),
        "obs_flask.Observability": ("instrumentation", "observability"),
        "obs_flask.MetricsMiddleware": ("instrumentation", None),
        "obs_flask.init_tracing": ("instrumentation", None),
    }
)
# instrumentation a project may already have: OpenTelemetry's Flask and WSGI/ASGI
# instrumentation and prometheus_flask_exporter cover every route of the app they are given
_OTEL = "opentelemetry.instrumentation"
FUNCTIONS[f"{_OTEL}.flask.FlaskInstrumentor"] = (None, "instrumentor")
FUNCTIONS[f"{_OTEL}.flask.FlaskInstrumentor.instrument_app"] = ("instrumentation", None)
for _kind in ("wsgi", "asgi"):
    FUNCTIONS[f"{_OTEL}.{_kind}.OpenTelemetryMiddleware"] = ("instrumentation", None)
for _module in ("prometheus_flask_exporter", "prometheus_flask_exporter.multiprocess"):
    for _class in (
        "PrometheusMetrics",
        "RESTfulPrometheusMetrics",
        "GunicornPrometheusMetrics",
        "GunicornInternalPrometheusMetrics",
        "UWsgiPrometheusMetrics",
        "MultiprocessPrometheusMetrics",
    ):
        FUNCTIONS[f"{_module}.{_class}"] = ("instrumentation", "exporter")
        FUNCTIONS[f"{_module}.{_class}.for_app_factory"] = ("instrumentation", "exporter")

#: Flask request lifecycle decorators: hooks in them observe every request of the app.
REQUEST_HOOKS = frozenset(
    {
        "before_request",
        "after_request",
        "teardown_request",
        "before_app_request",
        "after_app_request",
        "teardown_app_request",
    }
)

#: Names that are objects with a role without being called (``from loguru import logger``).
OBJECTS: dict[str, str] = {
    "loguru.logger": "logger",
    "flask.current_app": "flask_app",
}

_LOGGER_METHODS: dict[str, CallMeaning] = {m: ("logging", None) for m in _LOG_LEVELS}
_LOGGER_METHODS.update({m: ("logging", None) for m in ("log", "msg", "trace", "success")})
_LOGGER_METHODS.update({m: (None, "logger") for m in ("bind", "opt", "new", "getChild", "patch")})

_METRIC_METHODS: dict[str, CallMeaning] = {
    m: ("metrics", None)
    for m in (
        "inc",
        "dec",
        "set",
        "observe",
        "info",
        "state",
        "set_to_current_time",
        "set_function",
        "time",
        "count_exceptions",
        "track_inprogress",
    )
}
_METRIC_METHODS["labels"] = ("metrics", "metric")

_SPAN_METHODS: dict[str, CallMeaning] = {
    m: ("tracing", None)
    for m in (
        "set_attribute",
        "set_attributes",
        "add_event",
        "add_link",
        "record_exception",
        "set_status",
        "end",
        "update_name",
    )
}

#: Flask decorators that declare a route.
ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete"})

METHODS: dict[str, dict[str, CallMeaning]] = {
    "logger": _LOGGER_METHODS,
    "metric": _METRIC_METHODS,
    "tracer": {
        "start_as_current_span": ("tracing", "span"),
        "start_span": ("tracing", "span"),
    },
    "span": _SPAN_METHODS,
    "observability": {"init_app": ("instrumentation", None)},
    "instrumentor": {
        "instrument_app": ("instrumentation", None),
        "instrument": ("instrumentation", None),
    },
    "exporter": {"init_app": ("instrumentation", None)},
    "flask_app": {"logger": (None, "logger")},
    "blueprint": {},
}

#: Methods that only prometheus-client metrics have, trusted on a receiver obs-ci cannot
#: resolve: a metric imported from the project's own module (``ORDERS.inc()``).
CONVENTIONAL_METHODS: dict[str, CallMeaning] = {
    name: _METRIC_METHODS[name] for name in ("inc", "observe", "labels")
}

#: Every method name that can mean something, to skip the rest cheaply.
INTERESTING_METHODS = frozenset(name for table in METHODS.values() for name in table)

_LOGGER_NAME = re.compile(r"(?i)^_*(log|logger)$|_(log|logger)$")
_TRACER_NAME = re.compile(r"(?i)^_*tracer$|_tracer$")


def role_by_convention(identifier: str) -> str | None:
    """The role of an unresolved name by convention: ``logger``/``log`` and ``tracer``."""
    if _LOGGER_NAME.search(identifier):
        return "logger"
    if _TRACER_NAME.search(identifier):
        return "tracer"
    return None
