"""The ``/metrics`` view, optionally behind a bearer token or basic auth.

`authorizer` decides whether a request may read; other obs views reuse it. The header is
compared as the bytes the client sent (WSGI hands them over as latin-1 text), with the
configured secret encoded as UTF-8, in constant time; the scheme is case-insensitive
(RFC 7235). A header that cannot match (not ASCII, bad base64, no colon, empty) is a 401,
never an error.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Response, request
from obs_core import render_metrics

from obs_flask._settings import HttpSettings

__all__ = ["Authorizer", "authorizer", "metrics_view"]

_WHITESPACE = b" \t"


def _wire_bytes(header: str) -> bytes:
    """The header's bytes as sent: WSGI decodes them as latin-1 (PEP 3333)."""
    try:
        return header.encode("latin-1")
    except UnicodeEncodeError:  # not from a WSGI server; take the text as UTF-8
        return header.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Authorizer:
    """Checks an ``Authorization`` header against the configured credentials.

    `scheme` is ``b"bearer"`` or ``b"basic"``; `secret` the token, or ``user:password``,
    as UTF-8 bytes; `challenge` the ``WWW-Authenticate`` value of a 401.
    """

    scheme: bytes
    secret: bytes = field(repr=False)
    challenge: str = ""

    def __call__(self, header: str | None) -> bool:
        """Whether `header` (the raw ``Authorization`` value, or None) grants access."""
        try:
            scheme, _, credentials = _wire_bytes(header or "").strip(_WHITESPACE).partition(b" ")
            if scheme.lower() != self.scheme:
                return False
            given = credentials.strip(_WHITESPACE)
            if self.scheme == b"basic":
                given = base64.b64decode(given, validate=True)
                if b":" not in given:
                    return False
            return hmac.compare_digest(given, self.secret)
        except (binascii.Error, ValueError, TypeError):
            return False


def authorizer(config: HttpSettings) -> Authorizer | None:
    """The check `config` asks for (a bearer token wins over basic auth), or None: open."""
    if config.metrics_bearer_token:
        secret = config.metrics_bearer_token.encode("utf-8", "surrogateescape")
        return Authorizer(b"bearer", secret, 'Bearer realm="metrics"')
    if config.metrics_basic_auth:
        secret = config.metrics_basic_auth.encode("utf-8", "surrogateescape")
        return Authorizer(b"basic", secret, 'Basic realm="metrics", charset="UTF-8"')
    return None


def metrics_view(config: HttpSettings) -> Callable[[], Response]:
    """A view serving the registry: OpenMetrics when asked (exemplars), text otherwise."""
    check = authorizer(config)

    def serve_metrics() -> Response:
        if check is not None and not check(request.headers.get("Authorization")):
            return Response(status=401, headers={"WWW-Authenticate": check.challenge})
        body, content_type = render_metrics(request.headers.get("Accept"))
        return Response(body, content_type=content_type)

    return serve_metrics
