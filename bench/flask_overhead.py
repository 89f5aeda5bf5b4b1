"""Per-request cost of Flask instrumentation, through direct WSGI calls.

Every configuration is a separate app in this one process; rounds interleave them so
machine noise hits all alike. Prints the median µs/request, the overhead over bare Flask,
and the two ratios the targets are set on:

    obs-flask full overhead / hand-assembled trio overhead   (target <= 0.5)
    obs-flask metrics-only overhead / prometheus_flask_exporter overhead   (target <= 0.75)

and the cost per request of the local console's ring buffers (target < 5 µs): the span
ring's ``on_end`` for a request's server span, plus one log line kept by the log ring
(measured as the time a line to the file sink takes with the ring's tap, minus without).

Run: uv run python bench/flask_overhead.py [--rounds 40] [--calls 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import obs_core
import orjson
import structlog
from flask import Flask, g
from obs_core import hookimpl
from obs_core._plugins import register
from obs_core.testing import registered_plugin
from obs_flask import Observability
from obs_flask._console import Console
from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics
from werkzeug.test import EnvironBuilder

PATH = "/api/orders/42"


class Discard(SpanExporter):
    """Accepts every span and keeps none: the exporter cost is not what is measured."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


class DiscardPlugin:
    @hookimpl
    def obs_span_exporters(self) -> list[SpanExporter]:
        return [Discard()]


def bare_app(name: str) -> Flask:
    app = Flask(name)

    @app.get("/api/orders/<int:order_id>")
    def get_order(order_id: int) -> dict[str, int]:
        return {"id": order_id, "amount": 1000}

    return app


def structlog_access_log(app: Flask, logfile: Any) -> None:
    """One structlog/orjson JSON line per request, as teams wire it by hand."""
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
    def start() -> None:
        g.start = time.perf_counter()

    @app.after_request
    def access(response: Any) -> Any:
        from flask import request

        ctx = trace.get_current_span().get_span_context()
        log.info(
            "request",
            method=request.method,
            route=request.url_rule.rule if request.url_rule else None,
            path=request.path,
            status=response.status_code,
            duration_ms=(time.perf_counter() - g.start) * 1000,
            trace_id=format(ctx.trace_id, "032x"),
            span_id=format(ctx.span_id, "016x"),
        )
        return response


def build(logdir: str) -> dict[str, Flask]:
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Discard()))
    register(DiscardPlugin(), "bench_discard")

    apps: dict[str, Flask] = {"bare Flask": bare_app("bare")}

    pfe = bare_app("pfe")
    PrometheusMetrics(pfe, registry=CollectorRegistry())
    apps["prometheus_flask_exporter"] = pfe

    otel = bare_app("otel")
    FlaskInstrumentor().instrument_app(otel, tracer_provider=provider)
    apps["OTel Flask instrumentation"] = otel

    trio = bare_app("trio")
    PrometheusMetrics(trio, registry=CollectorRegistry())
    FlaskInstrumentor().instrument_app(trio, tracer_provider=provider)
    structlog_access_log(trio, open(os.path.join(logdir, "trio.jsonl"), "wb"))  # noqa: SIM115
    apps["trio (pfe + OTel + structlog)"] = trio

    metrics_only = bare_app("obs-metrics")
    Observability(
        metrics_only,
        registry=CollectorRegistry(),
        sdk_disabled=True,
        http_access_log=False,
        log_stdout=False,
    )
    apps["obs-flask metrics only"] = metrics_only

    full = bare_app("obs-full")
    Observability(
        full,
        registry=CollectorRegistry(),
        traces_exporter="none",
        log_stdout=False,
        log_file=os.path.join(logdir, "obs.jsonl"),
        log_stdlib=False,
    )
    apps["obs-flask full"] = full

    otel_spans = bare_app("obs-otel")
    Observability(
        otel_spans,
        registry=CollectorRegistry(),
        instrumentation="opentelemetry",
        traces_exporter="none",
        log_stdout=False,
        log_file=os.path.join(logdir, "obs-otel.jsonl"),
        log_stdlib=False,
    )
    apps["obs-flask full, OTel spans"] = otel_spans
    return apps


