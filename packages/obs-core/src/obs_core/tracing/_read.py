"""Read OTLP/JSON trace files: one ``ExportTraceServiceRequest`` per line, streamed.

The format the embedded file exporter writes and an OpenTelemetry Collector's file
exporter writes (``resourceSpans`` → ``scopeSpans`` → ``spans``, hex ids, times as
unix-nanosecond strings). Enums may be numbers or names, ids hex or base64. Lines that
are not JSON are counted, not raised, so one torn write does not hide a whole file.
Stdlib only, with orjson's faster parser when it is installed (obs-core's pillars bring
it): ``obs traces`` works on a bare obs-core and imports no OpenTelemetry code.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_loads: Callable[[bytes], Any]
try:
    from orjson import loads as _loads
except ImportError:  # bare obs-core: the stdlib parser (it also takes bytes)
    _loads = json.loads

__all__ = [
    "KIND_SERVER",
    "STATUS_ERROR",
    "STATUS_OK",
    "Span",
    "TraceFile",
    "TraceSummary",
    "decode_span",
    "key_attributes",
    "status_name",
    "tree",
    "waterfall",
]

KIND_SERVER = 2
STATUS_OK, STATUS_ERROR = 1, 2
_KIND_NAMES = {
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
_STATUS_NAMES = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
_HEX = frozenset("0123456789abcdef")
_STATUS_KEYS = frozenset({"http.response.status_code", "http.status_code"})


@dataclass(slots=True)
class Span:
    """One span, decoded: ids as lowercase hex, times in unix nanoseconds."""

    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    start_ns: int
    end_ns: int
    status: int = 0
    status_message: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    service: str = ""

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)


@dataclass(slots=True)
class TraceSummary:
    """One trace as ``obs traces`` lists it."""

    trace_id: str
    root_name: str = ""
    service: str = ""
    start_ns: int = 0
    end_ns: int = 0
    spans: int = 0
    error: bool = False
    http_status: int | None = None
    has_root: bool = False

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    def as_json(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "root": self.root_name,
            "service": self.service,
            "start_unix_nano": self.start_ns,
            "duration_ms": round(self.duration_ns / 1e6, 3),
            "spans": self.spans,
            "status": "error" if self.error else "ok",
            "http_status": self.http_status,
        }


def _int(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def _enum(raw: Any, names: dict[str, int]) -> int:
    if isinstance(raw, str):
        return names.get(raw, _int(raw))
    return raw if isinstance(raw, int) else 0


def _hex_id(raw: Any) -> str:
    """A hex id; base64 (protobuf's JSON mapping, used by some old exporters) converted."""
    if not isinstance(raw, str) or not raw:
        return ""
    lowered = raw.lower()
    if len(raw) in (16, 32) and _HEX.issuperset(lowered):
        return lowered
    try:
        return base64.b64decode(raw, validate=True).hex()
    except (binascii.Error, ValueError):
        return lowered


def _value(node: Any) -> Any:
    """An OTLP ``AnyValue`` as a Python value."""
    if not isinstance(node, dict) or not node:
        return None
    kind, raw = next(iter(node.items()))
    if kind == "intValue":
        return _int(raw)
    if kind == "arrayValue":
        return [_value(item) for item in (raw or {}).get("values", [])]
    if kind == "kvlistValue":
        return _attributes((raw or {}).get("values", []))
    return raw


def _attributes(pairs: Any) -> dict[str, Any]:
    if not isinstance(pairs, list):
        return {}
    return {p["key"]: _value(p.get("value")) for p in pairs if isinstance(p, dict) and "key" in p}


def _service(resource_spans: dict[str, Any]) -> str:
    for pair in (resource_spans.get("resource") or {}).get("attributes") or ():
        if isinstance(pair, dict) and pair.get("key") == "service.name":
            return str(_value(pair.get("value")) or "")
    return ""


def _raw_spans(request: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(service name, raw span dict) for every span of one decoded request."""
    if not isinstance(request, dict):
        return
    for resource_spans in request.get("resourceSpans") or ():
        if not isinstance(resource_spans, dict):
            continue
        service = _service(resource_spans)
        for scope_spans in resource_spans.get("scopeSpans") or ():
            for raw in (scope_spans or {}).get("spans") or ():
                if isinstance(raw, dict):
                    yield service, raw


def decode_span(service: str, raw: dict[str, Any]) -> Span:
    """A `Span` from one raw OTLP/JSON span dict."""
    status = raw.get("status") or {}
    events = [
        (str(event.get("name", "")), _attributes(event.get("attributes")))
        for event in raw.get("events") or ()
        if isinstance(event, dict)
    ]
    return Span(
        trace_id=_hex_id(raw.get("traceId")),
        span_id=_hex_id(raw.get("spanId")),
        parent_id=_hex_id(raw.get("parentSpanId")),
        name=str(raw.get("name", "")),
        kind=_enum(raw.get("kind"), _KIND_NAMES),
        start_ns=_int(raw.get("startTimeUnixNano")),
        end_ns=_int(raw.get("endTimeUnixNano")),
        status=_enum(status.get("code"), _STATUS_NAMES),
        status_message=str(status.get("message", "")),
        attributes=_attributes(raw.get("attributes")),
        events=events,
        service=service,
    )


class TraceFile:
    """An OTLP/JSON lines file, read line by line (never loaded whole).

    After a read, `corrupt` counts the lines that were not JSON and `first_corrupt` is
    the number of the first one, so a caller warns once.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.corrupt = 0
        self.first_corrupt = 0

    def _requests(self, needle: bytes | None = None, offset: int = 0) -> Iterator[Any]:
        self.corrupt = self.first_corrupt = 0
        loads = _loads
        with self.path.open("rb") as fh:
            if offset:
                fh.seek(offset)
            for number, line in enumerate(fh, 1):
                if needle is not None and needle not in line:
                    continue  # a cheap byte search skips the JSON parse of other traces
                if not line.strip():
                    continue
                try:
                    request = loads(line)
                except ValueError:  # both parsers' JSONDecodeError, and bad UTF-8
                    self.corrupt += 1
                    self.first_corrupt = self.first_corrupt or number
                    continue
                yield request

    def _hex_ids(self) -> bool:
        """Whether the file writes ids in hex (then a trace's id appears verbatim in its lines)."""
        with self.path.open("rb") as fh:
            for line, _ in zip(fh, range(20), strict=False):
                try:
                    for _service, raw in _raw_spans(_loads(line)):
                        found = raw.get("traceId")
                        return isinstance(found, str) and _HEX.issuperset(found)
                except ValueError:
                    continue
        return True

    def spans(self, trace_id: str = "", offset: int = 0) -> Iterator[Span]:
        """Every span, or those whose trace id starts with `trace_id` (hex, any case).

        `offset` starts reading at that byte (e.g. the file's size before a run).
        """
        prefix = trace_id.lower()
        needle = prefix.encode() if prefix and self._hex_ids() else None
        for request in self._requests(needle, offset):
            for service, raw in _raw_spans(request):
                if prefix:
                    found = _hex_id(raw.get("traceId"))
                    if not found.startswith(prefix):
                        continue
                yield decode_span(service, raw)

    def summaries(self, offset: int = 0) -> list[TraceSummary]:
        """One summary per trace, ordered by start time (oldest first)."""
        traces: dict[Any, TraceSummary] = {}
        get = traces.get
        for request in self._requests(offset=offset):
            for service, raw in _raw_spans(request):
                key = raw.get("traceId")  # as written; made hex once per trace below
                start, end = _int(raw.get("startTimeUnixNano")), _int(raw.get("endTimeUnixNano"))
                summary = get(key)
                if summary is None:
                    summary = traces[key] = TraceSummary("", start_ns=start, end_ns=end)
                summary.spans += 1
                if start < summary.start_ns:
                    summary.start_ns = start
                if end > summary.end_ns:
                    summary.end_ns = end
                status = raw.get("status")
                if status and _enum(status.get("code"), _STATUS_NAMES) == STATUS_ERROR:
                    summary.error = True
                root = not raw.get("parentSpanId")
                if root or (not summary.has_root and start <= summary.start_ns):
                    summary.has_root = root
                    summary.root_name = str(raw.get("name", ""))
                    summary.service = service
                    if root:
                        summary.http_status = _status_attribute(raw.get("attributes"))
        for key, summary in traces.items():
            summary.trace_id = _hex_id(key)
        return sorted(traces.values(), key=lambda s: s.start_ns)


def _status_attribute(pairs: Any) -> int | None:
    """The HTTP status code among raw attribute pairs, without decoding the others."""
    for pair in pairs or ():
        if isinstance(pair, dict) and pair.get("key") in _STATUS_KEYS:
            return _http_status({"http.status_code": _value(pair.get("value"))})
    return None


def _http_status(attributes: dict[str, Any]) -> int | None:
    raw = attributes.get("http.response.status_code", attributes.get("http.status_code"))
    return raw if isinstance(raw, int) else _int(raw) or None


def key_attributes(span: Span) -> dict[str, str]:
    """What a reader looks for first: route, status code, exception (type: message)."""
    attrs = span.attributes
    found: dict[str, str] = {}
    route = attrs.get("http.route")
    if route:
        found["route"] = str(route)
    status = _http_status(attrs)
    if status:
        found["status"] = str(status)
    for name, event_attrs in span.events:
        if name == "exception":
            kind = event_attrs.get("exception.type", "")
            message = event_attrs.get("exception.message", "")
            found["exception"] = f"{kind}: {message}" if message else str(kind)
            break
    else:
        if span.status == STATUS_ERROR and (attrs.get("error.type") or span.status_message):
            found["error"] = str(span.status_message or attrs.get("error.type"))
    return found


def tree(spans: Iterable[Span]) -> list[tuple[int, Span]]:
    """(depth, span) in waterfall order: parents before children, siblings by start time.

    A span whose parent is not in the set (a remote or missing parent) starts a root.
    """
    ordered = sorted(spans, key=lambda s: (s.start_ns, s.span_id))
    ids = {span.span_id for span in ordered}
    children: dict[str, list[Span]] = {}
    roots = []
    for span in ordered:
        if span.parent_id and span.parent_id in ids and span.parent_id != span.span_id:
            children.setdefault(span.parent_id, []).append(span)
        else:
            roots.append(span)
    result: list[tuple[int, Span]] = []
    seen: set[str] = set()
    stack = [(0, span) for span in reversed(roots)]
    while stack:
        depth, span = stack.pop()
        if span.span_id in seen:
            continue
        seen.add(span.span_id)
        result.append((depth, span))
        stack.extend((depth + 1, child) for child in reversed(children.get(span.span_id, [])))
    result.extend((0, span) for span in ordered if span.span_id not in seen)  # parent cycles
    return result


def status_name(code: int) -> str:
    return "error" if code == STATUS_ERROR else "ok" if code == STATUS_OK else "unset"


def waterfall(spans: Iterable[Span]) -> list[dict[str, Any]]:
    """The spans of one trace as JSON-ready rows in `tree` order, offsets from its start."""
    rows = tree(spans)
    if not rows:
        return []
    origin = min(span.start_ns for _, span in rows)
    return [
        {
            "span_id": span.span_id,
            "parent_id": span.parent_id,
            "name": span.name,
            "service": span.service,
            "depth": depth,
            "offset_ms": round((span.start_ns - origin) / 1e6, 3),
            "duration_ms": round(span.duration_ns / 1e6, 3),
            "status": status_name(span.status),
            "key": key_attributes(span),
            "attributes": {key: _plain(value) for key, value in span.attributes.items()},
        }
        for depth, span in rows
    ]


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
