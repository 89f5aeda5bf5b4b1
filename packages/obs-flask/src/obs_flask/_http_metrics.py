"""The HTTP RED metrics, created once per registry and shared by every app on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from obs_core import per_registry
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["UNMATCHED", "HttpMetrics", "http_metrics"]

UNMATCHED = "<unmatched>"
"""The `endpoint` label of requests that matched no route, so 404 scans add no series."""


@dataclass
class HttpMetrics:
    """The four families plus caches of their labelled children (the hot path skips .labels)."""

    requests: Counter
    duration: Histogram
    exceptions: Counter
    in_progress: Gauge
    _requests: dict[tuple[str, ...], Any] = field(default_factory=dict)
    _duration: dict[tuple[str, ...], Any] = field(default_factory=dict)
    _in_progress: dict[tuple[str, ...], Any] = field(default_factory=dict)

    def count(self, method: str, endpoint: str, status: str) -> Any:
        """The `http_requests_total` child for these labels."""
        return _child(self._requests, self.requests, (method, endpoint, status))

    def timer(self, method: str, endpoint: str) -> Any:
        """The `http_request_duration_seconds` child for these labels."""
        return _child(self._duration, self.duration, (method, endpoint))

    def gauge(self, method: str, endpoint: str) -> Any:
        """The `http_requests_in_progress` child for these labels."""
        return _child(self._in_progress, self.in_progress, (method, endpoint))


def _child(cache: dict[Any, Any], family: Counter | Histogram | Gauge, key: tuple[str, ...]) -> Any:
    child = cache.get(key)
    if child is None:
        child = cache[key] = family.labels(*key)
    return child


def http_metrics(registry: CollectorRegistry, buckets: Sequence[float]) -> HttpMetrics:
    """The HTTP metrics on `registry`; a second app on the same registry reuses them."""
    return per_registry(registry, "obs_flask.http", lambda: _create(registry, buckets))


def _create(registry: CollectorRegistry, buckets: Sequence[float]) -> HttpMetrics:
    return HttpMetrics(
        requests=Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "endpoint", "status"],
            registry=registry,
        ),
        duration=Histogram(
            "http_request_duration_seconds",
            "HTTP request duration in seconds, by method and route template.",
            ["method", "endpoint"],
            buckets=tuple(buckets),
            registry=registry,
        ),
        exceptions=Counter(
            "http_requests_exceptions",
            "Unhandled exceptions raised by views, by exception type.",
            ["method", "endpoint", "exception_type"],
            registry=registry,
        ),
        in_progress=Gauge(
            "http_requests_in_progress",
            "HTTP requests being served now.",
            ["method", "endpoint"],
            registry=registry,
            multiprocess_mode="livesum",
        ),
    )
