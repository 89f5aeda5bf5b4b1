"""Read OTLP/JSON trace files and lay a trace out as a waterfall (what ``obs traces`` uses).

    from obs_core.traces import TraceFile, waterfall

    traces = TraceFile(".obs/traces.jsonl")
    for summary in traces.summaries()[-5:]:  # the five latest traces
        print(summary.trace_id, summary.root_name, summary.duration_ns / 1e6)
    rows = waterfall(traces.spans(summary.trace_id))  # JSON-ready, parents first

Stdlib only (orjson's parser when installed): it imports no OpenTelemetry code. The
writing side, `OTLPJsonFileSpanExporter` (the exporter behind ``traces_exporter="file"``)
and `otlp_json_line` (spans as one OTLP/JSON line), needs the SDK and loads when asked.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any

from obs_core.tracing._read import (
    Span,
    TraceFile,
    TraceSummary,
    decode_span,
    key_attributes,
    status_name,
    tree,
    waterfall,
)

if TYPE_CHECKING:
    from obs_core.tracing._otlp_file import OTLPJsonFileSpanExporter, otlp_json_line

__all__ = [
    "OTLPJsonFileSpanExporter",
    "Span",
    "TraceFile",
    "TraceSummary",
    "decode_span",
    "key_attributes",
    "otlp_json_line",
    "status_name",
    "tree",
    "waterfall",
]

_WRITERS = frozenset({"OTLPJsonFileSpanExporter", "otlp_json_line"})


def __getattr__(name: str) -> Any:
    """The writing side loads on first use (PEP 562): it needs the OpenTelemetry SDK."""
    if name not in _WRITERS:
        raise AttributeError(f"module 'obs_core.traces' has no attribute {name!r}")
    value = getattr(_import_module("obs_core.tracing._otlp_file"), name)
    globals()[name] = value
    return value
