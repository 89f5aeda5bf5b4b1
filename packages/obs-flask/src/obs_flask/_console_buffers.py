"""The console's bounded memory: the last traces' spans and the last log lines.

Both sit on the hot path, so each does one bounded, O(1) append under a lock and
nothing else; every conversion waits until the console page asks.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import orjson
from obs_core.traces import Span
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.trace import SpanKind

__all__ = ["LogRing", "SpanRing", "to_span"]

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


class SpanRing(SpanProcessor):
    """Keeps the last `spans` ended spans: the latest traces, whole but for the oldest.

    One append to a bounded deque per span (atomic, no lock); traces are put together
    only when the console asks.
    """

    def __init__(self, spans: int = 2000) -> None:
        self._spans: deque[ReadableSpan] = deque(maxlen=spans)

    def on_end(self, span: ReadableSpan) -> None:
        """Keep `span`, forgetting the oldest when full."""
        self._spans.append(span)

    def shutdown(self) -> None:
        """Nothing to release."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered on the way out."""
        return True

    def trace(self, trace_id: str) -> list[ReadableSpan]:
        """The kept spans of one trace (hex id), in the order they ended."""
        try:
            key = int(trace_id, 16)
        except ValueError:
            return []
        return [span for span in tuple(self._spans) if span.context.trace_id == key]

    def roots(self, limit: int) -> list[ReadableSpan]:
        """The server spans that start a trace here (no parent, or a remote one), newest first."""
        found: list[ReadableSpan] = []
        for span in reversed(tuple(self._spans)):
            parent = span.parent
            if span.kind is SpanKind.SERVER and (parent is None or parent.is_remote):
                found.append(span)
                if len(found) == limit:
                    break
        return found


class LogRing:
    """The last `lines` log records, as obs wrote them (after redaction).

    It taps obs's line formatter (an ``obs_log_enrichers`` callable that adds nothing)
    rather than adding a loguru sink: a second sink costs a loguru dispatch per line
    (about 14 µs measured), the tap one call and one append. It keeps the record dict the
    formatter built and serialised, which nothing changes afterwards.
    """

    def __init__(self, lines: int = 1000) -> None:
        self._records: deque[dict[str, Any]] = deque(maxlen=lines)

    def keep(self, record: dict[str, Any]) -> None:
        """Called once per record by obs's formatter."""
        self._records.append(record)

    def with_trace(self, trace_id: str) -> list[dict[str, Any]]:
        """The kept records that carry `trace_id`, oldest first, as JSON-ready dicts."""
        found = [r for r in list(self._records) if r.get("trace_id") == trace_id]
        return [orjson.loads(orjson.dumps(r, default=_text, option=_OPTIONS)) for r in found]


def _text(value: object) -> str:
    """What a value JSON cannot hold becomes (its repr, as in the line; never raises)."""
    try:
        return repr(value)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"


def to_span(span: ReadableSpan) -> Span:
    """The reader's `Span` for an SDK span, so the console and `obs traces` share one layout."""
    context = span.context
    parent = span.parent
    status = span.status
    return Span(
        trace_id=format(context.trace_id, "032x"),
        span_id=format(context.span_id, "016x"),
        parent_id=format(parent.span_id, "016x") if parent is not None else "",
        name=span.name,
        kind=span.kind.value + 1,  # the SDK counts from 0, OTLP from 1
        start_ns=span.start_time or 0,
        end_ns=span.end_time or 0,
        status=status.status_code.value if status is not None else 0,
        status_message=(status.description or "") if status is not None else "",
        attributes=dict(span.attributes or {}),
        events=[(event.name, dict(event.attributes or {})) for event in span.events],
        service=str(span.resource.attributes.get("service.name", "")),
    )
