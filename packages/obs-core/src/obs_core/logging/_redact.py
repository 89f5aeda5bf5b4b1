"""Redaction of log fields: secrets replaced at any depth, whatever holds them.

A key names a secret when it contains one of ``redact_keys`` (any case, ``-`` read as
``_``); its value, whatever it is, is written as `REDACTED`. The walk looks into:

- mappings, and objects with ``keys``/``items`` (werkzeug's ``Headers``): by key, a
  non-``str`` key by its text (``{("db", "password"): ...}`` is caught);
- dataclasses and named tuples: by field name (written as objects);
- lists, tuples and sets, where a two-item ``(name, value)`` pair whose name is a
  secret's has its value redacted (``headers=[("Authorization", "Bearer ...")]``);
- other objects: by attribute (``__dict__`` or ``__slots__``; a private one, ``_name``,
  by its name only). One holding a secret is written as its public attributes,
  redacted; any other is left to the line's ``repr``.

Nothing deeper than `MAX_DEPTH` levels is written: a container there becomes `TOO_DEEP`
(a cycle ends so too), and once a field has had `MAX_NODES` values walked its remaining
containers become `TOO_BIG`, so a log call never walks a whole object graph. Message
text and strings are not searched.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass
from enum import Enum
from typing import Any

__all__ = ["DROPPED", "MAX_DEPTH", "MAX_NODES", "REDACTED", "TOO_BIG", "TOO_DEEP", "Redactor"]

REDACTED = "[REDACTED]"
TOO_DEEP = "[TOO DEEP]"
"""What a container nested deeper than `MAX_DEPTH` levels is written as (never its repr)."""
TOO_BIG = "[TOO BIG]"
"""What a container is written as once a field has had `MAX_NODES` values walked."""
DROPPED = "obs_dropped"
"""The key noting fields that could not be read, and so were not written."""
MAX_DEPTH = 16
MAX_NODES = 5_000
_MAX_MEMO = 4096
_SCALARS = frozenset({str, int, float, bool, type(None)})


class Redactor:
    """Finds and replaces secrets in log fields; one per `init_logging`."""

    def __init__(self, redact_keys: Iterable[str] = ()) -> None:
        self._words = tuple(k.lower().replace("-", "_") for k in redact_keys if k)
        self._memo: dict[str, bool] = {}

    def sensitive(self, key: str) -> bool:
        """Whether `key` names a secret: it contains one of ``redact_keys`` (any case)."""
        verdict = self._memo.get(key)
        if verdict is None:
            norm = key.lower().replace("-", "_")
            verdict = any(word in norm for word in self._words)
            if len(self._memo) < _MAX_MEMO:
                self._memo[key] = verdict
        return verdict

    def scrub(self, value: object) -> object:
        """`value` with its secrets replaced, ready for orjson; never raises."""
        try:
            return self._scrub(value, 0, _Walk())
        except Exception as exc:  # a container that cannot be read: name it, write nothing
            return f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"

    def redacted(self, fields: Mapping[str, Any]) -> dict[str, object]:
        """`fields` with every secret replaced; never raises.

        For the line written when a log call itself failed: what could not be read is
        replaced by a marker, never written raw.
        """
        out: dict[str, object] = {}
        try:
            for key, value in fields.items():
                name = key if type(key) is str else _text(key)
                out[name] = REDACTED if self.sensitive(name) else self.scrub(value)
        except Exception as exc:
            out[DROPPED] = f"{type(fields).__name__}: {type(exc).__name__}"
        return out

    def _scrub(self, value: object, depth: int, walk: _Walk) -> object:
        kind = type(value)
        walk.left -= 1
        if kind is float:
            return value if math.isfinite(value) else repr(value)  # type: ignore[arg-type]
        if kind in _SCALARS:
            return value
        if depth >= MAX_DEPTH:
            return walk.mark(TOO_DEEP)
        if walk.left < 0:
            return walk.mark(TOO_BIG)
        if isinstance(value, Mapping):
            return self._items(value.items(), depth, walk)
        if isinstance(value, tuple) and hasattr(kind, "_fields"):  # a named tuple
            return self._items(zip(kind._fields, value, strict=False), depth, walk)
        if isinstance(value, list | tuple):
            if len(value) == 2 and type(value[0]) is str and self.sensitive(value[0]):
                return [value[0], walk.mark(REDACTED)]  # a (name, value) pair, e.g. a header
            return [self._scrub(item, depth + 1, walk) for item in value]
        if isinstance(value, set | frozenset):
            return [self._scrub(item, depth + 1, walk) for item in value]
        if isinstance(value, str | int):  # subclasses: orjson writes them as they are
            return value
        if isinstance(value, Enum):  # orjson writes an enum as its value
            return self._scrub(value.value, depth + 1, walk)
        if is_dataclass(value) and not isinstance(value, type):
            pairs = ((f.name, getattr(value, f.name, None)) for f in dataclass_fields(value))
            return self._items(pairs, depth, walk)
        if callable(getattr(kind, "items", None)) and callable(getattr(kind, "keys", None)):
            return self._items(value.items(), depth, walk)  # type: ignore[attr-defined]
        attributes = _attributes(value)
        if attributes:
            marks = walk.marks
            public = ((k, v) for k, v in attributes.items() if k[:1] != "_" or self.sensitive(k))
            scrubbed = self._items(public, depth, walk)
            if walk.marks > marks:  # something was cut or redacted: its repr may show it
                return scrubbed
        return value

    def _items(
        self, items: Iterable[tuple[object, object]], depth: int, walk: _Walk
    ) -> dict[str, object]:
        scrubbed: dict[str, object] = {}
        for raw_key, item in items:
            key = raw_key if type(raw_key) is str else _text(raw_key)
            if self.sensitive(key):
                scrubbed[key] = walk.mark(REDACTED)
            else:
                scrubbed[key] = self._scrub(item, depth + 1, walk)
        return scrubbed


class _Walk:
    """One field's walk: the values it may still visit, and the markers it wrote."""

    __slots__ = ("left", "marks")

    def __init__(self) -> None:
        self.left = MAX_NODES
        self.marks = 0

    def mark(self, marker: str) -> str:
        self.marks += 1
        return marker


def _text(key: object) -> str:
    """``str(key)``, or its ``repr`` when ``__str__`` raises, or a placeholder."""
    try:
        return str(key)
    except Exception:
        try:
            return repr(key)
        except Exception:
            return f"<unrepresentable {type(key).__name__}>"


def _attributes(value: object) -> dict[str, object] | None:
    """An object's instance attributes (``__dict__``, else its ``__slots__``), if any."""
    found = getattr(value, "__dict__", None)
    if isinstance(found, dict):
        return found
    slots: dict[str, object] = {}
    for klass in type(value).__mro__:
        names = klass.__dict__.get("__slots__", ())
        for name in (names,) if isinstance(names, str) else names:
            if type(name) is str and not name.startswith("__") and hasattr(value, name):
                slots[name] = getattr(value, name)
    return slots or None
