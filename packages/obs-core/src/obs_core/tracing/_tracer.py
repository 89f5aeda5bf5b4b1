"""The tracer obs's provider hands out: an unsampled span costs only its ids.

With OpenTelemetry's built-in ratio samplers (``traceidratio``, ``always_off``, their
``parentbased_`` forms with the default delegates) whether a span is sampled depends on
its trace id and parent alone, so when the answer is "drop" this tracer builds the
`NonRecordingSpan` straight away: the same trace id, span id, flags and trace state as
the SDK's `Tracer.start_span` would give it, without the sampler's result objects, the
context look-ups and the internal-metrics call. Everything else (a sampled span, any
other sampler, such as an ``obs_sampler`` plugin's that may read the attributes, a
disabled tracer, the SDK's internal metrics switched on) takes the SDK's own path. An
always-on sampler drops nothing, so its spans all take the SDK's path, with the
attribute fill below.

A sampled root span gets the trace id that was drawn for the decision: the tracer's id
generator hands it back once, on the same thread.

A sampled span's attributes skip the SDK's per-value checks (~45k of a span's ~185k
instructions on the request thread for six of them) when they need none: every key a
non-empty string, every value exactly a str within the length limit, an int, a float or
a bool, no more of them than the limit, and no span processor with an ``on_start`` of its
own (the attributes are put in after the SDK has called it). Then the SDK's span is
started without them and they go straight into its attribute dict, as the checks would
have left them. Only on the SDK releases this was checked against (`TESTED_SDK`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, cast

from opentelemetry import trace as trace_api
from opentelemetry.sdk.trace import SpanProcessor, Tracer
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from obs_core._metadata import distribution_version

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.util.types import Attributes

__all__ = ["ObsTracer", "adopt"]

_LOW_64 = (1 << 64) - 1
_MOST_ATTRIBUTES = 32  # more than a span is started with here; a lower count limit: the SDK's
_ALWAYS = 1 << 64  # a bound every trace id is under
_RANDOM = TraceFlags.RANDOM_TRACE_ID
_INTERNAL_METRICS = "OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED"


# an unsampled span keeps only the random-trace-id bit (0x02) of its flags
_FLAGS = {bits: TraceFlags(bits) for bits in (0, int(_RANDOM))}


TESTED_SDK = ("1.45.",)
"""The opentelemetry-sdk releases whose span internals the attribute fill was checked against."""
_PLAIN_VALUES = frozenset({str, int, float, bool})
_NO_ON_START = SpanProcessor.on_start


def trusted(release: str) -> bool:
    """Whether sampled spans may get their attributes without the SDK's checks."""
    return release.startswith(TESTED_SDK)


@cache
def _installed() -> str:
    return distribution_version("opentelemetry-sdk", "") or ""


def _plain(attributes: Attributes, limit: int | None) -> bool:
    """Attributes the SDK's checks would keep exactly as they are (`limit`: string length)."""
    if not attributes or type(attributes) is not dict or len(attributes) > _MOST_ATTRIBUTES:
        return False
    for key, value in attributes.items():
        kind = type(value)
        if type(key) is not str or not key or kind not in _PLAIN_VALUES:
            return False
        if kind is str and limit is not None and len(value) > limit:
            return False
    return True


class _Plan:
    """What the sampler decides, precomputed: sampled iff ``trace_id & LOW_64 < bound``."""

    __slots__ = ("bound", "parent_based")

    def __init__(self, bound: int, parent_based: bool) -> None:
        self.bound = bound
        self.parent_based = parent_based


def _bound(sampler: Sampler) -> int | None:
    if sampler is ALWAYS_ON:
        return _ALWAYS
    if sampler is ALWAYS_OFF:
        return 0
    if type(sampler) is TraceIdRatioBased:
        return sampler.bound
    return None


def _plan(sampler: Sampler) -> _Plan | None:
    """A plan for the built-in samplers whose answer the SDK's code fixes; else None."""
    if type(sampler) is ParentBased:
        defaults = (
            sampler._remote_parent_sampled is ALWAYS_ON
            and sampler._remote_parent_not_sampled is ALWAYS_OFF
            and sampler._local_parent_sampled is ALWAYS_ON
            and sampler._local_parent_not_sampled is ALWAYS_OFF
        )
        bound = _bound(sampler._root) if defaults else None
        return None if bound is None else _Plan(bound, True)
    bound = _bound(sampler)
    return None if bound is None else _Plan(bound, False)


class _Pending(threading.local):
    trace_id = 0


class _HandBack(IdGenerator):
    """The tracer's id generator, which can hand back one trace id drawn in advance."""

    def __init__(self, ids: IdGenerator) -> None:
        self.ids = ids
        self.pending = _Pending()

    def generate_span_id(self) -> int:
        return self.ids.generate_span_id()

    def generate_trace_id(self) -> int:
        pending = self.pending
        trace_id = pending.trace_id
        if trace_id:
            pending.trace_id = 0
            return trace_id
        return self.ids.generate_trace_id()

    def is_trace_id_random(self) -> bool:
        return self.ids.is_trace_id_random()


