"""Server spans: names, semantic-convention attributes, errors and W3C propagation."""

from __future__ import annotations

from obs_core.testing import capture_spans
from opentelemetry.trace import SpanKind, StatusCode

from tests.flask.conftest import AppFactory

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def test_one_server_span_per_request_named_by_route_template(make_app: AppFactory) -> None:
    client = make_app().test_client()
    with capture_spans() as spans:
        response = client.get("/api/orders/42?expand=1", headers={"User-Agent": "pytest-agent"})
    assert response.status_code == 200
    (span,) = [s for s in spans if s.kind == SpanKind.SERVER]
    assert span.name == "GET /api/orders/<int:order_id>"
    attrs = dict(span.attributes or {})
    assert attrs["http.request.method"] == "GET"
    assert attrs["http.route"] == "/api/orders/<int:order_id>"
    assert attrs["url.path"] == "/api/orders/42"
    assert attrs["http.response.status_code"] == 200
    assert attrs["user_agent.original"] == "pytest-agent"
    assert attrs["order_id"] == 42  # add_span_attributes inside the view lands on it
    assert span.status.status_code != StatusCode.ERROR


def test_a_raising_view_marks_the_span_as_error_with_the_exception(make_app: AppFactory) -> None:
    client = make_app().test_client()
    with capture_spans() as spans:
        client.post("/api/orders/1/pay")
    (span,) = spans
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes is not None and span.attributes["http.response.status_code"] == 500
    assert span.attributes["error.type"] == "OrderNotPayable"
    (event,) = [e for e in span.events if e.name == "exception"]
    assert event.attributes is not None and event.attributes["exception.type"].endswith(
        "OrderNotPayable"
    )


def test_incoming_traceparent_continues_the_callers_trace(make_app: AppFactory) -> None:
    client = make_app().test_client()
    with capture_spans() as spans:
        client.get("/api/orders/1", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    (span,) = spans
    assert format(span.context.trace_id, "032x") == CALLER_TRACE
    assert span.parent is not None and format(span.parent.span_id, "016x") == CALLER_SPAN
    assert span.parent.is_remote


def test_malformed_traceparent_starts_a_new_trace_and_never_errors(make_app: AppFactory) -> None:
    client = make_app().test_client()
    for bad in ("garbage", "00-xyz-abc-01", f"00-{'0' * 32}-{CALLER_SPAN}-01", ""):
        with capture_spans() as spans:
            assert client.get("/api/orders/1", headers={"traceparent": bad}).status_code == 200
        (span,) = spans
        assert span.parent is None
        assert format(span.context.trace_id, "032x") != CALLER_TRACE


def test_unmatched_requests_get_a_span_without_the_raw_path_as_name(make_app: AppFactory) -> None:
    client = make_app().test_client()
    with capture_spans() as spans:
        client.get("/no/such/page/123")
    (span,) = spans
    assert span.name == "GET"
    assert span.attributes is not None and span.attributes["http.response.status_code"] == 404


def test_excluded_paths_make_no_span(make_app: AppFactory) -> None:
    client = make_app().test_client()
    with capture_spans() as spans:
        client.get("/health")
        client.get("/metrics")
    assert spans == []
