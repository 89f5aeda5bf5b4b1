"""Per-request cost of Flask instrumentation, through direct WSGI calls.

Every configuration is a separate app in this one process; rounds interleave them so
machine noise hits all alike. Prints the median µs/request, the overhead over bare Flask,
and the two ratios the targets are set on:

    obs-flask full overhead / hand-assembled trio overhead   (target <= 0.5)
    obs-flask metrics-only overhead / prometheus_flask_exporter overhead   (target <= 0.75)

and the cost per request of the local console's ring buffers (target < 5 µs): the span
ring's ``on_end`` for a request's server span, plus one log line kept by the log ring's
tap on obs's line formatter (the formatter's time with the tap, minus without).

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
from _trio_access_line import structlog_access_log
from flask import Flask
from loguru import logger
from obs_core import hookimpl
from obs_core._config import DEFAULT_REDACT
from obs_core.logging._format import LineFormatter
from obs_core.plugins import register
from obs_flask import Observability
from obs_flask._console import Console
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


def console_cost(rounds: int, calls: int) -> tuple[float, float]:
    """(µs per span kept by the span ring, µs per log line kept by the log ring's tap).

    The tap runs inside obs's line formatter, once per record: its cost is the time the
    formatter takes for a real access-line record with the tap, minus without (the best
    of interleaved rounds, so machine load does not count).
    """
    console = Console()
    tracer = TracerProvider().get_tracer("bench")
    spans = []
    for _ in range(calls):
        with tracer.start_as_current_span("GET /api/orders/<int:order_id>") as span:
            span.set_attribute("http.route", "/api/orders/<int:order_id>")
        spans.append(span)

    records: list[Any] = []
    handler = logger.add(lambda message: records.append(message.record), format="{message}")
    logger.bind(method="GET", route="/api/orders/<int:order_id>", status=200).info("request")
    logger.remove(handler)
    (record,) = records
    plain = LineFormatter("bench", DEFAULT_REDACT)
    tapped = LineFormatter("bench", DEFAULT_REDACT, [console.logs.keep])

    def per_call(run: Callable[[], object]) -> float:
        begin = time.perf_counter()
        for _ in range(calls):
            run()
        return (time.perf_counter() - begin) / calls * 1e6

    on_end = console.spans.on_end
    span_runs, plain_runs, tapped_runs = [], [], []
    for _ in range(rounds):
        begin = time.perf_counter()
        for span in spans:
            on_end(span)  # type: ignore[arg-type]
        span_runs.append((time.perf_counter() - begin) / calls * 1e6)
        plain_runs.append(per_call(lambda: plain.line(record)))
        tapped_runs.append(per_call(lambda: tapped.line(record)))
    return min(span_runs), min(tapped_runs) - min(plain_runs)


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
        span_cost, line_cost = console_cost(args.rounds, args.calls * 5)

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
    print(f"console log ring, per log line (with - without tap): {line_cost:.2f} µs")
    per_request = span_cost + line_cost
    print(f"console ring buffers per request (1 span + 1 line): {per_request:.2f} µs  (target < 5)")


if __name__ == "__main__":
    main()
