"""Sampling: unsampled spans still carry W3C context; decisions are the samplers' own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from obs_core import get_tracer, hookimpl, init_tracing
from obs_core.testing import capture_spans, registered_plugin
from opentelemetry import context, propagate, trace
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import SpanKind

pytestmark = pytest.mark.usefixtures("tracing")

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def _incoming(flags: str) -> context.Context:
    carrier = {"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-{flags}", "tracestate": "k=v"}
    return propagate.extract(carrier)


def test_every_root_decision_is_the_ratio_samplers_own_for_that_trace_id() -> None:
    init_tracing(traces_exporter="none", sampler="parentbased_traceidratio", sampler_arg=0.5)
    reference = TraceIdRatioBased(0.5)
    tracer = get_tracer("shop")
    decisions = []
    with capture_spans() as exported:
        for _ in range(2000):
            span = tracer.start_span("request", kind=SpanKind.SERVER)
            span_context = span.get_span_context()
            assert span_context.is_valid and not span_context.is_remote
            expected = reference.should_sample(None, span_context.trace_id, "request")
            assert span.is_recording() is expected.decision.is_sampled()
            assert span_context.trace_flags.sampled is span.is_recording()
            decisions.append(span.is_recording())
            span.end()
    assert 700 < sum(decisions) < 1300  # half, give or take 13 standard deviations
    assert len(exported) == sum(decisions)
    assert len({s.context.trace_id for s in exported}) == len(exported)


def test_an_unsampled_request_is_the_current_span_and_propagates_its_trace() -> None:
    init_tracing(traces_exporter="none", sampler="traceidratio", sampler_arg=0.0)
    tracer = get_tracer("shop")
    with capture_spans() as exported, tracer.start_as_current_span("request") as span:
        current = trace.get_current_span().get_span_context()
        outgoing: dict[str, str] = {}
        propagate.inject(outgoing)
    assert exported == []
    assert current == span.get_span_context() and current.is_valid
    assert not current.trace_flags.sampled
    trace_id, span_id = f"{current.trace_id:032x}", f"{current.span_id:016x}"
    assert outgoing["traceparent"] in (f"00-{trace_id}-{span_id}-00", f"00-{trace_id}-{span_id}-02")


def test_an_unsampled_caller_is_followed_and_its_trace_id_passed_on() -> None:
    init_tracing(traces_exporter="none", sampler="parentbased_traceidratio", sampler_arg=1.0)
    with capture_spans() as exported:
        span = get_tracer("api").start_span("request", context=_incoming("00"))
        token = context.attach(trace.set_span_in_context(span))
        outgoing: dict[str, str] = {}
        propagate.inject(outgoing)
        context.detach(token)
        span.end()
    assert exported == []
    span_context = span.get_span_context()
    assert f"{span_context.trace_id:032x}" == CALLER_TRACE
    assert f"{span_context.span_id:016x}" != CALLER_SPAN
    assert outgoing["traceparent"].startswith(f"00-{CALLER_TRACE}-")
    assert outgoing["traceparent"].endswith("-00")
    assert outgoing["tracestate"] == "k=v"


def test_a_sampled_caller_is_followed_even_at_ratio_zero() -> None:
    init_tracing(traces_exporter="none", sampler="parentbased_traceidratio", sampler_arg=0.0)
    with capture_spans() as exported:
        get_tracer("api").start_span("request", context=_incoming("01")).end()
    (span,) = exported
    assert f"{span.context.trace_id:032x}" == CALLER_TRACE
    assert span.parent is not None and f"{span.parent.span_id:016x}" == CALLER_SPAN


class _ByRoute(Sampler):
    """A user's sampler that keeps only what it reads in the span's attributes."""

    def __init__(self) -> None:
        self.seen: list[Mapping[str, object]] = []

    def should_sample(
        self,
        parent_context,
        trace_id,
        name,
        kind=None,
        attributes=None,
        links=None,
        trace_state=None,
    ):  # type: ignore[no-untyped-def]
        self.seen.append(dict(attributes or {}))
        keep = (attributes or {}).get("http.route") == "/keep"
        return SamplingResult(Decision.RECORD_AND_SAMPLE if keep else Decision.DROP)

    def get_description(self) -> str:
        return "ByRoute"


def test_a_plugin_sampler_still_sees_the_attributes_of_every_span(tracing: Path) -> None:
    sampler = _ByRoute()

    class Plugin:
        @hookimpl
        def obs_sampler(self) -> Sampler:
            return ParentBased(sampler)

    with registered_plugin(Plugin()), capture_spans() as exported:
        init_tracing(traces_exporter="none")
        tracer = get_tracer("api")
        tracer.start_span("a", attributes={"http.route": "/keep"}).end()
        tracer.start_span("b", attributes={"http.route": "/drop"}).end()
    assert [s.name for s in exported] == ["a"]
    assert sampler.seen == [{"http.route": "/keep"}, {"http.route": "/drop"}]


def test_a_tracer_handed_out_before_re_init_follows_the_new_sampler() -> None:
    init_tracing(traces_exporter="none", sampler="traceidratio", sampler_arg=0.0)
    tracer = get_tracer("shop")
    assert not tracer.start_span("before").is_recording()
    init_tracing(traces_exporter="none", sampler="always_on")
    assert tracer.start_span("after").is_recording()
    init_tracing(traces_exporter="none", sampler="parentbased_traceidratio", sampler_arg=0.0)
    assert not tracer.start_span("again").is_recording()
