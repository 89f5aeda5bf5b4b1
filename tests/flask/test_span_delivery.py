"""Spans under load: none lost while the exporter keeps up, drops counted when it cannot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from flask import Flask
from obs_core import shutdown_tracing
from obs_flask import Observability
from prometheus_client import CollectorRegistry

from tests.core.otlp_receivers import closed_port

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 60_000


def _span_ids(traces_file: Path) -> list[str]:
    with traces_file.open("rb") as lines:
        return [
            span["spanId"]
            for line in lines
            for resource in json.loads(line)["resourceSpans"]
            for scope in resource["scopeSpans"]
            for span in scope["spans"]
        ]


def test_sixty_thousand_requests_in_one_process_all_reach_the_trace_file(
    tmp_path: Path, registry: CollectorRegistry
) -> None:
    app = Flask("orders")

    @app.get("/api/orders/<int:order_id>")
    def get_order(order_id: int) -> dict[str, int]:
        return {"id": order_id}

    traces = tmp_path / "traces.jsonl"
    Observability(app, traces_file=str(traces), log_stdout=False, http_access_log=False)
    client = app.test_client()
    for n in range(REQUESTS):  # as fast as the test client sends them
        assert client.get(f"/api/orders/{n}").status_code == 200
    shutdown_tracing()

    span_ids = _span_ids(traces)
    assert len(span_ids) == REQUESTS
    assert len(set(span_ids)) == REQUESTS
    for reason in ("queue_full", "export_failed", "shutdown"):
        # present at zero, so an alert on its rate works from the first scrape
        assert registry.get_sample_value("obs_spans_dropped_total", {"reason": reason}) == 0


DEAD_COLLECTOR = """
    import json, logging, sys, time
    from flask import Flask
    from obs_flask import Observability

    warnings = []
    class Keep(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())
    logging.getLogger("obs_core.tracing").addHandler(Keep(logging.WARNING))

    app = Flask("orders")

    @app.get("/api/orders/<int:order_id>")
    def get_order(order_id):
        return {"id": order_id}

    Observability(app, otlp_endpoint=sys.argv[1], otlp_protocol="http/protobuf",
                  otlp_timeout=1, shutdown_timeout=0.5, log_stdout=False)
    client = app.test_client()

    def dropped():
        body = client.get("/metrics").get_data(as_text=True)
        line = next(l for l in body.splitlines()
                    if l.startswith('obs_spans_dropped_total{reason="queue_full"}'))
        return float(line.split()[-1])

    worst, counts = 0.0, []
    for _ in range(3):
        for n in range(1000):
            t0 = time.perf_counter()
            assert client.get(f"/api/orders/{n}").status_code == 200
            worst = max(worst, time.perf_counter() - t0)
        counts.append(dropped())
    full = [w for w in warnings if "span queue is full" in w]
    print(json.dumps({"worst": worst, "counts": counts, "full_warnings": len(full)}))
"""


def test_a_dead_collector_costs_requests_nothing_and_drops_are_counted_once_logged(
    tmp_path: Path,
) -> None:
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "OTEL_BSP_MAX_QUEUE_SIZE": "64",
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "16",
    }
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(DEAD_COLLECTOR), closed_port()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["worst"] < 0.5, out  # no request waits on the exporter's retries
    first, second, third = out["counts"]
    assert 0 < first < second < third, out  # /metrics (multiprocess files) shows it rising
    assert third > 2000, out  # at most the queue and one batch in flight were kept
    assert out["full_warnings"] == 1, out  # one warning for the episode, not one per span
