"""The names the first users already call, kept working on top of `Observability`."""

from __future__ import annotations

from typing import Any

import obs_core
from flask import Flask

from obs_flask._extension import Observability

__all__ = ["MetricsMiddleware", "init_tracing"]


def MetricsMiddleware(app: Flask, **config: Any) -> Observability:
    """Instrument `app` (RED metrics, ``/metrics``, spans, logs); same as ``Observability(app)``."""
    existing = app.extensions.get("obs")
    return existing if isinstance(existing, Observability) else Observability(app, **config)


def init_tracing(
    app: Flask | None = None,
    otlp_endpoint: str | None = None,
    service_name: str | None = None,
    **config: Any,
) -> Any:
    """Send traces to `otlp_endpoint` (OTLP gRPC) and instrument `app` when given.

    Returns the TracerProvider. Without an endpoint, the configured default is used.
    """
    settings = dict(config)
    if otlp_endpoint:
        settings.update(otlp_endpoint=otlp_endpoint, traces_exporter=("otlp",))
    if service_name:
        settings["service_name"] = service_name
    if app is not None and "obs" not in app.extensions:
        Observability(app, **settings)
    return obs_core.init_tracing(**settings)
