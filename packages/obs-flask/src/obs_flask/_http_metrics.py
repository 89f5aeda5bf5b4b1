"""The HTTP RED metrics, created once per registry and shared by every app on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from obs_core import per_registry
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from obs_flask._route_metrics import RouteMetrics

__all__ = ["UNMATCHED", "HttpMetrics", "RouteMetrics", "http_metrics"]

UNMATCHED = "<unmatched>"
"""The `endpoint` label of requests that matched no route, so 404 scans add no series."""


@dataclass
class HttpMetrics:
    """The four families plus one `RouteMetrics` per (method, route), made at its first request."""

    requests: Counter
    duration: Histogram
    exceptions: Counter
    in_progress: Gauge
    _routes: dict[tuple[str, str], RouteMetrics] = field(default_factory=dict)

    def route(self, method: str, endpoint: str) -> RouteMetrics:
        """The children of `method` on the route template `endpoint` (`UNMATCHED` for none)."""
        record = self._routes.get((method, endpoint))
        if record is None:
            labels = (method, endpoint)
            record = RouteMetrics(self.requests, self.duration, self.in_progress, labels)
            self._routes[labels] = record
        return record


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
