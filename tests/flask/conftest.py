"""A small real Flask app instrumented with obs-flask, on its own registry per test."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, abort
from obs_core import add_span_attributes, get_logger
from obs_core.testing import isolated_registry
from obs_flask import Observability
from prometheus_client import CollectorRegistry

AppFactory = Callable[..., Flask]


class OrderNotPayable(Exception):
    """Raised by the sample view so tests see an exception type of their own."""


def build_app(**settings: Any) -> Flask:
    """Orders API: a templated route, a raising view, an aborting view, health."""
    app = Flask("orders")
    log = get_logger("orders")

    @app.get("/api/orders/<int:order_id>")
    def get_order(order_id: int) -> dict[str, int]:
        add_span_attributes(order_id=order_id)
        log.info("Order read", order_id=order_id)
        return {"id": order_id}

    @app.post("/api/orders/<int:order_id>/pay")
    def pay(order_id: int) -> dict[str, int]:
        raise OrderNotPayable(f"order {order_id} is closed")

    @app.get("/api/teapot")
    def teapot() -> None:
        abort(418)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    Observability(app, **{"traces_exporter": "none", "log_stdout": False, **settings})
    return app


@pytest.fixture
def registry() -> Iterator[CollectorRegistry]:
    with isolated_registry() as reg:
        yield reg


@pytest.fixture
def make_app(registry: CollectorRegistry) -> AppFactory:
    return build_app


def free_port() -> int:
    """A port free on 127.0.0.1 just now, for a server started in a subprocess."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
