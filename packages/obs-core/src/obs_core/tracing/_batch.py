"""obs's batch span processor: the export thread drains the queue as soon as a batch is ready.

The SDK's processor (1.45) wakes its thread when the queue reaches one batch, exports
whole batches only and leaves the rest queued, so under load the queue hovers near a
batch deep and a stall of the thread (the request thread holds the GIL for 5 ms at a
time, a slow write, a garbage collection) overflows its 2,048 places. Here the thread,
once woken, exports until the queue is empty (full batches, then what is left), and
rearms its wake-up before it starts, so spans ended during an export wake it again.

A span that cannot be kept is counted by reason (``queue_full``, ``export_failed``,
``shutdown``) in ``obs_spans_dropped_total`` and logged once per episode, never once
per span. A forked child starts its own thread and drops the parent's queued spans.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY, attach, detach, set_value
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["DROP_REASONS", "DropCounter", "ObsBatchSpanProcessor"]

_logger = logging.getLogger("obs_core.tracing")

DROP_REASONS = ("queue_full", "export_failed", "shutdown")


class _Child(Protocol):
    def inc(self, amount: float = 1) -> None: ...


class DropCounter(Protocol):
    """A Prometheus counter with a ``reason`` label (``obs_spans_dropped_total``)."""

    def labels(self, reason: str) -> _Child: ...


class _Uncounted:
    def inc(self, amount: float = 1) -> None:
        pass


class ObsBatchSpanProcessor(SpanProcessor):
    """Queue sampled spans as they end; export them in batches on one background thread.

    `max_queue_size`, `max_export_batch_size` and `schedule_delay_millis` mean what the
    ``OTEL_BSP_*`` variables of the same names say; `export_timeout_millis` bounds how
    long `force_flush` waits by default.
    """

    def __init__(
        self,
        exporter: SpanExporter,
        *,
        schedule_delay_millis: float,
        max_queue_size: int,
        max_export_batch_size: int,
        export_timeout_millis: float,
        dropped: DropCounter | None = None,
    ) -> None:
        if max_queue_size <= 0 or max_export_batch_size <= 0 or schedule_delay_millis <= 0:
            raise ValueError("queue size, batch size and schedule delay must be positive")
        self.exporter = exporter
        self._delay = schedule_delay_millis / 1000.0
        self._max_queue = max_queue_size
        self._batch = min(max_export_batch_size, max_queue_size)
        self._high_water = max(max_queue_size * 3 // 4, self._batch)
        self._flush_timeout = export_timeout_millis / 1000.0
        counted = dropped.labels if dropped is not None else (lambda reason: _Uncounted())
        self._full, self._failed, self._late = (counted(reason) for reason in DROP_REASONS)
        self._queue: deque[ReadableSpan] = deque()
        self._shutdown = False
        self._abandoned = False  # shutdown gave up waiting: the thread stops after its export
        self._dropping = 0  # spans dropped for a full queue in the current episode
        self._failing = 0  # spans lost to failed exports in the current episode
        self._start()
        if hasattr(os, "register_at_fork"):
            restart = weakref.WeakMethod(self._start)

            def _in_child() -> None:
                method = restart()
                if method is not None:
                    method()

            os.register_at_fork(after_in_child=_in_child)

    def _start(self) -> None:
        """A new thread, lock and wake-up (also in a forked child, where the parent's thread
        does not exist and its queued spans are the parent's to export)."""
        self._queue.clear()
        self._wake = threading.Event()
        self._export_lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="obs-span-export", daemon=True)
        self._thread.start()

    def on_end(self, span: ReadableSpan) -> None:
        """Runs on the request thread: an append, and a wake-up once per batch."""
        if not span.context.trace_flags.sampled:
            return
        if self._shutdown:
            self._late.inc()
            return
        queue = self._queue
        if len(queue) >= self._max_queue:
            self._drop_full()
            return
        queue.append(span)
        depth = len(queue)
        if depth >= self._batch and not self._wake.is_set():
            self._wake.set()
        if depth > self._high_water:
            # falling behind: hand the GIL to the export thread now rather than at the end
            # of this thread's 5 ms slice (free when the exporter waits on the network)
            time.sleep(0)

    def _drop_full(self) -> None:
        self._full.inc()
        self._dropping += 1
        if self._dropping == 1:
            _logger.warning(
                "obs: the span queue is full (%d spans): dropping spans until the exporter "
                'catches up; counted in obs_spans_dropped_total{reason="queue_full"}',
                self._max_queue,
            )
        if not self._wake.is_set():
            self._wake.set()

    def _work(self) -> None:
        token = attach(set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))  # no spans of exports
        try:
            while not self._shutdown:
                self._wake.wait(self._delay)
                self._wake.clear()  # before draining: a span ended meanwhile wakes us again
                with self._export_lock:
                    self._drain(lambda: not self._shutdown)
            with self._export_lock:
                self._drain(lambda: not self._abandoned)
        finally:
            detach(token)

    def _drain(self, keep_going: Callable[[], bool]) -> None:
        """Export everything queued, a batch at a time, oldest first (export lock held)."""
        queue, size = self._queue, self._batch
        while queue and keep_going():
            count = min(size, len(queue))
            self._export([queue.popleft() for _ in range(count)])
        if self._dropping and not queue:
            _logger.warning(
                "obs: the exporter caught up; %d spans were dropped while the queue was full",
                self._dropping,
            )
            self._dropping = 0

    def _export(self, batch: list[ReadableSpan]) -> None:
        try:
            result = self.exporter.export(batch)
        except Exception:
            _logger.exception("obs: the span exporter raised; %d spans lost", len(batch))
            result = SpanExportResult.FAILURE
        if result is SpanExportResult.SUCCESS:
            if self._failing:
                _logger.warning(
                    "obs: span exports succeed again; %d spans were lost to failed exports",
                    self._failing,
                )
                self._failing = 0
            return
        self._failed.inc(len(batch))
        if not self._failing:
            _logger.warning(
                "obs: a span export failed (%s); counted in "
                'obs_spans_dropped_total{reason="export_failed"} until exports succeed',
                type(self.exporter).__name__,
            )
        self._failing += len(batch)

    def force_flush(self, timeout_millis: int | None = None) -> bool:
        """Export what is queued now, on the calling thread; False if it could not finish."""
        if self._shutdown:
            return False
        timeout = self._flush_timeout if timeout_millis is None else timeout_millis / 1000.0
        token = attach(set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
        try:
            if not self._export_lock.acquire(timeout=max(timeout, 0.0)):
                return False
            try:
                self._drain(lambda: True)
            finally:
                self._export_lock.release()
        finally:
            detach(token)
        return True

    def shutdown(self, timeout_millis: int = 30000) -> None:
        """Export what is queued, then stop the thread and the exporter.

        Waits at most `timeout_millis` for the thread; spans it could not export by then
        are counted as dropped at shutdown (obs bounds this further with
        ``shutdown_timeout``, aborting the exporter).
        """
        if self._shutdown:
            return
        self._shutdown = True
        self._wake.set()
        self._thread.join(timeout_millis / 1000.0)
        if self._thread.is_alive():
            self._abandoned = True
        left = len(self._queue)
        if left and self._abandoned:
            self._queue.clear()
            self._late.inc(left)
        self.exporter.shutdown()
