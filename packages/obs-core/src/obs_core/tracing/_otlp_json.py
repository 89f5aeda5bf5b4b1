"""OTLP/JSON encoding of SDK spans, built straight into dicts and lists for orjson.

The result equals protobuf's ``encode_spans`` passed through ``MessageToDict`` (integer
enums, hex ids, default values left out) at a fraction of the cost: no protobuf messages,
no base64 round trip, and the resource and scope parts, which repeat for every span, are
encoded once per object.
"""

from __future__ import annotations

import base64
import logging
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind, StatusCode

from obs_core._ids import hex_span_id, hex_trace_id

if TYPE_CHECKING:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import Link

__all__ = ["encode_request"]

_logger = logging.getLogger(__name__)

JSON = dict[str, Any]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# SpanFlags: the parent's remoteness is known, and the parent is remote.
_HAS_IS_REMOTE, _IS_REMOTE = 0x100, 0x300
# OTLP's enums, keyed by identity: SDK enum members are singletons, and identity lookups
# skip Enum's Python-level __hash__ (SpanKind.value is 0-based, OTLP's kinds are 1-based).
_KINDS = {
    id(SpanKind.INTERNAL): 1,
    id(SpanKind.SERVER): 2,
    id(SpanKind.CLIENT): 3,
    id(SpanKind.PRODUCER): 4,
    id(SpanKind.CONSUMER): 5,
}
_STATUS_CODES = {id(StatusCode.UNSET): 0, id(StatusCode.OK): 1, id(StatusCode.ERROR): 2}
_CACHE_SIZE = 64


def _double(value: float) -> JSON:
    if math.isfinite(value):
        return {"doubleValue": value}
    special = "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    return {"doubleValue": special}


def _int(value: int) -> JSON:
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise OverflowError(f"{value} does not fit in a 64-bit integer")
    return {"intValue": str(int(value))}  # int(): an IntEnum's str() is its name


def _any_value(value: Any) -> JSON:
    """An ``AnyValue``; exact builtin types first, then protobuf's own isinstance order."""
    kind = type(value)
    if kind is str:
        return {"stringValue": value}
    if kind is bool:
        return {"boolValue": value}
    if kind is int:
        return _int(value)
    if kind is float:
        return _double(value)
    if kind is tuple:
        return _array(value)
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"boolValue": bool(value)}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return _double(float(value))
    if isinstance(value, bytes):
        return {"bytesValue": base64.b64encode(value).decode()}
    if isinstance(value, Sequence):
        return _array(value)
    if isinstance(value, Mapping):
        pairs = [{"key": str(k), "value": _any_value(v)} for k, v in value.items()]
        return {"kvlistValue": {"values": pairs} if pairs else {}}
    raise TypeError(f"invalid type {type(value).__name__} of value {value!r}")


def _array(values: Sequence[object]) -> JSON:
    return {"arrayValue": {"values": [_any_value(v) for v in values]} if values else {}}


def _attributes(attributes: Mapping[str, object]) -> list[JSON]:
    """Key/value pairs; a value OTLP cannot hold drops its attribute, as protobuf's encoder does."""
    encoded: list[JSON] = []
    append = encoded.append
    for key, value in _plain(attributes).items():
        if type(value) is str:  # most attributes: skip a call
            append({"key": key, "value": {"stringValue": value}})
            continue
        try:
            append({"key": key, "value": _any_value(value)})
        except (TypeError, ValueError, OverflowError) as exc:
            _logger.warning("obs: span attribute %r not exported: %s", key, exc)
    return encoded


def _plain(attributes: Mapping[str, object]) -> Mapping[str, object]:
    """The dict inside the SDK's ``BoundedAttributes`` when there is one: iterating it skips
    a Python-level ``__getitem__`` per key (an ended span's attributes no longer change)."""
    inner = getattr(attributes, "_dict", None)
    return inner if isinstance(inner, dict) else attributes


def _events(events: Sequence[Event]) -> list[JSON]:
    encoded = []
    for event in events:
        node: JSON = {}
        if event.timestamp:
            node["timeUnixNano"] = str(event.timestamp)
        if event.name:
            node["name"] = event.name
        if event.attributes:
            node["attributes"] = _attributes(event.attributes)
        if event.dropped_attributes:
            node["droppedAttributesCount"] = event.dropped_attributes
        encoded.append(node)
    return encoded


def _links(links: Sequence[Link]) -> list[JSON]:
    encoded = []
    for link in links:
        context = link.context
        node: JSON = {
            "traceId": hex_trace_id(context.trace_id),
            "spanId": hex_span_id(context.span_id),
        }
        if link.attributes:
            node["attributes"] = _attributes(link.attributes)
        if link.dropped_attributes:
            node["droppedAttributesCount"] = link.dropped_attributes
        node["flags"] = _IS_REMOTE if context.is_remote else _HAS_IS_REMOTE
        encoded.append(node)
    return encoded


