"""RED metrics per route template, /metrics, auth, exemplars and bounded cardinality."""

from __future__ import annotations

import base64
import random
import string

from flask import Flask
from obs_core.testing import capture_logs, capture_spans, metric_value
from obs_flask import UNMATCHED, Observability
from prometheus_client import CollectorRegistry

from tests.flask.conftest import AppFactory

ORDER = "/api/orders/<int:order_id>"


def requests_total(registry: CollectorRegistry, method: str, endpoint: str, status: str) -> float:
    labels = {"method": method, "endpoint": endpoint, "status": status}
    return metric_value(registry, "http_requests_total", labels)


def series_count(registry: CollectorRegistry) -> int:
    return sum(len(family.samples) for family in registry.collect())


def test_requests_are_counted_and_timed_by_route_template(
    make_app: AppFactory, registry: CollectorRegistry
) -> None:
    client = make_app().test_client()
    for order_id in (5, 5, 7):
        assert client.get(f"/api/orders/{order_id}").status_code == 200
    labels = {"method": "GET", "endpoint": ORDER}
    assert metric_value(registry, "http_requests_total", {**labels, "status": "200"}) == 3
    assert metric_value(registry, "http_request_duration_seconds_count", labels) == 3
    assert metric_value(registry, "http_request_duration_seconds_sum", labels) > 0
    assert metric_value(registry, "http_requests_in_progress", labels) == 0
    body = client.get("/metrics").get_data(as_text=True)
    assert "/api/orders/5" not in body and "/api/orders/7" not in body


def test_a_raising_view_counts_as_500_and_as_its_exception_type(
    make_app: AppFactory, registry: CollectorRegistry
) -> None:
    client = make_app().test_client()
    assert client.post("/api/orders/3/pay").status_code == 500
    endpoint = "/api/orders/<int:order_id>/pay"
    assert requests_total(registry, "POST", endpoint, "500") == 1
    exc_labels = {"method": "POST", "endpoint": endpoint, "exception_type": "OrderNotPayable"}
    assert metric_value(registry, "http_requests_exceptions_total", exc_labels) == 1
    assert client.get("/api/teapot").status_code == 418
    assert requests_total(registry, "GET", "/api/teapot", "418") == 1


def test_ten_thousand_random_404_paths_add_no_series(
    make_app: AppFactory, registry: CollectorRegistry
) -> None:
    client = make_app().test_client()
    assert client.get("/warm-up/404").status_code == 404
    before = series_count(registry)
    rng = random.Random(1)
    for _ in range(10_000):
        path = "/" + "".join(rng.choices(string.ascii_lowercase + "/", k=12))
        client.get(path)
    assert series_count(registry) == before
    assert requests_total(registry, "GET", UNMATCHED, "404") >= 10_000


def test_unknown_methods_share_one_label(make_app: AppFactory, registry: CollectorRegistry) -> None:
    client = make_app().test_client()
    client.open("/api/orders/1", method="BREW")
    client.open("/api/orders/1", method="FROB")
    assert requests_total(registry, "_OTHER", UNMATCHED, "405") == 2


def test_metrics_and_health_are_excluded_by_default_and_configurable(
    make_app: AppFactory, registry: CollectorRegistry
) -> None:
    client = make_app().test_client()
    client.get("/health")
    client.get("/metrics")
    exposition = client.get("/metrics").get_data(as_text=True)
    assert 'endpoint="/health"' not in exposition
    assert 'endpoint="/metrics"' not in exposition
    counted = make_app(http_exclude_paths=["/metrics"]).test_client()
    counted.get("/health")
    assert requests_total(registry, "GET", "/health", "200") == 1


def test_metrics_endpoint_serves_openmetrics_with_trace_exemplars(
    make_app: AppFactory, registry: CollectorRegistry
) -> None:
    client = make_app().test_client()
    with capture_spans() as spans:
        client.get("/api/orders/9")
    trace_id = format(spans[-1].context.trace_id, "032x")
    om = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert om.content_type.startswith("application/openmetrics-text")
    body = om.get_data(as_text=True)
    assert f'# {{trace_id="{trace_id}"}}' in body
    text = client.get("/metrics")
    assert text.content_type.startswith("text/plain")
    assert "trace_id" not in text.get_data(as_text=True)


