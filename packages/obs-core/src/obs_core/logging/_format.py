"""Turn one loguru record into obs's JSON line: fixed keys, trace ids, fields, redaction.

The line is built once per record (cached on the record) however many sinks write it,
with orjson; nothing here may raise, so a value JSON cannot hold is written as its
``repr`` and the line is never dropped.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from opentelemetry.trace import SpanContext, get_current_span

from obs_core._ids import hex_span_id, hex_trace_id
from obs_core.logging._redact import DROPPED, REDACTED, TOO_DEEP, Redactor

if TYPE_CHECKING:
    from loguru import Record

__all__ = [
    "DROPPED",
    "LINE_KEY",
    "LOGGER_KEY",
    "REDACTED",
    "RESERVED",
    "TOO_DEEP",
    "LineFormatter",
    "escape_braces",
    "safe_repr",
]

LINE_KEY = "_obs_line"
"""Where the built line is cached on the loguru record, for the next sink."""
LOGGER_KEY = "_obs_logger"
"""The `extra` key carrying the obs logger's name (removed from the fields)."""
RESERVED = frozenset(
    {
        "timestamp",
        "level",
        "logger",
        "message",
        "service",
        "trace_id",
        "span_id",
        "module",
        "function",
        "line",
        "exception",
    }
)
"""Keys obs writes itself; a field with one of these names is written as ``field_<name>``."""

_TEMPLATE = "{" + LINE_KEY + "}\n"
_SCALARS = frozenset({str, int, float, bool, type(None)})
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
_MAX_MEMO = 4096
_isfinite = math.isfinite

Enricher = Callable[[dict[str, Any]], None]


def escape_braces(message: str) -> str:
    """Loguru formats the message with the keyword arguments; make that the identity."""
    if "{" in message or "}" in message:
        return message.replace("{", "{{").replace("}", "}}")
    return message


def safe_repr(value: object) -> str:
    """``repr(value)``, or a placeholder when its ``__repr__`` raises."""
    try:
        return repr(value)
    except Exception as exc:
        return f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"


_START: datetime | None = None


def _start(record: Mapping[str, Any]) -> datetime:
    """Loguru's start time in UTC: a record's UTC time is this plus its ``elapsed``.

    Cheaper than converting each record's local, aware ``time``, and exact: loguru
    computes ``elapsed`` from that same ``time``.
    """
    global _START
    local = record["time"] - record["elapsed"]
    utc = local.astimezone(UTC)
    _START = datetime(
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, UTC
    )
    return _START


def _dumps(out: dict[str, Any]) -> bytes:
    return orjson.dumps(out, default=safe_repr, option=_OPTIONS)


def _plain(values: Iterable[Any]) -> bool:
    """JSON scalars only, and no NaN or infinity among the floats: orjson writes them as is.

    A plain loop: cheaper, for a line's handful of fields, than sets of their types.
    """
    for value in values:
        kind = type(value)
        if kind is float:
            if not _isfinite(value):
                return False
        elif kind not in _SCALARS:
            return False
    return True


def _encodable(value: object) -> object:
    """`value` if orjson can write it on its own, else its repr (the slow, safe path)."""
    try:
        _dumps({"v": value})
    except Exception:
        return safe_repr(value)
    return value


