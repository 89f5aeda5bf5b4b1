"""The trio's access line, shared by the benchmarks: a structlog + orjson JSON line per
request with the trace ids, wired the way teams do it by hand (Flask hooks)."""

from __future__ import annotations

import time
from typing import Any

import orjson
import structlog
from flask import Flask, g, request
from opentelemetry import trace


def structlog_access_log(app: Flask, logfile: Any) -> None:
    """One line per request to `logfile` (a binary file), the fields obs's line has."""
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(serializer=orjson.dumps),
        ],
        logger_factory=structlog.BytesLoggerFactory(logfile),
        cache_logger_on_first_use=True,
    )
    log = structlog.get_logger("access")

    @app.before_request
    def start_timer() -> None:
        g.start = time.perf_counter()

    @app.after_request
    def access_line(response: Any) -> Any:
        ctx = trace.get_current_span().get_span_context()
        log.info(
            "request",
            method=request.method,
            route=request.url_rule.rule if request.url_rule else None,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - g.start) * 1000, 3),
            client=request.remote_addr,
            trace_id=format(ctx.trace_id, "032x"),
            span_id=format(ctx.span_id, "016x"),
        )
        return response
