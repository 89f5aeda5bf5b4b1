"""Read OTLP/JSON trace files and lay a trace out as a waterfall (what ``obs traces`` uses).

    from obs_core.traces import TraceFile, waterfall

    traces = TraceFile(".obs/traces.jsonl")
    for summary in traces.summaries()[-5:]:  # the five latest traces
        print(summary.trace_id, summary.root_name, summary.duration_ns / 1e6)
    rows = waterfall(traces.spans(summary.trace_id))  # JSON-ready, parents first

Stdlib only (orjson's parser when installed): it imports no OpenTelemetry code.
"""

from __future__ import annotations

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

__all__ = [
    "Span",
    "TraceFile",
    "TraceSummary",
    "decode_span",
    "key_attributes",
    "status_name",
    "tree",
    "waterfall",
]