def test_metrics_behind_a_bearer_token(make_app: AppFactory) -> None:
    client = make_app(metrics_bearer_token="s3cret").test_client()
    denied = client.get("/metrics")
    assert denied.status_code == 401
    assert denied.get_data() == b""
    assert denied.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and b"http_requests_total" in ok.get_data()


def test_metrics_behind_basic_auth(make_app: AppFactory) -> None:
    client = make_app(metrics_basic_auth="prom:pa55").test_client()
    assert client.get("/metrics").status_code == 401
    good = base64.b64encode(b"prom:pa55").decode()
    assert client.get("/metrics", headers={"Authorization": f"Basic {good}"}).status_code == 200


def test_app_factory_init_app_and_flask_config(registry: CollectorRegistry) -> None:
    obs = Observability(traces_exporter="none", log_stdout=False)
    app = Flask("factory")
    app.config["OBS_METRICS_PATH"] = "/internal/metrics"
    app.get("/ping")(lambda: "pong")
    obs.init_app(app)
    client = app.test_client()
    client.get("/ping")
    assert client.get("/internal/metrics").status_code == 200
    assert obs.config is not None and obs.config.service_name == "factory"
    assert requests_total(registry, "GET", "/ping", "200") == 1


def test_instrumenting_twice_counts_each_request_once(
    make_app: AppFactory, registry: CollectorRegistry
) -> None:
    app = make_app()
    Observability(app)
    Observability().init_app(app)
    with capture_spans() as spans:
        app.test_client().get("/api/orders/1")
    assert requests_total(registry, "GET", ORDER, "200") == 1
    assert [s.name for s in spans] == [f"GET {ORDER}"]


def test_opentelemetry_flask_instrumentor_on_top_adds_no_second_span(
    make_app: AppFactory, registry: CollectorRegistry
) -> None:
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    app = make_app()
    FlaskInstrumentor().instrument_app(app)
    with capture_spans() as spans:
        app.test_client().get("/api/orders/2")
    assert len([s for s in spans if s.kind.name == "SERVER"]) == 1
    assert requests_total(registry, "GET", ORDER, "200") == 1


def test_opentelemetry_instrumentation_as_the_span_source(registry: CollectorRegistry) -> None:
    app = Flask("otel-source")
    app.get("/items/<int:item_id>")(lambda item_id: {"id": item_id})
    Observability(app, instrumentation="opentelemetry", traces_exporter="none", log_stdout=False)
    with capture_spans() as spans, capture_logs() as logs:
        app.test_client().get("/items/4")
    (server,) = [s for s in spans if s.kind.name == "SERVER"]
    assert server.attributes is not None
    assert server.attributes.get("http.route") == "/items/<int:item_id>"
    labels = {"method": "GET", "endpoint": "/items/<int:item_id>"}
    assert metric_value(registry, "http_requests_total", {**labels, "status": "200"}) == 1
    # the access line and the exemplar still carry that span's trace id
    trace_id = format(server.context.trace_id, "032x")
    (access,) = [r for r in logs if r["logger"] == "obs.access"]
    assert access["trace_id"] == trace_id
    scrape = app.test_client().get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert f'trace_id="{trace_id}"' in scrape.get_data(as_text=True)


def test_each_new_registry_gets_its_own_series() -> None:
    """Registries come and go in test suites; a new one must never inherit a dead one's."""
    import gc

    from obs_core.testing import isolated_registry

    from tests.flask.conftest import build_app

    for _ in range(20):
        with isolated_registry() as reg:
            build_app().test_client().get("/api/orders/1")
            labels = {"method": "GET", "endpoint": ORDER, "status": "200"}
            assert metric_value(reg, "http_requests_total", labels) == 1
        del reg
        gc.collect()