class LineFormatter:
    """Builds the JSON line for every record; assembled once per `init_logging`."""

    def __init__(
        self,
        service: str,
        redact_keys: Iterable[str] = (),
        enrichers: Iterable[Enricher] = (),
    ) -> None:
        self.service = service
        self.enrichers = tuple(enrichers)
        self.redactor = Redactor(redact_keys)
        self._clean_keys: set[str] = set()
        self._span: tuple[object, str, str] = (None, "", "")

    # -- loguru's format callable ---------------------------------------------------------

    def template(self, record: Record) -> str:
        """Loguru ``format=``: build the line once per record and point the sink at it."""
        if LINE_KEY not in record:
            record[LINE_KEY] = self.line(record)  # type: ignore[literal-required]
        return _TEMPLATE

    # -- the line --------------------------------------------------------------------------

    def line(self, record: Mapping[str, Any]) -> str:
        """The JSON text for a loguru `record` (no newline); never raises."""
        try:
            data = self.compose(
                record["extra"],
                (_START or _start(record)) + record["elapsed"],
                record["level"].name,
                record["name"],
                record["message"],
                record["function"],
                record["line"],
                record["exception"],
            )
        except Exception as exc:  # not a loguru record
            data = self._fallback(record.get("message"), None, exc)
        return data.decode()

    def compose(
        self,
        extra: dict[str, Any],
        timestamp: datetime,
        level: str,
        name: str | None,
        message: str,
        function: str,
        line: int,
        exception: tuple[Any, Any, Any] | None,
        span_context: SpanContext | None = None,
    ) -> bytes:
        """The JSON line (UTF-8, no newline) for one call: obs's keys, fields, enrichers.

        `extra` holds the fields (and the obs logger's name under `LOGGER_KEY`, removed
        here); `name` is the calling module's, `exception` a ``sys.exc_info()`` triple,
        `span_context` the call's span (None: the current one). One function on purpose:
        it runs for every line. It never raises.
        """
        out: dict[str, Any] | None = None
        try:
            logger = extra.pop(LOGGER_KEY, None)
            out = {
                "timestamp": timestamp,
                "level": level,
                "logger": logger or name,
                "message": message,
                "service": self.service,
                "module": name,
                "function": function,
                "line": line,
            }
            context = (
                get_current_span().get_span_context() if span_context is None else span_context
            )
            cached = self._span  # the ids of the last span seen, formatted once
            if context is not cached[0] and context.is_valid:
                cached = (context, hex_trace_id(context.trace_id), hex_span_id(context.span_id))
                self._span = cached
            if context is cached[0]:
                out["trace_id"] = cached[1]
                out["span_id"] = cached[2]
            if exception is not None and exception[0] is not None:
                out["exception"] = "".join(traceback.format_exception(*exception))
            if extra:
                # Fast path: JSON scalars only, finite floats, keys already known clean.
                if _plain(extra.values()) and self._clean_keys.issuperset(extra):
                    out.update(extra)
                else:
                    self._merge(out, extra)
            if self.enrichers:
                self._enrich(out)
            return orjson.dumps(out, default=safe_repr, option=orjson.OPT_UTC_Z)
        except Exception as exc:
            return self._fallback(message, out, exc)

    @staticmethod
    def deferrable(extra: dict[str, Any]) -> bool:
        """Whether a line with these fields may be composed later, on another thread:
        values of JSON's scalar types only, nothing that can change meanwhile (enrichers,
        which read the calling thread, are the caller's to rule out). Cheaper than
        `_plain`: a NaN is left to `compose`.
        """
        return _SCALARS.issuperset(map(type, extra.values()))

    def _enrich(self, out: dict[str, Any]) -> None:
        for enrich in self.enrichers:
            try:
                enrich(out)
            except Exception as exc:
                out.setdefault("obs_error", f"enricher {safe_repr(enrich)} raised {exc!r}")

    def _fallback(self, message: object, out: dict[str, Any] | None, exc: Exception) -> bytes:
        """The line when the fast one failed: values as repr, or a note on what went wrong."""
        try:
            if out is not None:  # built, but orjson refused a value (e.g. an int over 64 bits)
                return _dumps({k: _encodable(v) for k, v in out.items()})
        except Exception as again:
            exc = again
        note = {
            "timestamp": datetime.now(UTC),
            "level": "ERROR",
            "logger": "obs",
            "message": safe_repr(message),
            "service": self.service,
            "obs_error": f"record could not be written: {safe_repr(exc)}",
        }
        return _dumps(note)

    # -- fields: reserved names and redaction -------------------------------------------

    def _merge(self, out: dict[str, Any], fields: dict[str, Any]) -> None:
        """Add `fields` to `out`: reserved names prefixed, secrets redacted, NaN as repr.

        Secrets are also replaced in the record's own `fields`, so no other loguru sink,
        nor loguru's report of a failing sink, sees them.
        """
        written: object
        for key, value in fields.items():
            name = key if type(key) is str else str(key)
            if self.redactor.sensitive(name):
                fields[key] = written = REDACTED
            else:
                written = self.redactor.scrub(value)
                if written is not value and type(value) is not float:
                    fields[key] = written
                if name not in RESERVED and len(self._clean_keys) < _MAX_MEMO:
                    self._clean_keys.add(name)
            out["field_" + name if name in RESERVED else name] = written

    def sensitive(self, key: str) -> bool:
        """Whether `key` names a secret: it contains one of ``redact_keys`` (any case)."""
        return self.redactor.sensitive(key)

    def redacted(self, fields: Mapping[str, Any]) -> dict[str, object]:
        """`fields` with every secret replaced, at any depth (see `_redact`); never raises."""
        return self.redactor.redacted(fields)
