"""The SDK pieces obs installs: a reconfigurable provider, swappable exporters, bounded stop.

Spans take the SDK's own path (``Tracer`` → ``SynchronousMultiSpanProcessor`` → batch
processor); the subclasses here only add the setup-time operations obs needs: swap the
processors on re-initialisation, update the resource and sampler of tracers already handed
out, and re-create exporters in a forked child.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import (
    ConcurrentMultiSpanProcessor,
    SpanProcessor,
    SynchronousMultiSpanProcessor,
    TracerProvider,
)
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import Sampler

from obs_core.tracing._tracer import adopt

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.util.types import Attributes

__all__ = [
    "ExporterSlot",
    "ListExporter",
    "ObsTracerProvider",
    "detach_processor",
    "shutdown_within",
]

_logger = logging.getLogger("obs_core.tracing")


class ExporterSlot(SpanExporter):
    """Holds one exporter behind a batch processor so a forked child can swap in a fresh one.

    Runs on the batch processor's export thread only. Shutdown happens once, so the
    bounded stop may abort a slow exporter before its processor gets round to it.
    """

    def __init__(self, exporter: SpanExporter) -> None:
        self.exporter = exporter
        self._stopped = False
        self._stop_lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.exporter.export(spans)

    def release(self) -> None:
        """Let go of the exporter without stopping it (a newer slot holds it now)."""
        with self._stop_lock:
            self._stopped = True

    def shutdown(self) -> None:
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporter.force_flush(timeout_millis)


class ListExporter(SpanExporter):
    """Appends every exported span to a list the caller holds (for `capture_spans`)."""

    def __init__(self, spans: list[ReadableSpan]) -> None:
        self.spans = spans

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS


class _ObsMultiSpanProcessor(SynchronousMultiSpanProcessor):
    """The SDK's sequential fan-out, plus an atomic swap of obs's processors."""

    def replace(self, old: Sequence[SpanProcessor], new: Sequence[SpanProcessor]) -> None:
        """Remove `old` and append `new` in one step (the hot path reads a tuple)."""
        with self._lock:
            kept = tuple(p for p in self._span_processors if not any(p is o for o in old))
            self._span_processors = kept + tuple(new)


class ObsTracerProvider(TracerProvider):
    """The SDK provider obs installs; obs (not the SDK's atexit) bounds its shutdown."""

    def __init__(self, resource: Resource, sampler: Sampler) -> None:
        self.processors = _ObsMultiSpanProcessor()  # type: ignore[no-untyped-call]
        super().__init__(
            sampler=sampler,
            resource=resource,
            shutdown_on_exit=False,
            active_span_processor=self.processors,
        )

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: Attributes = None,
    ) -> trace.Tracer:
        """The SDK's tracer, which skips the SDK for spans the sampler drops (`_tracer`)."""
        return adopt(
            super().get_tracer(
                instrumenting_module_name, instrumenting_library_version, schema_url, attributes
            )
        )

    def reconfigure(self, resource: Resource, sampler: Sampler) -> None:
        """New resource and sampler, also for the tracers already handed out."""
        lock = getattr(self, "_tracers_lock", None) or threading.Lock()
        with lock:
            self._resource = resource
            self.sampler = sampler
            for tracer in getattr(self, "_tracers", {}).values():
                tracer.resource = resource
                tracer.sampler = sampler
                adopt(tracer)  # the fast path for dropped spans fits the new sampler


def detach_processor(provider: TracerProvider, processor: SpanProcessor) -> None:
    """Remove a processor from any SDK provider (the SDK only offers adding)."""
    active = provider._active_span_processor
    if isinstance(active, _ObsMultiSpanProcessor):
        active.replace([processor], [])
    elif isinstance(active, SynchronousMultiSpanProcessor | ConcurrentMultiSpanProcessor):
        with active._lock:
            active._span_processors = tuple(
                p for p in active._span_processors if p is not processor
            )


def _quietly(action: Callable[[], object]) -> None:
    try:
        action()
    except Exception:
        _logger.exception("obs: error while stopping a span processor")


def shutdown_within(
    processors: Sequence[SpanProcessor], slots: Sequence[ExporterSlot], timeout: float
) -> bool:
    """Flush and stop `processors` in parallel, waiting at most `timeout` seconds.

    The SDK would wait up to 30 s per processor (and an exporter retries for its own
    timeout), so each stop runs in a daemon thread; whatever is still exporting at the
    deadline has its exporter shut down, which aborts the retries, and is left behind.
    Returns whether everything finished in time.
    """
    deadline = time.monotonic() + timeout
    threads = []
    for processor in processors:
        thread = threading.Thread(
            target=_quietly, args=(processor.shutdown,), name="obs-trace-shutdown", daemon=True
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if not any(thread.is_alive() for thread in threads):
        return True
    for slot in slots:
        threading.Thread(target=_quietly, args=(slot.shutdown,), daemon=True).start()
    _logger.warning(
        "obs: span exporters did not finish within %.1f s (shutdown_timeout); "
        "unsent spans were dropped",
        timeout,
    )
    return False
