"""The names the first users call keep working: MetricsMiddleware, init_tracing, and friends."""

from __future__ import annotations

from collections.abc import Iterator

import obs_core
import obs_flask
import pytest
from flask import Flask
from obs_core.testing import metric_value
from opentelemetry import trace
from prometheus_client import CollectorRegistry

from tests.core.otlp_receivers import GrpcReceiver


@pytest.fixture
def receiver() -> Iterator[GrpcReceiver]:
    rec = GrpcReceiver().start()
    yield rec
    obs_core.init_tracing(traces_exporter="none")  # leave no exporter aimed at a stopped port
    rec.stop()


def test_legacy_metrics_middleware_and_init_tracing(
    registry: CollectorRegistry, receiver: GrpcReceiver
) -> None:
    app = Flask("legacy-erp")

    @app.get("/api/loans/<int:loan_id>")
    @obs_flask.track_function_metrics("loan_lookup")
    def loan(loan_id: int) -> dict[str, int]:
        with obs_flask.get_tracer(__name__).start_as_current_span("load_loan"):
            obs_flask.add_span_attributes(loan_id=loan_id)
        obs_flask.get_logger(__name__).info("Loan read", loan_id=loan_id)
        return {"id": loan_id}

    obs_flask.MetricsMiddleware(app, log_stdout=False)
    obs_flask.init_tracing(app, otlp_endpoint=receiver.endpoint, service_name="legacy-erp")
    assert app.test_client().get("/api/loans/3").status_code == 200

    labels = {"method": "GET", "endpoint": "/api/loans/<int:loan_id>", "status": "200"}
    assert metric_value(registry, "http_requests_total", labels) == 1
    assert metric_value(registry, "loan_lookup_calls_total") == 1
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    spans = {s.name: s for s in receiver.wait_for_spans(2)}
    server, child = spans["GET /api/loans/<int:loan_id>"], spans["load_loan"]
    assert child.parent_span_id == server.span_id
    assert child.attributes["loan_id"] == 3
    assert server.resource["service.name"] == "legacy-erp"


def test_public_api_is_importable_from_obs_flask() -> None:
    for name in (
        "Observability",
        "MetricsMiddleware",
        "init_tracing",
        "track_function_metrics",
        "get_tracer",
        "add_span_attributes",
        "get_logger",
    ):
        assert name in obs_flask.__all__ and callable(getattr(obs_flask, name))
