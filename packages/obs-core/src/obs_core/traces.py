"""Read OTLP/JSON trace files and lay a trace out as a waterfall (what ``obs traces`` uses).

with_file = TraceFile(".obs/traces.jsonl")
for summary in with_file.summaries()[-5:]:
    print(summary.trace_id, summary.root_name)
rows = waterfall(with_file.spans(summary.trace_id))

Stdlib and orjson only: importing this module loads no OpenTelemetry code.
"""

from __future__ import annotations

from obs_core._traces_read import (
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
