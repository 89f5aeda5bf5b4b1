"""Log lines kept for a moment and written in batches, off the calling thread.

With ``log_flush_interval`` set, obs's file and stdout sinks do not write each line as it
is logged. The line (or, on the direct route, the parts it is made of) goes on a list, and
one thread encodes and writes everything listed at most that interval later, with one
``write`` per batch. A request then pays for a list append instead of a JSON encoding and
a system call.

Nothing is dropped on the way: a line at ERROR or above is written at once by its caller,
with every line listed before it; so is a list that reaches `MAX_PENDING` lines (the
caller waits instead of the list growing), every list before a fork (the child starts
with none of the parent's lines) and at exit, and a sink's list when its handler is
removed. Only a process killed outright (SIGKILL, the OOM killer) loses what was listed:
at most one interval of lines. That is why it is a setting, off by default.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import weakref
from collections.abc import Callable
from time import monotonic as _monotonic
from typing import Any

__all__ = [
    "MAX_PENDING",
    "URGENT",
    "BatchedStream",
    "Deferred",
    "LineBatch",
    "add_message",
    "flush_all",
]

URGENT = 40
"""Loguru's ERROR: a line at this level or above is written before its call returns."""
MAX_PENDING = 10_000
"""Lines a list may hold; the call that fills it writes them (no line is dropped)."""

_write_lock = threading.Lock()  # one batch written at a time: every file keeps call order


Deferred = tuple[Any, ...]
"""A line's parts, taken on the calling thread: a compose function, then its arguments.

The arguments hold JSON scalars only, so nothing in them can change before the line is
composed, once, by whichever thread writes the batch.
"""


class LineBatch:
    """The lines waiting for one sink, written by the flush thread every `interval`.

    `append` writes whole lines to it (a `LineFile`'s, a stream's), `path` names it in a
    report.
    """

    def __init__(self, append: Callable[[bytes], None], path: str, interval: float) -> None:
        self.append = append
        self.path = path
        self.interval = interval
        self.pending: list[bytes | Deferred] = []
        self.due = 0.0  # when the thread writes the list (set by its first line)
        _flusher.batches.add(self)

    def add(self, line: bytes | Deferred, urgent: bool = False) -> None:
        """List one line (bytes end with a newline); `urgent` writes the list now."""
        pending = self.pending
        if not pending:
            self.due = _monotonic() + self.interval
            _flusher.wake()
        pending.append(line)
        if urgent or len(pending) >= MAX_PENDING:
            self.flush()

    def flush(self) -> None:
        """Write every line listed so far, in one append; never raises.

        A failed write (a full disk) is reported on stderr, as a failed line is; the
        lines of that batch are lost, as they would have been written one by one.
        """
        with _write_lock:
            pending = self.pending
            count = len(pending)
            if not count:
                return
            taken = pending[:count]
            del pending[:count]  # lines listed meanwhile stay, after these
            try:
                self.append(
                    b"".join(
                        line if type(line) is bytes else line[0](*line[1:]) + b"\n"  # type: ignore[operator]
                        for line in taken
                    )
                )
            except Exception as exc:
                _report(count, self.path, exc)

    def forget(self) -> None:
        """After a fork, in the child: the parent writes its own lines."""
        self.pending = []


def add_message(batch: LineBatch, message: str) -> None:
    """List a line loguru formatted; its record (when it has one) says if it is urgent."""
    record = getattr(message, "record", None)
    urgent = record is not None and record["level"].no >= URGENT
    batch.add(message.encode("utf-8", "backslashreplace"), urgent)


class BatchedStream:
    """A loguru sink writing a text stream's lines (stdout's) in batches, one write each.

    It has no ``flush``: loguru would call it after every line.
    """

    def __init__(self, stream: Any, flush_interval: float) -> None:
        self.stream = stream
        name = getattr(stream, "name", None)
        self.batch = LineBatch(self._write, str(name or repr(stream)), flush_interval)

    def __repr__(self) -> str:
        return f"BatchedStream({self.stream!r})"

    def _write(self, data: bytes) -> None:
        stream = self.stream
        stream.write(data.decode("utf-8", "backslashreplace"))
        flush = getattr(stream, "flush", None)
        if flush is not None:
            flush()

    def write(self, message: str) -> None:
        """List one formatted line (it ends with a newline)."""
        add_message(self.batch, message)

    def stop(self) -> None:
        """Called by loguru when the handler is removed: write what waits."""
        self.batch.flush()


def _report(count: int, path: str, exc: Exception) -> None:
    try:
        sys.stderr.write(f"obs: {count} log line(s) could not be written to {path!r}: {exc!r}\n")
    except Exception:
        return


class _Flusher:
    """The one thread writing every batched sink: woken by a list's first line."""

    def __init__(self) -> None:
        self.batches: weakref.WeakSet[LineBatch] = weakref.WeakSet()
        self._wake = threading.Event()
        self._start_lock = threading.Lock()
        self._pid = 0

    def wake(self) -> None:
        if self._pid != os.getpid():
            self._start()
        self._wake.set()

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            thread = threading.Thread(target=self._run, name="obs-log-writer", daemon=True)
            thread.start()
            self._pid = os.getpid()

    def _run(self) -> None:
        wake = self._wake
        while True:
            wake.clear()  # a first line listed from here on wakes the wait below
            batches = [batch for batch in list(self.batches) if batch.pending]
            now = _monotonic()
            due = min((batch.due for batch in batches), default=None)
            if due is None or due > now:
                wake.wait(None if due is None else due - now)
                continue
            for batch in batches:
                if batch.due <= now:
                    batch.flush()  # never raises: the thread outlives any bad write

    def flush_all(self) -> None:
        for batch in list(self.batches):
            batch.flush()

    def after_fork_in_child(self) -> None:
        global _write_lock
        _write_lock = threading.Lock()
        self._wake = threading.Event()
        self._start_lock = threading.Lock()
        self._pid = 0  # the thread did not come along: the next line starts one
        for batch in list(self.batches):
            batch.forget()


_flusher = _Flusher()


def flush_all() -> None:
    """Write every batched file's waiting lines now (at exit, before a fork)."""
    _flusher.flush_all()


atexit.register(flush_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=flush_all, after_in_child=_flusher.after_fork_in_child)
