"""Trace and span ids as W3C and OTLP/JSON write them: lowercase hex, zero-padded.

``int.to_bytes(...).hex()`` costs half of ``format(id, "032x")``, and every log line
inside a span and every exported span writes two or three of them.
"""

from __future__ import annotations

__all__ = ["hex_span_id", "hex_trace_id"]


def hex_trace_id(trace_id: int) -> str:
    """32 lowercase hex digits (an id out of range: as ``format`` writes it)."""
    try:
        return trace_id.to_bytes(16, "big").hex()
    except OverflowError:
        return format(trace_id, "032x")


def hex_span_id(span_id: int) -> str:
    """16 lowercase hex digits (an id out of range: as ``format`` writes it)."""
    try:
        return span_id.to_bytes(8, "big").hex()
    except OverflowError:
        return format(span_id, "016x")
