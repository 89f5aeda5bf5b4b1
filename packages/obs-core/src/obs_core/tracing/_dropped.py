"""``obs_spans_dropped_total{reason}``: spans obs could not deliver, on obs's registry.

One counter per registry (created at the first `init_tracing` that has exporters), so
re-initialising reuses it. Under ``PROMETHEUS_MULTIPROC_DIR`` its values live in the
worker's files like every other counter, and ``/metrics`` sums them across workers.
"""

from __future__ import annotations

from prometheus_client import Counter

from obs_core._runtime import runtime
from obs_core.metrics._registry import get_registry
from obs_core.tracing._batch import DROP_REASONS

__all__ = ["spans_dropped_counter"]


def spans_dropped_counter() -> Counter:
    """The counter on obs's registry, every reason's series present from the start at 0."""
    registry = get_registry()

    def create() -> Counter:
        counter = Counter(
            "obs_spans_dropped",
            "Spans obs could not deliver, by reason: queue_full (the export queue was full), "
            "export_failed (the exporter reported a failure), shutdown (ended too late).",
            ["reason"],
            registry=registry,
        )
        for reason in DROP_REASONS:
            counter.labels(reason)
        return counter

    return runtime.per_registry(registry, "obs_core.tracing.spans_dropped", create)
