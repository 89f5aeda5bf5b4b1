"""The file exporter's OTLP/JSON lines: the same requests protobuf's encoder builds, cheaper.

Run as a script (``uv run python -m tests.core.test_otlp_json``) to print µs per span of
the old protobuf path and the direct encoder.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from typing import Any

import orjson
from google.protobuf.json_format import MessageToDict, Parse
from obs_core.traces import OTLPJsonFileSpanExporter, otlp_json_line
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    TraceState,
)

_IDS = {"traceId", "spanId", "parentSpanId"}


def _reference_line(spans: Sequence[ReadableSpan]) -> bytes:
    """The encoder obs used before: protobuf messages, MessageToDict, base64 ids to hex."""
    request = MessageToDict(encode_spans(spans), use_integers_for_enums=True)
    for resource_spans in request.get("resourceSpans", ()):
        for scope_spans in resource_spans.get("scopeSpans", ()):
            for span in scope_spans.get("spans", ()):
                for node in (span, *span.get("links", ())):
                    for key in _IDS & node.keys():
                        node[key] = base64.b64decode(node[key]).hex()
    return orjson.dumps(request, option=orjson.OPT_APPEND_NEWLINE)


def _as_protobuf(line: bytes) -> ExportTraceServiceRequest:
    """Read a line as a collector would: hex ids back to bytes, then protobuf's JSON parser."""

    def base64_ids(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: base64.b64encode(bytes.fromhex(v)).decode() if k in _IDS else base64_ids(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [base64_ids(item) for item in node]
        return node

    return Parse(json.dumps(base64_ids(json.loads(line))), ExportTraceServiceRequest())


def _provider(resource: Resource, limits: SpanLimits | None = None) -> tuple[Any, Any]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=resource, span_limits=limits)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def _varied_spans() -> list[ReadableSpan]:
    """Two services (one with a schema URL and tight limits), several scopes, every kind."""
    shop, shop_spans = _provider(Resource.create({"service.name": "shop", "replicas": 3}))
    billing, billing_spans = _provider(
        Resource({"service.name": "billing"}, schema_url="https://opentelemetry.io/schemas/1.21"),
        SpanLimits(max_attributes=2, max_events=1, max_links=1, max_event_attributes=1),
    )
    audit, audit_spans = _provider(
        Resource({"service.name": "audit"}),
        SpanLimits(max_attributes=0, max_events=0, max_links=0),
    )
    web = shop.get_tracer("shop.web", "1.2.0")
    db = shop.get_tracer(
        "shop.db", schema_url="https://opentelemetry.io/schemas/1.24", attributes={"pool": "a"}
    )
    anonymous = shop.get_tracer("")
    payments = billing.get_tracer("billing.payments", "0.1")

    remote_parent = SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C,
        span_id=0x00F067AA0BA902B7,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
        trace_state=TraceState([("vendor", "a1b2"), ("other", "x")]),
    )
    incoming = trace.set_span_in_context(NonRecordingSpan(remote_parent))
    with web.start_as_current_span("GET /orders/{id}", context=incoming, kind=SpanKind.SERVER) as s:
        s.set_attributes(
            {
                "http.route": "/orders/{id}",
                "http.status_code": 500,
                "retry": False,
                "ratio": 0.25,
                "whole": 2.0,
                "nan": math.nan,
                "inf": math.inf,
                "minus.inf": -math.inf,
                "negative": -(2**63),
                "empty": "",
                "tags": ["a", "b"],
                "codes": [1, 2, 3],
                "weights": [0.5, 1.5],
                "flags": [True, False],
                "nothing": [],
                "too.big": 2**64,  # no 64-bit integer holds it: dropped by both encoders
            }
        )
        s.add_event("cache.miss", {"key": "order:7", "size": 12})
        s.add_event("retrying")
        s.set_status(Status(StatusCode.ERROR, "database unavailable"))
        with db.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT) as query:
            query.set_attribute("db.system", "postgresql")
        with anonymous.start_as_current_span("unnamed scope"):
            pass
        s.record_exception(ValueError("boom"))
    first = web.start_span("first-attempt", kind=SpanKind.PRODUCER)
    first.end()
    link_to_remote = Link(remote_parent, {"reason": "batch", "count": 2})
    link_local = Link(first.get_span_context())
    with web.start_as_current_span(
        "consume", kind=SpanKind.CONSUMER, links=[link_local, link_to_remote]
    ) as consume:
        consume.set_status(Status(StatusCode.OK))
    with payments.start_as_current_span("charge", links=[link_local, link_to_remote]) as charge:
        charge.set_attributes({"amount": 1999, "currency": "KES", "card": "visa"})  # one dropped
        charge.add_event("authorised", {"code": "A1", "ms": 3})  # one attribute dropped
        charge.add_event("captured")  # dropped: one event allowed
        charge.set_status(Status(StatusCode.ERROR))  # error without a message
    web.start_span("").end()  # a span without a name
    with audit.get_tracer("audit").start_as_current_span("audited", links=[link_local]) as audited:
        audited.set_attribute("user", "ann")  # all three dropped: the limits are zero
        audited.add_event("seen")
    shop_list = list(shop_spans.get_finished_spans())
    billing_list = list(billing_spans.get_finished_spans())
    # interleaved, so grouping by resource and scope is exercised
    audit_list = list(audit_spans.get_finished_spans())
    return [
        shop_list[0],
        billing_list[0],
        *shop_list[1:3],
        *audit_list,
        *billing_list[1:],
        *shop_list[3:],
    ]


