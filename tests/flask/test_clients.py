"""Context leaves the service: outgoing `requests` carry it, SQLAlchemy queries get spans."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
import sqlalchemy
from flask import Flask, request
from obs_core.testing import capture_spans
from obs_flask import Observability
from werkzeug.serving import BaseWSGIServer, make_server

from tests.flask.conftest import AppFactory


@pytest.fixture
def downstream() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A real HTTP server on 127.0.0.1 that records the headers it receives."""
    seen: list[dict[str, str]] = []
    app = Flask("downstream")

    @app.get("/quote")
    def quote() -> dict[str, float]:
        seen.append(dict(request.headers))
        return {"rate": 0.07}

    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def test_outgoing_requests_carry_the_trace_context(
    make_app: AppFactory, downstream: tuple[str, list[dict[str, str]]]
) -> None:
    url, seen = downstream
    app = make_app()

    @app.get("/api/loans/quote")
    def loan_quote() -> dict[str, float]:
        rate: float = requests.get(f"{url}/quote", timeout=5).json()["rate"]
        return {"rate": rate}

    with capture_spans() as spans:
        assert app.test_client().get("/api/loans/quote").status_code == 200
    server = next(s for s in spans if s.name == "GET /api/loans/quote")
    (headers,) = seen
    trace_id = headers["Traceparent"].split("-")[1]
    assert trace_id == format(server.context.trace_id, "032x")
    client_span = next(s for s in spans if s.kind.name == "CLIENT")
    assert client_span.parent is not None and client_span.parent.span_id == server.context.span_id


def test_sqlalchemy_gets_one_span_per_query(make_app: AppFactory) -> None:
    app = make_app()
    engine = sqlalchemy.create_engine("sqlite://")  # created after instrumentation, as apps do

    @app.get("/api/farmers/count")
    def count() -> dict[str, int]:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("CREATE TABLE IF NOT EXISTS farmers (id INTEGER)"))
            conn.execute(sqlalchemy.text("INSERT INTO farmers VALUES (1), (2)"))
            total = conn.execute(sqlalchemy.text("SELECT count(*) FROM farmers")).scalar_one()
        return {"count": int(total)}

    with capture_spans() as spans:
        assert app.test_client().get("/api/farmers/count").json == {"count": 2}
    server = next(s for s in spans if s.name == "GET /api/farmers/count")
    queries = [s for s in spans if s.attributes and "db.statement" in s.attributes]
    assert [q.attributes["db.operation"] for q in queries if q.attributes] == [
        "CREATE",
        "INSERT",
        "SELECT",
    ]
    assert all(q.parent is not None and q.parent.span_id == server.context.span_id for q in queries)


def test_two_apps_instrument_outgoing_requests_once(
    make_app: AppFactory, downstream: tuple[str, list[dict[str, str]]]
) -> None:
    url, _ = downstream
    app = make_app()
    Observability(Flask("second"), traces_exporter="none", log_stdout=False)

    @app.get("/api/rates")
    def rates() -> dict[str, float]:
        rate: float = requests.get(f"{url}/quote", timeout=5).json()["rate"]
        return {"rate": rate}

    with capture_spans() as spans:
        assert app.test_client().get("/api/rates").status_code == 200
    assert len([s for s in spans if s.kind.name == "CLIENT"]) == 1
