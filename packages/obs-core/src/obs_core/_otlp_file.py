"""The embedded default exporter: OTLP/JSON lines in a local file, no collector needed.

Each line is one ``ExportTraceServiceRequest`` in the OTLP/JSON encoding (lowerCamelCase
field names, hex trace and span ids, enums as integers, 64-bit integers as strings), the
format an OpenTelemetry Collector's ``otlpjsonfile`` receiver reads.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from obs_core._otlp_json import encode_request

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["OTLPJsonFileSpanExporter", "otlp_json_line"]

_logger = logging.getLogger(__name__)


def otlp_json_line(spans: Sequence[ReadableSpan]) -> bytes:
    """One ``ExportTraceServiceRequest`` for `spans` as an OTLP/JSON line (with newline)."""
    return orjson.dumps(encode_request(spans), option=orjson.OPT_APPEND_NEWLINE)


class OTLPJsonFileSpanExporter(SpanExporter):
    """Append each batch as one OTLP/JSON line to `path` (parent folders are created).

    Each line goes out in a single ``write`` on an ``O_APPEND`` descriptor, so the
    workers of a pre-fork server can share one file; the file is reopened after a fork.
    A failed write (full disk, permissions) is reported as a failed export and logged once
    per distinct error.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._shutdown = False
        self._last_error = ""

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._pid = os.getpid()
        return self._fd

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write one line for the batch; never raises."""
        if not spans:
            return SpanExportResult.SUCCESS
        if self._shutdown:
            return SpanExportResult.FAILURE
        try:
            line = otlp_json_line(spans)
            with self._lock:
                fd = self._descriptor()
                written = os.write(fd, line)
                while written < len(line):  # only on a partial write (rare)
                    written += os.write(fd, line[written:])
        except Exception as exc:
            if str(exc) != self._last_error:  # once per distinct error, not once per batch
                self._last_error = str(exc)
                _logger.warning("obs: could not write spans to %s: %s", self.path, exc)
            return SpanExportResult.FAILURE
        self._last_error = ""
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Close the file; later exports are refused."""
        with self._lock:
            self._shutdown = True
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered: every export is written at once."""
        return True
