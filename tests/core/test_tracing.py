"""Tracing in one process: the local file default, real OTLP receivers, re-init, hooks."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import ParseDict
from obs_core import (
    PluginWarning,
    add_span_attributes,
    add_span_event,
    get_tracer,
    hookimpl,
    init_tracing,
    shutdown_tracing,
)
from obs_core.testing import capture_spans, registered_plugin
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from tests.core.otlp_receivers import GrpcReceiver, HttpReceiver, closed_port

pytestmark = pytest.mark.usefixtures("tracing")


def _checkout_trace(name: str = "checkout") -> None:
    tracer = get_tracer("shop")
    with tracer.start_as_current_span(name):
        add_span_attributes(order_id=42, currency="KES")
        add_span_event("payment.authorised", amount=1999)
        with tracer.start_as_current_span("charge-card"):
            pass


def _by_name(spans: Sequence[Any]) -> dict[str, Any]:
    return {span.name: span for span in spans}


def _hex_to_base64(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: base64.b64encode(bytes.fromhex(v)).decode()
            if k in {"traceId", "spanId", "parentSpanId"}
            else _hex_to_base64(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_hex_to_base64(item) for item in node]
    return node


def test_default_writes_otlp_json_lines_to_a_local_file(tracing: Path) -> None:
    init_tracing(service_name="loans", environment="test")
    _checkout_trace()
    with get_tracer("shop").start_as_current_span("first-attempt") as first:
        pass
    retry_link = trace.Link(first.get_span_context())
    with get_tracer("shop").start_as_current_span("retry", links=[retry_link]):
        pass
    shutdown_tracing()

    lines = (tracing / ".obs" / "traces.jsonl").read_text().splitlines()
    assert len(lines) >= 1
    spans = []
    for line in lines:
        data = json.loads(line)
        resource = {
            a["key"]: a["value"]["stringValue"]
            for a in data["resourceSpans"][0]["resource"]["attributes"]
        }
        assert resource["service.name"] == "loans"
        assert resource["deployment.environment"] == "test"
        for rs in data["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                spans.extend(ss["spans"])
        # each line is a real ExportTraceServiceRequest in the OTLP/JSON encoding
        ParseDict(_hex_to_base64(data), ExportTraceServiceRequest())
    by_name = {span["name"]: span for span in spans}
    link = by_name["retry"]["links"][0]
    assert (link["traceId"], link["spanId"]) == (
        by_name["first-attempt"]["traceId"],
        by_name["first-attempt"]["spanId"],
    )
    parent, child = by_name["checkout"], by_name["charge-card"]
    assert len(parent["traceId"]) == 32 and int(parent["traceId"], 16)
    assert len(parent["spanId"]) == 16 and int(parent["spanId"], 16)
    assert child["parentSpanId"] == parent["spanId"]
    assert child["traceId"] == parent["traceId"]
    assert "parentSpanId" not in parent
    assert parent["startTimeUnixNano"].isdigit()
    assert int(parent["endTimeUnixNano"]) >= int(parent["startTimeUnixNano"])
    attributes = {a["key"]: a["value"] for a in parent["attributes"]}
    assert attributes["order_id"] == {"intValue": "42"}
    assert attributes["currency"] == {"stringValue": "KES"}
    assert parent["events"][0]["name"] == "payment.authorised"
    assert parent["kind"] == 1  # SPAN_KIND_INTERNAL, as an integer


def test_traces_file_setting_creates_its_folders(tracing: Path) -> None:
    init_tracing(traces_file="var/obs/deep/spans.jsonl")
    _checkout_trace()
    shutdown_tracing()
    text = (tracing / "var" / "obs" / "deep" / "spans.jsonl").read_text()
    assert '"name":"charge-card"' in text
    assert not (tracing / ".obs").exists()


def test_grpc_receiver_gets_parent_ids_service_name_and_resource(
    grpc_receiver: GrpcReceiver,
) -> None:
    init_tracing(
        otlp_endpoint=grpc_receiver.endpoint,
        service_name="payments",
        service_version="1.4.0",
        environment="staging",
        resource_attributes={"team": "lending"},
    )
    _checkout_trace()
    shutdown_tracing()

    spans = _by_name(grpc_receiver.wait_for_spans(2))
    parent, child = spans["checkout"], spans["charge-card"]
    assert child.parent_span_id == parent.span_id
    assert child.trace_id == parent.trace_id
    assert parent.parent_span_id == ""
    assert parent.attributes == {"order_id": 42, "currency": "KES"}
    assert parent.scope == "shop"
    resource = parent.resource
    assert resource["service.name"] == "payments"
    assert resource["service.version"] == "1.4.0"
    assert resource["deployment.environment"] == "staging"
    assert resource["team"] == "lending"
    assert resource["telemetry.sdk.language"] == "python"


def test_installed_plugin_resource_attribute_reaches_the_receiver(
    grpc_receiver: GrpcReceiver,
) -> None:
    init_tracing(otlp_endpoint=grpc_receiver.endpoint, service_name="payments")
    _checkout_trace()
    shutdown_tracing()
    span = grpc_receiver.wait_for_spans(2)[0]
    assert span.resource["obs.test_plugin"] == "obs-test-sink"


def test_config_resource_wins_over_plugin_resource(grpc_receiver: GrpcReceiver) -> None:
    init_tracing(
        otlp_endpoint=grpc_receiver.endpoint,
        resource_attributes={"obs.test_plugin": "overridden-by-config"},
    )
    _checkout_trace()
    shutdown_tracing()
    span = grpc_receiver.wait_for_spans(2)[0]
    assert span.resource["obs.test_plugin"] == "overridden-by-config"


def test_http_base_endpoint_gets_v1_traces_appended(http_receiver: HttpReceiver) -> None:
    init_tracing(
        otlp_endpoint=http_receiver.endpoint + "/",
        otlp_protocol="http/protobuf",
        service_name="payments",
    )
    _checkout_trace()
    shutdown_tracing()
    spans = _by_name(http_receiver.wait_for_spans(2))
    assert spans["charge-card"].parent_span_id == spans["checkout"].span_id
    assert spans["checkout"].resource["service.name"] == "payments"
    assert set(http_receiver.paths) == {"/v1/traces"}


def test_per_signal_endpoint_wins_and_is_used_as_given(http_receiver: HttpReceiver) -> None:
    init_tracing(
        traces_exporter="otlp_proto_http",
        otlp_endpoint=closed_port(),
        otlp_traces_endpoint=http_receiver.endpoint + "/collector/spans",
    )
    _checkout_trace()
    shutdown_tracing()
    assert len(http_receiver.wait_for_spans(2)) == 2
    assert set(http_receiver.paths) == {"/collector/spans"}


def test_standard_environment_variables_select_http_protobuf(
    http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", http_receiver.endpoint)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-env")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "region=eu%2Dwest,team=loans")
    init_tracing()
    _checkout_trace()
    shutdown_tracing()
    span = http_receiver.wait_for_spans(2)[0]
    assert span.resource["service.name"] == "from-env"
    assert span.resource["region"] == "eu-west"
    assert span.resource["team"] == "loans"


def test_named_otlp_exporter_overrides_the_protocol_setting(
    grpc_receiver: GrpcReceiver, http_receiver: HttpReceiver
) -> None:
    init_tracing(
        traces_exporter="otlp_proto_grpc",
        otlp_protocol="http/protobuf",
        otlp_endpoint=grpc_receiver.endpoint,
    )
    _checkout_trace("grpc-only")
    shutdown_tracing()
    assert {s.name for s in grpc_receiver.wait_for_spans(2)} == {"grpc-only", "charge-card"}
    assert http_receiver.spans == []


def test_init_twice_with_the_same_config_does_not_duplicate_exports(
    grpc_receiver: GrpcReceiver, tracing: Path
) -> None:
    settings = {"traces_exporter": "otlp,file", "otlp_endpoint": grpc_receiver.endpoint}
    first = init_tracing(**settings)
    second = init_tracing(**settings)
    assert first is second is trace.get_tracer_provider()
    _checkout_trace()
    shutdown_tracing()
    names = [s.name for s in grpc_receiver.wait_for_spans(2)]
    assert sorted(names) == ["charge-card", "checkout"]
    text = (tracing / ".obs" / "traces.jsonl").read_text()
    assert text.count('"name":"checkout"') == 1


def test_init_again_with_another_config_replaces_the_exporters(
    grpc_receiver: GrpcReceiver, http_receiver: HttpReceiver
) -> None:
    init_tracing(otlp_endpoint=grpc_receiver.endpoint, service_name="before")
    tracer = get_tracer("shop")
    with tracer.start_as_current_span("first"):
        pass
    init_tracing(
        otlp_endpoint=http_receiver.endpoint, otlp_protocol="http/protobuf", service_name="after"
    )
    with tracer.start_as_current_span("second"):  # a tracer handed out before re-init
        pass
    shutdown_tracing()
    assert [(s.name, s.resource["service.name"]) for s in grpc_receiver.wait_for_spans(1)] == [
        ("first", "before")
    ]
    assert [(s.name, s.resource["service.name"]) for s in http_receiver.wait_for_spans(1)] == [
        ("second", "after")
    ]


def test_traces_exporter_none_still_creates_recording_spans(tracing: Path) -> None:
    init_tracing(traces_exporter="none")
    with get_tracer("shop").start_as_current_span("kept-local") as span:
        assert span.is_recording()
        assert span.get_span_context().trace_id != 0
    shutdown_tracing()
    assert not (tracing / ".obs").exists()


@pytest.mark.parametrize(
    ("sampler", "arg", "sampled"),
    [
        ("always_off", None, False),
        ("traceidratio", 0.0, False),
        ("parentbased_traceidratio", 1.0, True),
        ("always_on", None, True),
    ],
)
def test_sampler_setting(sampler: str, arg: float | None, sampled: bool) -> None:
    init_tracing(traces_exporter="none", sampler=sampler, sampler_arg=arg)
    with capture_spans() as spans, get_tracer("shop").start_as_current_span("maybe") as span:
        assert span.get_span_context().trace_flags.sampled is sampled
    assert [s.name for s in spans] == (["maybe"] if sampled else [])


def test_capture_spans_collects_only_spans_ended_inside_the_block() -> None:
    init_tracing(traces_exporter="none")
    tracer = get_tracer("shop")
    with tracer.start_as_current_span("before"):
        pass
    with capture_spans() as spans:
        _checkout_trace()
        assert [s.name for s in spans] == ["charge-card", "checkout"]
    with tracer.start_as_current_span("after"):
        pass
    assert [s.name for s in spans] == ["charge-card", "checkout"]
    assert spans[1].attributes == {"order_id": 42, "currency": "KES"}
    assert spans[1].events[0].name == "payment.authorised"


def test_span_helpers_do_nothing_outside_a_span() -> None:
    add_span_attributes(order_id=1)
    add_span_event("nothing-to-attach-to")


class _Collect(SpanExporter):
    """Collects spans; like the SDK's exporters, refuses them once shut down."""

    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []
        self.stopped = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.stopped:
            return SpanExportResult.FAILURE
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.stopped = True