def _span(span: ReadableSpan) -> JSON:
    """One ``Span``, its keys in protobuf's field order (so lines match the old encoder's)."""
    context = span.context
    node: JSON = {"traceId": hex_trace_id(context.trace_id), "spanId": hex_span_id(context.span_id)}
    trace_state = context.trace_state
    if trace_state:
        node["traceState"] = ",".join([f"{key}={value}" for key, value in trace_state.items()])
    parent = span.parent
    if parent is not None:
        node["parentSpanId"] = hex_span_id(parent.span_id)
    if span.name:
        node["name"] = span.name
    node["kind"] = _KINDS[id(span.kind)]
    if span.start_time:
        node["startTimeUnixNano"] = str(span.start_time)
    if span.end_time:
        node["endTimeUnixNano"] = str(span.end_time)
    # the SDK's own BoundedAttributes rather than the read-only proxy over it (see _plain)
    attributes = getattr(span, "_attributes", None) or span.attributes
    if attributes:
        node["attributes"] = _attributes(attributes)
    if span.dropped_attributes:
        node["droppedAttributesCount"] = span.dropped_attributes
    # .events and .links copy the SDK's BoundedList under a lock: peek at it first
    sdk_events = getattr(span, "_events", True)
    events = span.events if sdk_events else ()
    if events:
        node["events"] = _events(events)
    if getattr(sdk_events, "dropped", True) and span.dropped_events:
        node["droppedEventsCount"] = span.dropped_events
    sdk_links = getattr(span, "_links", True)
    links = span.links if sdk_links else ()
    if links:
        node["links"] = _links(links)
    if getattr(sdk_links, "dropped", True) and span.dropped_links:
        node["droppedLinksCount"] = span.dropped_links
    status = span.status
    if status is not None:
        encoded: JSON = {}
        if status.description:
            encoded["message"] = status.description
        code = _STATUS_CODES[id(status.status_code)]
        if code:
            encoded["code"] = code
        node["status"] = encoded
    node["flags"] = _IS_REMOTE if parent is not None and parent.is_remote else _HAS_IS_REMOTE
    return node


class _PartCache:
    """Encoded resources and scopes by object; the entry keeps its object alive, so an id
    is never reused while cached. Cleared when full: the set of live objects is small."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[object, JSON]] = {}

    def resource(self, resource: Resource) -> JSON:
        entry = self._entries.get(id(resource))
        if entry is None or entry[0] is not resource:
            attributes = resource.attributes
            entry = (resource, {"attributes": _attributes(attributes)} if attributes else {})
            self._store(resource, entry)
        return entry[1]

    def scope(self, scope: InstrumentationScope | None) -> JSON:
        if scope is None:
            return {}
        entry = self._entries.get(id(scope))
        if entry is None or entry[0] is not scope:
            node: JSON = {}
            if scope.name:
                node["name"] = scope.name
            if scope.version:
                node["version"] = scope.version
            if scope.attributes:
                node["attributes"] = _attributes(scope.attributes)
            entry = (scope, node)
            self._store(scope, entry)
        return entry[1]

    def _store(self, part: object, entry: tuple[object, JSON]) -> None:
        if len(self._entries) >= _CACHE_SIZE:
            self._entries.clear()
        self._entries[id(part)] = entry


_parts = _PartCache()


def _same(a: object, b: object) -> bool:
    """Whether protobuf's encoder (which groups with a dict) puts `a` and `b` in one group."""
    return a is b or (hash(a) == hash(b) and a == b)


class _Group:
    """Spans under one resource (or one scope): `first` is the object that gets encoded."""

    __slots__ = ("by_id", "first", "items")

    def __init__(self, first: object) -> None:
        self.first: Any = first
        self.items: list[Any] = []
        self.by_id: dict[int, Any] = {}


def _child(groups: list[_Group], by_id: dict[int, _Group], part: object) -> _Group:
    """The group for `part` (a resource or scope), matched by identity, else by equality."""
    group = by_id.get(id(part))
    if group is None:
        group = next((g for g in groups if _same(g.first, part)), None)
        if group is None:
            group = _Group(part)
            groups.append(group)
        by_id[id(part)] = group
    return group


def encode_request(spans: Sequence[ReadableSpan]) -> JSON:
    """An ``ExportTraceServiceRequest`` for `spans` as OTLP/JSON-ready dicts.

    Spans are grouped by resource, then by instrumentation scope, in first-seen order.
    The resource and scope dicts are shared between calls: serialise, do not modify.
    """
    resources: list[_Group] = []
    resources_by_id: dict[int, _Group] = {}
    for span in spans:
        resource = _child(resources, resources_by_id, span.resource)
        scope = _child(resource.items, resource.by_id, span.instrumentation_scope)
        scope.items.append(_span(span))
    resource_spans = []
    for resource in resources:
        scope_spans = []
        for scope in resource.items:
            instrumentation: InstrumentationScope | None = scope.first
            node: JSON = {"scope": _parts.scope(instrumentation), "spans": scope.items}
            if instrumentation is not None and instrumentation.schema_url:
                node["schemaUrl"] = instrumentation.schema_url
            scope_spans.append(node)
        sdk_resource: Resource = resource.first
        node = {"resource": _parts.resource(sdk_resource), "scopeSpans": scope_spans}
        if sdk_resource.schema_url:
            node["schemaUrl"] = sdk_resource.schema_url
        resource_spans.append(node)
    return {"resourceSpans": resource_spans} if resource_spans else {}
