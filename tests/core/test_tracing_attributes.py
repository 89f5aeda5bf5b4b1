"""A sampled span's attributes: the same as the SDK keeps, with or without its checks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import opentelemetry.attributes
import pytest
from obs_core import get_tracer, init_tracing
from obs_core.tracing import _tracer
from obs_core.tracing._pipeline import detach_processor
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.trace import SpanKind

pytestmark = pytest.mark.usefixtures("tracing")

SERVER = {
    "http.request.method": "GET",
    "url.path": "/api/orders/42",
    "url.scheme": "http",
    "server.address": "127.0.0.1:8000",
    "client.address": "127.0.0.1",
    "user_agent.original": "",
    "retries": 0,
    "ratio": 0.5,
    "cached": False,
}


class Ended(SpanProcessor):
    """Keeps ended spans; no ``on_start`` of its own, like obs's processors."""

    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        self.spans.append(span)


class SeesStart(Ended):
    """Reads the attributes a span starts with."""

    def __init__(self) -> None:
        super().__init__()
        self.at_start: list[dict[str, Any]] = []

    def on_start(self, span: SdkSpan, parent_context: Context | None = None) -> None:
        self.at_start.append(dict(span.attributes or {}))


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every value the SDK's attribute checks look at."""
    seen: list[object] = []
    original = opentelemetry.attributes._clean_attribute_value

    def counting(value: Any, limit: int | None) -> Any:
        seen.append(value)
        return original(value, limit)

    monkeypatch.setattr(opentelemetry.attributes, "_clean_attribute_value", counting)
    return seen


def _sdk_span(attributes: dict[str, Any]) -> ReadableSpan:
    """The span the SDK's own tracer keeps for these attributes."""
    provider = TracerProvider()
    ended = Ended()
    provider.add_span_processor(ended)
    provider.get_tracer("shop").start_span("GET", kind=SpanKind.SERVER, attributes=attributes).end()
    return ended.spans[0]


@contextmanager
def _added(processor: SpanProcessor) -> Iterator[None]:
    """`processor` on obs's provider for the block only (it decides the fill path)."""
    provider: Any = trace.get_tracer_provider()
    provider.add_span_processor(processor)
    try:
        yield
    finally:
        detach_processor(provider, processor)


def _obs_span(processor: Ended, attributes: dict[str, Any]) -> ReadableSpan:
    with _added(processor):
        get_tracer("shop").start_span("GET", kind=SpanKind.SERVER, attributes=attributes).end()
    return processor.spans[-1]


@pytest.fixture(params=["parentbased_always_on", "parentbased_traceidratio"])
def sampled(request: pytest.FixtureRequest) -> Iterator[None]:
    init_tracing(traces_exporter="none", sampler=request.param, sampler_arg=1.0)
    yield


@pytest.mark.usefixtures("sampled")
def test_plain_attributes_skip_the_checks_and_are_kept_as_the_sdk_keeps_them(
    checks: list[object],
) -> None:
    span = _obs_span(Ended(), SERVER)
    assert checks == []  # the fill path: no value went through the SDK's checks
    expected = _sdk_span(SERVER).attributes
    assert list((span.attributes or {}).items()) == list((expected or {}).items())


@pytest.mark.usefixtures("sampled")
def test_a_processor_with_its_own_on_start_sees_every_attribute_there() -> None:
    processor = SeesStart()
    span = _obs_span(processor, SERVER)
    assert processor.at_start == [SERVER]
    assert dict(span.attributes or {}) == SERVER


@pytest.mark.parametrize(
    "attributes",
    [
        {"tags": ["a", "b"]},  # a list: the SDK keeps a tuple
        {"path": b"/raw"},  # bytes
        {"": "empty key"},  # dropped by the SDK
        {"status": True, "size": None},  # None: dropped
        {f"k{i}": i for i in range(40)},  # more than the fill takes at once
    ],
)
@pytest.mark.usefixtures("sampled")
def test_attributes_that_need_the_checks_get_them(attributes: dict[str, Any]) -> None:
    span = _obs_span(Ended(), attributes)
    assert dict(span.attributes or {}) == dict(_sdk_span(attributes).attributes or {})


LIMITED = """
from obs_core import get_tracer, init_tracing
init_tracing(traces_exporter="none")
span = get_tracer("shop").start_span("GET", attributes={"url.path": "/api/orders/42", "ok": "yes"})
print(dict(span.attributes))
"""


def test_a_length_limit_still_truncates(tracing: Path) -> None:
    # span limits are read when the provider is made: a process of its own
    run = subprocess.run(
        [sys.executable, "-c", LIMITED],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT": "4"},
        check=True,
    )
    assert run.stdout.strip() == "{'url.path': '/api', 'ok': 'yes'}"


def test_an_sdk_release_not_checked_gets_the_sdk_path(
    checks: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_tracer, "_installed", lambda: "9.0.0")
    init_tracing(traces_exporter="none")
    span = _obs_span(Ended(), SERVER)
    assert checks  # the SDK's checks ran
    assert dict(span.attributes or {}) == SERVER


def test_the_releases_trusted_are_the_ones_locked() -> None:
    assert _tracer.trusted(_tracer._installed())
    assert not _tracer.trusted("1.46.0")


def _both(late: dict[str, Any]) -> tuple[ReadableSpan, ReadableSpan]:
    """The span obs keeps and the SDK keeps, each started with `SERVER` then given `late`."""
    ended = Ended()
    with _added(ended):
        span = get_tracer("shop").start_span("GET", kind=SpanKind.SERVER, attributes=SERVER)
        span.set_attributes(late)
        span.end()
        span.set_attributes({"after": "end"})  # ignored, with the SDK's warning
    sdk = TracerProvider()
    sdk_ended = Ended()
    sdk.add_span_processor(sdk_ended)
    reference = sdk.get_tracer("shop").start_span("GET", kind=SpanKind.SERVER, attributes=SERVER)
    reference.set_attributes(late)
    reference.end()
    return ended.spans[0], sdk_ended.spans[0]


@pytest.mark.parametrize(
    "late",
    [
        {"http.response.status_code": 200, "http.route": "/api/orders/<int:order_id>"},
        {"url.path": "/again", "error.type": "500"},  # a key set again moves to the end
        {"tags": ("a", "b"), "http.response.status_code": 500},  # a tuple: the SDK's checks
    ],
)
@pytest.mark.usefixtures("sampled")
def test_attributes_set_later_end_as_the_sdk_keeps_them(late: dict[str, Any]) -> None:
    kept, expected = _both(late)
    assert list((kept.attributes or {}).items()) == list((expected.attributes or {}).items())
