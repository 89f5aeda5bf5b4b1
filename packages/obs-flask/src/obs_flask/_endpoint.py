"""The ``/metrics`` view, optionally behind a bearer token or basic auth."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable

from flask import Response, request
from obs_core import ObsConfig, render_metrics

__all__ = ["metrics_view"]


def _authorizer(config: ObsConfig) -> tuple[Callable[[str], bool], str] | None:
    if config.metrics_bearer_token:
        expected = f"Bearer {config.metrics_bearer_token}"
        return (lambda got: hmac.compare_digest(got, expected)), 'Bearer realm="metrics"'
    if config.metrics_basic_auth:
        token = base64.b64encode(config.metrics_basic_auth.encode()).decode()
        expected_basic = f"Basic {token}"
        return (lambda got: hmac.compare_digest(got, expected_basic)), 'Basic realm="metrics"'
    return None


def metrics_view(config: ObsConfig) -> Callable[[], Response]:
    """A view serving the registry: OpenMetrics when asked (exemplars), text otherwise."""
    auth = _authorizer(config)

    def serve_metrics() -> Response:
        if auth is not None:
            check, challenge = auth
            if not check(request.headers.get("Authorization", "")):
                return Response(status=401, headers={"WWW-Authenticate": challenge})
        body, content_type = render_metrics(request.headers.get("Accept"))
        return Response(body, content_type=content_type)

    return serve_metrics