def runner(app: Flask) -> Callable[[int], float]:
    environ = EnvironBuilder(path=PATH, headers={"User-Agent": "bench"}).get_environ()

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], Any]:
        return lambda _: None

    wsgi = app  # the full Flask __call__ path, as a server calls it

    def run(calls: int) -> float:
        begin = time.perf_counter()
        for _ in range(calls):
            body: Iterable[bytes] = wsgi(dict(environ), start_response)
            b"".join(body)
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return (time.perf_counter() - begin) / calls * 1e6

    return run


def console_cost(logdir: str, rounds: int, calls: int) -> tuple[float, float]:
    """(µs per span kept by the span ring, µs per log line kept by the log ring)."""
    console = Console()
    tracer = TracerProvider().get_tracer("bench")
    spans = []
    for _ in range(calls):
        with tracer.start_as_current_span("GET /api/orders/<int:order_id>") as span:
            span.set_attribute("http.route", "/api/orders/<int:order_id>")
        spans.append(span)
    access = obs_core.get_logger("obs.access").info
    settings = {"log_stdout": False, "log_file": os.path.join(logdir, "ring.jsonl")}
    off = obs_core.configure(service_name="bench", **settings)

    def log_lines() -> float:
        begin = time.perf_counter()
        for _ in range(calls):
            access("request", method="GET", route="/api/orders/<int:order_id>", status=200)
        return (time.perf_counter() - begin) / calls * 1e6

    def ring_spans() -> float:
        on_end = console.spans.on_end
        begin = time.perf_counter()
        for span in spans:
            on_end(span)  # type: ignore[arg-type]
        return (time.perf_counter() - begin) / calls * 1e6

    with_ring, without, per_span = [], [], []
    for _ in range(rounds):
        obs_core.init_logging(off)
        without.append(log_lines())
        with registered_plugin(console, "bench-console"):
            obs_core.init_logging(off)
            with_ring.append(log_lines())
        per_span.append(ring_spans())
    obs_core.init_logging(off)
    line_cost = statistics.median(with_ring) - statistics.median(without)
    return statistics.median(per_span), line_cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as logdir:
        apps = build(logdir)
        runs = {name: runner(app) for name, app in apps.items()}
        for run in runs.values():  # warm caches, create label children
            run(50)
        samples: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                samples[name].append(run(args.calls))
        obs_core.shutdown_tracing()
        span_cost, line_cost = console_cost(logdir, args.rounds, args.calls * 5)

    med = {name: statistics.median(values) for name, values in samples.items()}
    bare = med["bare Flask"]
    print(f"{'configuration':<32} {'µs/request':>10} {'overhead µs':>12}")
    for name, value in med.items():
        print(f"{name:<32} {value:>10.1f} {value - bare:>12.1f}")
    over = {name: value - bare for name, value in med.items()}
    full_ratio = over["obs-flask full"] / over["trio (pfe + OTel + structlog)"]
    metrics_ratio = over["obs-flask metrics only"] / over["prometheus_flask_exporter"]
    print()
    print(f"obs-flask full overhead / trio overhead:       {full_ratio:.2f}  (target <= 0.50)")
    print(f"obs-flask metrics-only / prometheus_flask_exp: {metrics_ratio:.2f}  (target <= 0.75)")
    print()
    print(f"console span ring, per span:                   {span_cost:.2f} µs")
    print(f"console log ring, per log line (with - without): {line_cost:.2f} µs")
    per_request = span_cost + line_cost
    print(f"console ring buffers per request (1 span + 1 line): {per_request:.2f} µs  (target < 5)")


if __name__ == "__main__":
    main()
