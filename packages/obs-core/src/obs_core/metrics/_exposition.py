"""Serving metrics: OpenMetrics when the scraper asks for it (exemplars), text otherwise."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from obs_core.metrics._registry import get_registry

__all__ = ["render_metrics"]


def _scrape_registry(registry: CollectorRegistry | None) -> CollectorRegistry:
    if registry is not None:
        return registry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        merged = CollectorRegistry()
        MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return merged
    return get_registry()


def render_metrics(
    accept: str | None = None, registry: CollectorRegistry | None = None
) -> tuple[bytes, str]:
    """The exposition body and its content type for a scrape with this ``Accept`` header.

    In multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set) the answer merges every
    worker's files, so one scrape of any worker sees the whole service.
    """
    encoder, content_type = choose_encoder(accept or "")
    return encoder(_scrape_registry(registry)), content_type