class _TagTenant(SpanProcessor):
    def on_start(self, span: Span, parent_context: object = None) -> None:
        span.set_attribute("tenant", "acme")


def test_plugin_exporters_processors_and_sampler_are_used() -> None:
    collected = _Collect()

    class Plugin:
        @hookimpl
        def obs_span_exporters(self) -> list[SpanExporter]:
            return [collected]

        @hookimpl
        def obs_span_processors(self) -> list[SpanProcessor]:
            return [_TagTenant()]

    with registered_plugin(Plugin()):
        init_tracing(traces_exporter="none")
        _checkout_trace()
        shutdown_tracing()
    assert {s.name for s in collected.spans} == {"checkout", "charge-card"}
    assert all(s.attributes and s.attributes["tenant"] == "acme" for s in collected.spans)

    class Sampler:
        @hookimpl
        def obs_sampler(self) -> object:
            return ALWAYS_OFF

    with registered_plugin(Sampler()):
        init_tracing(traces_exporter="none", sampler="always_on")
        with get_tracer("shop").start_as_current_span("dropped") as span:
            assert not span.get_span_context().trace_flags.sampled


def test_get_tracer_is_cached_and_cheap() -> None:
    init_tracing(traces_exporter="none")
    assert get_tracer("shop") is get_tracer("shop")


