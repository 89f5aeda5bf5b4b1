"""The embedded default exporter: OTLP/JSON lines in a local file, no collector needed.

Each line is one ``ExportTraceServiceRequest`` in the OTLP/JSON encoding (lowerCamelCase
field names, hex trace and span ids, enums as integers, 64-bit integers as strings), the
format an OpenTelemetry Collector's ``otlpjsonfile`` receiver reads.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from obs_core.logging._linefile import LineFile
from obs_core.tracing._otlp_json import encode_request

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["OTLPJsonFileSpanExporter", "otlp_json_line"]

_logger = logging.getLogger(__name__)


def otlp_json_line(spans: Sequence[ReadableSpan]) -> bytes:
    """One ``ExportTraceServiceRequest`` for `spans` as an OTLP/JSON line (with newline)."""
    return orjson.dumps(encode_request(spans), option=orjson.OPT_APPEND_NEWLINE)


class OTLPJsonFileSpanExporter(SpanExporter):
    """Append each batch as one OTLP/JSON line to `path` (parent folders are created).

    Lines are appended whole through a `LineFile`, so the workers of a pre-fork server
    can share one file and a full disk never leaves a torn line. A failed write (full
    disk, permissions) is reported as a failed export and logged once per distinct error.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file = LineFile(self.path)
        self._shutdown = False
        self._last_error = ""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write one line for the batch; never raises."""
        if not spans:
            return SpanExportResult.SUCCESS
        if self._shutdown:
            return SpanExportResult.FAILURE
        try:
            self._file.append(otlp_json_line(spans))
        except Exception as exc:
            if str(exc) != self._last_error:  # once per distinct error, not once per batch
                self._last_error = str(exc)
                _logger.warning("obs: could not write spans to %s: %s", self.path, exc)
            return SpanExportResult.FAILURE
        self._last_error = ""
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Close the file; later exports are refused."""
        self._shutdown = True
        self._file.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered: every export is written at once."""
        return True
