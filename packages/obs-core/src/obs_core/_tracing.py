"""Tracing: the TracerProvider assembled from the hooks (filled by the tracing work)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

from obs_core._config import ObsConfig

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = [
    "add_span_attributes",
    "add_span_event",
    "capture_spans",
    "get_tracer",
    "init_tracing",
    "shutdown_tracing",
]


def init_tracing(config: ObsConfig | None = None, **kwargs: Any) -> trace.TracerProvider:
    """Install the TracerProvider assembled from the hooks (not built yet)."""
    raise NotImplementedError("tracing is not built yet")


def shutdown_tracing() -> None:
    """Flush and stop obs's exporters, waiting at most ``shutdown_timeout``."""


def get_tracer(name: str) -> trace.Tracer:
    """A tracer from the global provider."""
    return trace.get_tracer(name)


def add_span_attributes(**attributes: Any) -> None:
    """Set attributes on the current span (no-op outside a span)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes(attributes)


def add_span_event(name: str, **attributes: Any) -> None:
    """Add an event to the current span (no-op outside a span)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.add_event(name, attributes)


@contextmanager
def capture_spans() -> Iterator[list[ReadableSpan]]:
    """Collect the spans ended inside the block (not built yet)."""
    raise NotImplementedError("tracing is not built yet")
    yield []
