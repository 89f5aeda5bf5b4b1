"""One JSON access line per request, correlated with the view's own log lines by trace id."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from loguru import logger as loguru_logger
from obs_core.logging._direct import route
from obs_core.testing import capture_logs, capture_spans

from tests.flask.conftest import AppFactory


def test_one_access_line_per_request_with_the_view_logs_trace_id(make_app: AppFactory) -> None:
    client = make_app().test_client()
    with capture_spans() as spans, capture_logs() as logs:
        client.get(
            "/api/orders/12",
            headers={"User-Agent": "farm-app/2.0"},
            environ_base={"REMOTE_ADDR": "10.1.2.3"},
        )
    (view_line,) = [r for r in logs if r["message"] == "Order read"]
    (access,) = [r for r in logs if r["logger"] == "obs.access"]
    (span,) = spans
    trace_id = format(span.context.trace_id, "032x")
    assert view_line["trace_id"] == access["trace_id"] == trace_id
    assert view_line["order_id"] == 12
    assert {
        k: access[k] for k in ("method", "route", "path", "status", "client", "user_agent")
    } == {
        "method": "GET",
        "route": "/api/orders/<int:order_id>",
        "path": "/api/orders/12",
        "status": 200,
        "client": "10.1.2.3",
        "user_agent": "farm-app/2.0",
    }
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] > 0
    assert access["span_id"] == format(span.context.span_id, "016x")


def test_a_failing_view_is_logged_as_500(make_app: AppFactory) -> None:
    client = make_app().test_client()
    with capture_logs() as logs:
        client.post("/api/orders/5/pay")
    (access,) = [r for r in logs if r["logger"] == "obs.access"]
    assert access["status"] == 500


def test_access_log_can_be_turned_off(make_app: AppFactory) -> None:
    client = make_app(http_access_log=False).test_client()
    with capture_logs() as logs:
        client.get("/api/orders/1")
    assert [r["message"] for r in logs] == ["Order read"]


def test_app_logger_touched_before_setup_writes_each_line_once() -> None:
    script = textwrap.dedent(
        """
        from flask import Flask
        from obs_flask import Observability

        app = Flask("early-logger")
        app.logger.warning("configured")  # before setup: Flask adds its stderr handler
        Observability(app, traces_exporter="none")
        app.logger.warning("Loan overdue")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "Loan overdue" not in result.stderr
    lines = [line for line in result.stdout.splitlines() if "Loan overdue" in line]
    assert len(lines) == 1
    assert json.loads(lines[0])["logger"] == "early-logger"


def test_the_access_line_written_straight_to_the_file_is_the_one_loguru_writes(
    make_app: AppFactory, tmp_path: Path
) -> None:
    log_file = tmp_path / "access.jsonl"
    client = make_app(log_file=str(log_file)).test_client()
    headers = {"User-Agent": "farm-app/2.0"}
    client.get("/api/orders/12", headers=headers)  # the first lines of a module: loguru decides
    start = len(log_file.read_text().splitlines())
    client.get("/api/orders/12", headers=headers)
    assert route().writers is not None  # only obs's file sink: the direct path
    seen: list[str] = []
    other = loguru_logger.add(seen.append)  # an application's own sink: loguru's path
    try:
        client.get("/api/orders/12", headers=headers)
    finally:
        loguru_logger.remove(other)
    lines = [json.loads(line) for line in log_file.read_text().splitlines()[start:]]
    ours, loguru = [r for r in lines if r["logger"] == "obs.access"]
    assert len(seen) == 2  # the view's line and the access line
    varying = {"timestamp", "duration_ms", "trace_id", "span_id"}
    assert set(ours) == set(loguru) >= varying | {"module", "function", "line", "client"}
    assert {k: v for k, v in ours.items() if k not in varying} == {
        k: v for k, v in loguru.items() if k not in varying
    }
    assert list(ours) == list(loguru)  # and the keys in the same order
    assert ours["trace_id"] != loguru["trace_id"]
