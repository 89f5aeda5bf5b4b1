"""RED figures per route (rate, error ratio, p50/p95) from the live HTTP metrics.

Counters and histograms only grow, so figures over a recent window are differences
between two readings: each time the console asks, a reading is kept (a bounded few),
and the figures span from the oldest reading inside the window (or the console's
start) to now.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from obs_flask._http_metrics import HttpMetrics

__all__ = ["RedReader", "histogram_quantile"]

Key = tuple[str, str]  # (method, route template)


@dataclass
class _Route:
    requests: float = 0.0
    errors: float = 0.0
    buckets: dict[float, float] = field(default_factory=dict)  # upper bound → cumulative


Reading = dict[Key, _Route]


def histogram_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """Prometheus's interpolation over cumulative ``(upper bound, count)`` buckets."""
    buckets = sorted(buckets)
    if not buckets or buckets[-1][1] == 0:
        return float("nan")
    rank = q * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for bound, cumulative in buckets:
        if cumulative >= rank:
            if bound == float("inf"):
                return lower_bound
            width = cumulative - lower_count
            share = (rank - lower_count) / width if width else 0.0
            return lower_bound + (bound - lower_bound) * share
        lower_bound, lower_count = bound, cumulative
    return lower_bound


def _read(metrics: HttpMetrics) -> Reading:
    routes: Reading = defaultdict(_Route)
    for family in metrics.requests.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                labels = sample.labels
                route = routes[labels["method"], labels["endpoint"]]
                route.requests += sample.value
                if labels["status"] >= "500":
                    route.errors += sample.value
    for family in metrics.duration.collect():
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                labels = sample.labels
                route = routes[labels["method"], labels["endpoint"]]
                route.buckets[float(labels["le"])] = sample.value
    return dict(routes)


def _ms(seconds: float) -> float | None:
    return None if math.isnan(seconds) else round(seconds * 1000.0, 3)


class RedReader:
    """Reads the RED figures of every route over the last `window` seconds."""

    def __init__(self, metrics: HttpMetrics, window: float = 60.0, keep: int = 64) -> None:
        self.metrics = metrics
        self.window = window
        self._readings: deque[tuple[float, Reading]] = deque(maxlen=keep)
        self._readings.append((time.monotonic(), {}))  # the console's start: nothing counted
        self._lock = threading.Lock()

    def routes(self) -> tuple[float, list[dict[str, Any]]]:
        """(seconds covered, one row per route), busiest first."""
        now_reading = _read(self.metrics)
        now = time.monotonic()
        with self._lock:
            while len(self._readings) > 1 and self._readings[1][0] <= now - self.window:
                self._readings.popleft()
            since, base = self._readings[0]
            if now - self._readings[-1][0] >= 1.0:
                self._readings.append((now, now_reading))
        span = max(now - since, 1e-9)
        rows: list[dict[str, Any]] = []
        for (method, route), current in now_reading.items():
            old = base.get((method, route), _Route())
            requests = current.requests - old.requests
            buckets = [(le, n - old.buckets.get(le, 0.0)) for le, n in current.buckets.items()]
            rows.append(
                {
                    "method": method,
                    "route": route,
                    "total": int(current.requests),
                    "requests": int(requests),
                    "rate": round(requests / span, 3),
                    "error_ratio": round((current.errors - old.errors) / requests, 4)
                    if requests
                    else None,
                    "p50_ms": _ms(histogram_quantile(0.5, buckets)),
                    "p95_ms": _ms(histogram_quantile(0.95, buckets)),
                }
            )
        rows.sort(key=lambda row: (-int(row["requests"]), -int(row["total"]), str(row["route"])))
        return span, rows
