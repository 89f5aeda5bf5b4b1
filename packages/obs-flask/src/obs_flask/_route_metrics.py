"""One route's metric children, resolved at its first request, and how a request updates them.

A request touches four values: its status's counter, one histogram bucket and the sum,
and the in-progress gauge (up at the start, down at the end). In single-process mode
they go through prometheus-client's public methods (exemplars included). In
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``) prometheus-client takes a lock and
asks the kernel for the pid on every value it updates, and exemplars are not kept;
there the record writes the same values into the same per-process files itself, under
one lock and one pid check per hook, so the merged ``/metrics`` is what the public
methods would have produced. Only on the prometheus-client releases this was checked
against (`TESTED_PROMETHEUS_CLIENT`); any other gets the public methods. The lock is
obs's own: code that updates obs's HTTP children through prometheus-client from another
thread at the same moment could race with it (nothing in obs does).
"""

from __future__ import annotations

import os
import threading
from bisect import bisect_left
from functools import cache
from typing import TYPE_CHECKING, Any

from obs_core import distribution_version

if TYPE_CHECKING:
    from prometheus_client import Counter, Gauge, Histogram

__all__ = ["RouteMetrics"]

_lock = threading.Lock()
_pid = [os.getpid()]
"""The pid the files were last known to belong to (a list so the hot path skips `global`)."""


class RouteMetrics:
    """The children of one (method, route template); `started` and `finished` per request."""

    __slots__ = (
        "_bounds",
        "_buckets",
        "_counts",
        "_gauge",
        "_requests",
        "_sum",
        "duration",
        "in_progress",
        "labels",
    )

    def __init__(
        self, requests: Counter, duration: Histogram, in_progress: Gauge, labels: tuple[str, str]
    ) -> None:
        self.labels = labels
        self._requests = requests
        self.duration: Any = duration.labels(*labels)
        self.in_progress: Any = in_progress.labels(*labels)
        self._counts: dict[str, Any] = {}
        direct = _direct(self.duration, self.in_progress)
        # multiprocess: the raw values; single process: None, and the public methods are used
        self._bounds: list[float] | None = direct[0] if direct else None
        self._buckets: list[Any] = direct[1] if direct else []
        self._sum: Any = direct[2] if direct else None
        self._gauge: Any = direct[3] if direct else None

    def _count(self, status: str) -> Any:
        child = self._requests.labels(*self.labels, status)
        if self._bounds is None:
            self._counts[status] = child
            return child
        if not _mmaped(getattr(child, "_value", None)):  # the value class changed: go public
            self._bounds = self._gauge = None  # the whole route, so one lock guards each value
            self._counts.clear()
            return self._count(status)
        self._counts[status] = child._value
        return child._value

    def started(self) -> None:
        """One more request of this route is being served."""
        gauge = self._gauge
        if gauge is None:
            self.in_progress.inc()
            return
        with _lock:
            if os.getpid() != _pid[0]:
                _after_fork(gauge)
            gauge._value += 1.0
            gauge._file.write_value(gauge._key, gauge._value, 0.0)

    def finished(self, status: str, duration: float, trace_id: str | None, started: bool) -> None:
        """Count the request by status, time it, and take it off the in-progress gauge."""
        count = self._counts.get(status) or self._count(status)
        bounds = self._bounds
        if bounds is None:
            count.inc()
            if trace_id is not None:
                self.duration.observe(duration, {"trace_id": trace_id})
            else:
                self.duration.observe(duration)
            if started:
                self.in_progress.dec()
            return
        bucket = self._buckets[bisect_left(bounds, duration)]
        total = self._sum
        with _lock:
            if os.getpid() != _pid[0]:
                _after_fork(total)
            count._value += 1.0
            count._file.write_value(count._key, count._value, 0.0)
            bucket._value += 1.0
            bucket._file.write_value(bucket._key, bucket._value, 0.0)
            total._value += duration
            total._file.write_value(total._key, total._value, 0.0)
            if started:
                gauge = self._gauge
                gauge._value -= 1.0
                gauge._file.write_value(gauge._key, gauge._value, 0.0)


def _after_fork(value: Any) -> None:
    """A forked process: let prometheus-client reopen every value on this process's files."""
    value.get()  # its own pid check runs first and re-reads each value from the new files
    _pid[0] = os.getpid()


TESTED_PROMETHEUS_CLIENT = ("0.26.",)
"""The prometheus-client releases whose value layout the direct writes were checked against."""


def trusted(release: str) -> bool:
    """Whether the direct writes may touch this prometheus-client's values (else: public calls)."""
    return release.startswith(TESTED_PROMETHEUS_CLIENT)


@cache
def _installed() -> str:
    return distribution_version("prometheus-client", "") or ""


def _direct(duration: Any, in_progress: Any) -> tuple[list[float], list[Any], Any, Any] | None:
    """The histogram's bounds, bucket and sum values and the gauge's value, if writable here."""
    if not trusted(_installed()):
        return None
    try:
        bounds = list(duration._upper_bounds)
        values = [*duration._buckets, duration._sum, in_progress._value]
    except AttributeError:  # another prometheus-client layout: keep to the public methods
        return None
    if not all(_mmaped(v) for v in values) or len(bounds) != len(duration._buckets):
        return None
    return bounds, values[:-2], values[-2], values[-1]


def _mmaped(value: Any) -> bool:
    return (
        getattr(value, "_multiprocess", False) is True
        and isinstance(getattr(value, "_value", None), float)
        and hasattr(value, "_key")
        and callable(getattr(getattr(value, "_file", None), "write_value", None))
    )
