"""The per-request wrapper: one timer, one server span, one count, one access-log line.

Everything it needs is resolved at setup; per request it does dictionary look-ups,
one span and the metric updates, and calls no plugin hook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING, Any

from opentelemetry import context, propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Status, StatusCode

from obs_flask._http_metrics import UNMATCHED, HttpMetrics, RouteMetrics

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["STATE_KEY", "ObsMiddleware", "RequestState"]

STATE_KEY = "obs.request"
KNOWN_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
)
_log = logging.getLogger("obs_flask")


class RequestState:
    """What the Flask side learns about a request (route, exception) for the wrapper."""

    __slots__ = ("borrowed", "exception", "method", "metrics", "route", "status")

    def __init__(self, method: str) -> None:
        self.method = method
        self.route: str | None = None
        self.status: str = ""
        self.exception: BaseException | None = None
        self.metrics: RouteMetrics | None = None  # set (and counted in progress) with the route
        self.borrowed: trace.Span | None = None  # the server span another instrumentation made


class _EnvironGetter(Getter["WSGIEnvironment"]):
    """Reads W3C headers (``traceparent``, ``tracestate``, ``baggage``) from a WSGI environ."""

    def get(self, carrier: WSGIEnvironment, key: str) -> list[str] | None:
        value = carrier.get("HTTP_" + key.upper().replace("-", "_"))
        return None if value is None else [value]

    def keys(self, carrier: WSGIEnvironment) -> list[str]:
        return [k[5:].lower().replace("_", "-") for k in carrier if k.startswith("HTTP_")]


_GETTER = _EnvironGetter()


@dataclass(frozen=True)
class Pillars:
    """The parts a request uses; any of them may be off."""

    metrics: HttpMetrics | None
    tracer: trace.Tracer | None
    access_log: Callable[..., None] | None
    exclude: frozenset[str]


class ObsMiddleware:
    """WSGI middleware around ``app.wsgi_app``; the Flask hooks fill in `RequestState`."""

    def __init__(self, wsgi_app: WSGIApplication, pillars: Pillars) -> None:
        self.wsgi_app = wsgi_app
        self.pillars = pillars

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        pillars = self.pillars
        path = environ.get("PATH_INFO", "")
        if path in pillars.exclude or STATE_KEY in environ:
            return self.wsgi_app(environ, start_response)
        start = perf_counter()
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in KNOWN_METHODS:
            method = "_OTHER"
        state = RequestState(method)
        environ[STATE_KEY] = state

        span = token = None
        if pillars.tracer is not None:
            parent = (
                propagate.extract(environ, getter=_GETTER)
                if "HTTP_TRACEPARENT" in environ
                else None
            )
            span = pillars.tracer.start_span(
                method,
                context=parent,
                kind=SpanKind.SERVER,
                attributes={
                    "http.request.method": method,
                    "url.path": path,
                    "url.scheme": environ.get("wsgi.url_scheme", "http"),
                    "server.address": environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
                    "client.address": environ.get("REMOTE_ADDR", ""),
                    "user_agent.original": environ.get("HTTP_USER_AGENT", ""),
                },
            )
            token = context.attach(trace.set_span_in_context(span))

        def _start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            state.status = status[:3]
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, _start_response)
        except BaseException as exc:
            state.exception = state.exception or exc
            state.status = "500"
            raise
        finally:
            try:
                self._finish(environ, state, method, path, perf_counter() - start, span)
            except Exception:  # observability must never break the response
                _log.exception("obs-flask failed to record a request")
            if token is not None:
                context.detach(token)

    def _finish(
        self,
        environ: WSGIEnvironment,
        state: RequestState,
        method: str,
        path: str,
        duration: float,
        span: trace.Span | None,
    ) -> None:
        pillars = self.pillars
        route = state.route or UNMATCHED
        status = state.status or "500"
        exc = state.exception
        trace_id = None
        traced = span if span is not None else state.borrowed
        if traced is not None:
            span_context = traced.get_span_context()
            if span_context.trace_flags.sampled:
                trace_id = format(span_context.trace_id, "032x")

        metrics = pillars.metrics
        if metrics is not None:
            record = state.metrics
            if record is not None:
                record.finished(status, duration, trace_id, started=True)
            else:  # the route was never learned: no in-progress count to take back
                metrics.route(method, route).finished(status, duration, trace_id, started=False)
            if exc is not None:
                metrics.exceptions.labels(method, route, type(exc).__name__).inc()

        if pillars.access_log is not None:
            # another instrumentation's span has ended by now: make it current for the line
            borrowed = None if span is not None or traced is None else traced
            token = context.attach(trace.set_span_in_context(borrowed)) if borrowed else None
            pillars.access_log(
                "request",
                method=method,
                route=route,
                path=path,
                status=int(status),
                duration_ms=round(duration * 1000.0, 3),
                client=environ.get("REMOTE_ADDR"),
                user_agent=environ.get("HTTP_USER_AGENT"),
            )
            if token is not None:
                context.detach(token)

        if span is not None and span.is_recording():  # an unsampled span needs nothing
            attributes: dict[str, str | int] = {"http.response.status_code": int(status)}
            if route != UNMATCHED:
                span.update_name(f"{method} {route}")
                attributes["http.route"] = route
            if exc is not None:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                attributes["error.type"] = type(exc).__name__
            elif status >= "500":
                span.set_status(Status(StatusCode.ERROR))
                attributes["error.type"] = status
            span.set_attributes(attributes)
            span.end()