def test_lines_parse_into_the_request_protobuf_would_send() -> None:
    spans = _varied_spans()
    line = otlp_json_line(spans)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert _as_protobuf(line) == encode_spans(spans)


def test_lines_hold_the_same_json_as_the_protobuf_conversion() -> None:
    spans = _varied_spans()
    assert json.loads(otlp_json_line(spans)) == json.loads(_reference_line(spans))


def test_every_span_subset_encodes_like_protobuf() -> None:
    spans = _varied_spans()
    for index in range(len(spans)):
        batch = spans[index:] + spans[:index]
        assert _as_protobuf(otlp_json_line(batch)) == encode_spans(batch)
        assert _as_protobuf(otlp_json_line(batch[:1])) == encode_spans(batch[:1])


def test_span_fields_use_otlp_json_conventions() -> None:
    spans = _varied_spans()
    request = json.loads(otlp_json_line(spans))
    by_name = {
        span["name"]: span
        for resource_spans in request["resourceSpans"]
        for scope_spans in resource_spans["scopeSpans"]
        for span in scope_spans["spans"]
        if "name" in span
    }
    server = by_name["GET /orders/{id}"]
    assert server["kind"] == 2  # SPAN_KIND_SERVER
    assert server["traceId"] == "0af7651916cd43dd8448eb211c80319c"
    assert server["parentSpanId"] == "00f067aa0ba902b7"
    assert server["traceState"] == "vendor=a1b2,other=x"
    assert server["flags"] == 0x300  # the parent is known to be remote
    assert server["status"] == {"code": 2, "message": "database unavailable"}
    assert server["startTimeUnixNano"].isdigit()
    values = {a["key"]: a["value"] for a in server["attributes"]}
    assert values["http.status_code"] == {"intValue": "500"}
    assert values["nan"] == {"doubleValue": "NaN"}
    assert values["codes"] == {"arrayValue": {"values": [{"intValue": str(i)} for i in (1, 2, 3)]}}
    assert "too.big" not in values
    assert [kind for kind in (by_name[n]["kind"] for n in ("first-attempt", "consume"))] == [4, 5]
    assert by_name["charge"]["droppedAttributesCount"] == 1
    assert by_name["charge"]["droppedEventsCount"] == 1
    assert by_name["charge"]["droppedLinksCount"] == 1
    assert by_name["SELECT orders"]["kind"] == 3 and by_name["unnamed scope"]["kind"] == 1
    assert [link["flags"] for link in by_name["consume"]["links"]] == [0x100, 0x300]
    audited = by_name["audited"]
    assert "attributes" not in audited and "events" not in audited and "links" not in audited
    assert audited["droppedAttributesCount"] == 1
    assert (audited["droppedEventsCount"], audited["droppedLinksCount"]) == (1, 1)


def test_exporter_writes_one_line_per_batch_a_collector_can_read(tmp_path: Any) -> None:
    spans = _varied_spans()
    exporter = OTLPJsonFileSpanExporter(tmp_path / "traces.jsonl")
    exporter.export(spans[:3])
    exporter.export(spans[3:])
    exporter.shutdown()
    lines = (tmp_path / "traces.jsonl").read_bytes().splitlines(keepends=True)
    assert [_as_protobuf(line) for line in lines] == [
        encode_spans(spans[:3]),
        encode_spans(spans[3:]),
    ]


def _typical_batch(size: int) -> list[ReadableSpan]:
    """Request-shaped spans: a server span with HTTP attributes and a database child."""
    provider, exporter = _provider(Resource.create({"service.name": "shop"}))
    tracer = provider.get_tracer("obs_flask", "1.0")
    for i in range(size // 2):
        with tracer.start_as_current_span("GET /orders/{id}", kind=SpanKind.SERVER) as span:
            span.set_attributes(
                {
                    "http.request.method": "GET",
                    "http.route": "/orders/{id}",
                    "url.path": f"/orders/{i}",
                    "http.response.status_code": 200,
                    "server.address": "127.0.0.1",
                    "user_agent.original": "bench/1.0",
                }
            )
            with tracer.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT) as child:
                child.set_attributes({"db.system": "sqlite", "db.statement": "SELECT 1"})
    return list(exporter.get_finished_spans())