class ObsTracer(Tracer):
    """The SDK's tracer; `start_span` skips the SDK for a span the sampler drops.

    It calls ``Tracer.start_span`` by name, not through ``super()``: a re-init may turn
    the instance back into a plain `Tracer` while another thread is in here.
    """

    _obs_plan: _Plan | None
    _obs_planned: tuple[object, object]  # the sampler and tracer config it was made for
    _obs_ids: _HandBack
    _obs_processors: object  # the span processors `_obs_fill` was decided for
    _obs_fill: bool
    _obs_value_limit: int | None

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[trace_api.Link] | None = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> trace_api.Span:
        planned = self._obs_planned
        if planned[0] is not self.sampler or planned[1] is not self._tracer_config:
            self._replan()
        plan = self._obs_plan
        if plan is None:
            return Tracer.start_span(
                self, name, context, kind, attributes, links, start_time,
                record_exception, set_status_on_exception,
            )  # fmt: skip
        ids = self._obs_ids
        parent = trace_api.get_current_span(context).get_span_context()
        if parent.is_valid:
            flags = parent.trace_flags
            sampled = flags.sampled if plan.parent_based else (
                parent.trace_id & _LOW_64 < plan.bound
            )  # fmt: skip
            if not sampled:
                return NonRecordingSpan(
                    SpanContext(
                        parent.trace_id,
                        ids.ids.generate_span_id(),
                        is_remote=False,
                        trace_flags=_FLAGS[flags & _RANDOM],
                        trace_state=parent.trace_state,
                    )
                )
        elif plan.bound < _ALWAYS:
            trace_id = ids.ids.generate_trace_id()
            if trace_id & _LOW_64 >= plan.bound:
                return NonRecordingSpan(
                    SpanContext(
                        trace_id,
                        ids.ids.generate_span_id(),
                        is_remote=False,
                        trace_flags=_FLAGS[_RANDOM if ids.ids.is_trace_id_random() else 0],
                    )
                )
            ids.pending.trace_id = trace_id  # the SDK draws it next, for this span
            try:
                return self._obs_sampled(
                    name, context, kind, attributes, links, start_time,
                    record_exception, set_status_on_exception,
                )  # fmt: skip
            finally:
                ids.pending.trace_id = 0
        return self._obs_sampled(
            name, context, kind, attributes, links, start_time,
            record_exception, set_status_on_exception,
        )  # fmt: skip

    def _obs_sampled(
        self,
        name: str,
        context: Context | None,
        kind: SpanKind,
        attributes: Attributes,
        links: Sequence[trace_api.Link] | None,
        start_time: int | None,
        record_exception: bool,
        set_status_on_exception: bool,
    ) -> trace_api.Span:
        """The SDK's span; its attributes put in directly when they need no checks."""
        processors = getattr(self.span_processor, "_span_processors", None)
        if processors is not self._obs_processors:
            self._obs_recheck(processors)
        fill = self._obs_fill and _plain(attributes, self._obs_value_limit)
        span = Tracer.start_span(
            self, name, context, kind, None if fill else attributes, links, start_time,
            record_exception, set_status_on_exception,
        )  # fmt: skip
        if fill and span.is_recording():
            span._attributes._dict.update(attributes)  # type: ignore[attr-defined]
        return span

    def _obs_recheck(self, processors: object) -> None:
        """Whether attributes may be filled in, for this set of span processors."""
        limits = self._span_limits
        count = limits.max_span_attributes
        self._obs_value_limit = limits.max_span_attribute_length
        self._obs_fill = (
            trusted(_installed())
            and isinstance(processors, tuple)
            and all(type(p).on_start is _NO_ON_START for p in processors)
            and (count is None or count >= _MOST_ATTRIBUTES)
        )
        self._obs_processors = processors

    def _replan(self) -> None:
        """Plan for the current sampler and config (the provider may have swapped them)."""
        self._obs_planned = (self.sampler, self._tracer_config)
        enabled = self._tracer_config.is_enabled
        metrics = os.environ.get(_INTERNAL_METRICS, "").strip().lower() == "true"
        self._obs_plan = _plan(self.sampler) if enabled and not metrics else None


def adopt(tracer: trace_api.Tracer) -> trace_api.Tracer:
    """Make an SDK `Tracer` an `ObsTracer` in place when its sampler is one of the built-in
    ones `_plan` knows, and a plain one again otherwise (any other sampler may read what
    the fast paths skip)."""
    if not isinstance(tracer, Tracer) or type(tracer) not in (Tracer, ObsTracer):
        return tracer  # someone's own subclass: left as it is
    sdk = tracer
    ids = sdk.id_generator
    own_ids = ids.ids if isinstance(ids, _HandBack) else ids
    plan = _plan(sdk.sampler)
    if plan is None:
        sdk.__class__ = Tracer
        sdk.id_generator = own_ids
        return tracer
    sdk.__class__ = ObsTracer
    adopted = cast(ObsTracer, sdk)
    adopted._obs_plan = None
    adopted._obs_planned = (None, None)
    adopted._obs_ids = _HandBack(own_ids)
    adopted._obs_processors = None  # not a tuple: checked at the first sampled span
    adopted._obs_fill = False
    adopted._obs_value_limit = None
    adopted.id_generator = adopted._obs_ids
    return tracer