def test_a_plugin_exporter_handed_back_on_re_init_keeps_exporting() -> None:
    collected = _Collect()

    class Plugin:
        @hookimpl
        def obs_span_exporters(self) -> list[SpanExporter]:
            return [collected]  # the same instance every time

    with registered_plugin(Plugin()):
        init_tracing(traces_exporter="none", service_name="first")
        init_tracing(traces_exporter="none", service_name="second")
        with get_tracer("shop").start_as_current_span("after-re-init"):
            pass
        shutdown_tracing()
    assert [s.name for s in collected.spans] == ["after-re-init"]
    assert collected.spans[0].resource.attributes["service.name"] == "second"


def test_unwritable_traces_file_is_reported_once_and_never_raised(
    tracing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tracing / "blocker").write_text("a file where a folder should be")
    init_tracing(traces_file="blocker/traces.jsonl")
    for _ in range(3):
        _checkout_trace()
        trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    shutdown_tracing()
    failures = [r for r in caplog.records if "could not write spans" in r.getMessage()]
    assert len(failures) == 1
    assert "blocker/traces.jsonl" in failures[0].getMessage()


def test_plugin_answers_of_the_wrong_type_are_skipped_with_a_warning() -> None:
    class Confused:
        @hookimpl
        def obs_sampler(self) -> object:
            return "always_on"

        @hookimpl
        def obs_resource_attributes(self) -> object:
            return ["team", "loans"]

        @hookimpl
        def obs_span_exporters(self) -> object:
            return ["stdout"]

    with registered_plugin(Confused()), pytest.warns(PluginWarning) as caught:
        init_tracing(traces_exporter="none")
    messages = " ".join(str(w.message) for w in caught)
    for hook in ("obs_sampler", "obs_resource_attributes", "obs_span_exporters"):
        assert hook in messages
    with capture_spans() as spans, get_tracer("shop").start_as_current_span("still-works"):
        pass
    assert [s.name for s in spans] == ["still-works"]


def test_same_config_with_a_newly_registered_plugin_rebuilds() -> None:
    init_tracing(traces_exporter="none")
    collected = _Collect()

    class Late:
        @hookimpl
        def obs_span_exporters(self) -> list[SpanExporter]:
            return [collected]

    with registered_plugin(Late()):
        init_tracing(traces_exporter="none")
        with get_tracer("shop").start_as_current_span("seen-by-late-plugin"):
            pass
        shutdown_tracing()
    assert [s.name for s in collected.spans] == ["seen-by-late-plugin"]
