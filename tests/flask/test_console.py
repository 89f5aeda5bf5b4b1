"""The local console: its JSON data, its memory bounds, and the rules that keep it safe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from obs_core import get_logger, shutdown_tracing
from obs_core.testing import capture_logs, capture_spans
from obs_core.traces import TraceFile
from obs_flask import ConsoleSettings, Observability
from obs_flask.demo import create_app

from tests.flask.conftest import AppFactory, free_port

OBS = str(Path(sys.executable).with_name("obs"))


def overview(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/_obs/api/overview")
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.json  # type: ignore[assignment]
    return data


def trace_of(client: FlaskClient, path: str) -> str:
    (request,) = [r for r in overview(client)["requests"] if r["path"] == path]
    return str(request["trace_id"])


@pytest.fixture
def client(make_app: AppFactory) -> FlaskClient:
    app = make_app(console=True)
    client = app.test_client()
    client.get("/api/orders/7")
    client.get("/api/orders/8")
    client.post("/api/orders/9/pay")
    client.get("/api/teapot")
    return client


def test_the_console_is_off_unless_asked_for(make_app: AppFactory) -> None:
    client = make_app().test_client()
    assert client.get("/_obs/").status_code == 404
    assert client.get("/_obs/api/overview").status_code == 404


def test_overview_gives_red_figures_per_route_from_the_live_registry(
    client: FlaskClient,
) -> None:
    data = overview(client)
    assert data["service"] == "orders"
    routes = {(r["method"], r["route"]): r for r in data["routes"]}
    orders = routes["GET", "/api/orders/<int:order_id>"]
    assert (orders["total"], orders["requests"], orders["error_ratio"]) == (2, 2, 0.0)
    assert orders["rate"] > 0 and 0 < orders["p50_ms"] <= orders["p95_ms"]
    assert routes["POST", "/api/orders/<int:order_id>/pay"]["error_ratio"] == 1.0
    assert routes["GET", "/api/teapot"]["error_ratio"] == 0.0  # 4xx is not a server error
    # the console's own requests are not the app's traffic
    assert not [r for r in data["routes"] if "_obs" in r["route"]]
    overview(client)
    again = {(r["method"], r["route"]): r["total"] for r in overview(client)["routes"]}
    assert again["GET", "/api/orders/<int:order_id>"] == 2


def test_overview_lists_the_last_requests_newest_first(client: FlaskClient) -> None:
    requests = overview(client)["requests"]
    assert [(r["method"], r["route"], r["status"], r["error"]) for r in requests] == [
        ("GET", "/api/teapot", 418, False),
        ("POST", "/api/orders/<int:order_id>/pay", 500, True),
        ("GET", "/api/orders/<int:order_id>", 200, False),
        ("GET", "/api/orders/<int:order_id>", 200, False),
    ]
    assert all(re.fullmatch(r"[0-9a-f]{32}", r["trace_id"]) for r in requests)
    assert all(r["duration_ms"] > 0 for r in requests)


def test_a_trace_gives_its_waterfall_and_its_log_lines(client: FlaskClient) -> None:
    trace_id = trace_of(client, "/api/orders/9/pay")
    response = client.get(f"/_obs/api/traces/{trace_id}")
    assert response.status_code == 200
    data = response.json
    assert data is not None and data["trace_id"] == trace_id and data["source"] == "memory"
    (span,) = data["spans"]
    assert span["name"] == "POST /api/orders/<int:order_id>/pay"
    assert (span["depth"], span["offset_ms"], span["status"]) == (0, 0.0, "error")
    assert span["key"] == {
        "route": "/api/orders/<int:order_id>/pay",
        "status": "500",
        "exception": "tests.flask.conftest.OrderNotPayable: order 9 is closed",
    }
    assert {line["trace_id"] for line in data["logs"]} == {trace_id}
    (access,) = [line for line in data["logs"] if line["logger"] == "obs.access"]
    assert access["status"] == 500

    read = client.get(f"/_obs/api/traces/{trace_of(client, '/api/orders/7')}").json
    assert read is not None
    assert [line["message"] for line in read["logs"]] == ["Order read", "request"]


def test_an_unknown_or_malformed_trace_id_is_a_404(client: FlaskClient) -> None:
    assert client.get("/_obs/api/traces/" + "ab" * 16).status_code == 404
    assert client.get("/_obs/api/traces/not-hex").status_code == 404


def test_log_lines_are_shown_after_redaction(registry: Any, tmp_path: Path) -> None:
    app = Flask("login")
    log = get_logger("login")

    @app.post("/login")
    def login() -> dict[str, bool]:
        log.info("Login", user="ann", password="hunter2", headers={"Authorization": "Bearer x"})
        return {"ok": True}

    log_file = tmp_path / "app.jsonl"
    Observability(
        app, console=True, traces_exporter="none", log_stdout=False, log_file=str(log_file)
    )
    client = app.test_client()
    client.post("/login")
    data = client.get(f"/_obs/api/traces/{trace_of(client, '/login')}").json
    assert data is not None
    (line,) = [line for line in data["logs"] if line["message"] == "Login"]
    assert line["user"] == "ann"
    assert line["password"] == "[REDACTED]"
    assert line["headers"] == {"Authorization": "[REDACTED]"}
    assert "hunter2" not in json.dumps(data)
    written = [json.loads(x) for x in log_file.read_text().splitlines()]
    assert line == next(x for x in written if x["message"] == "Login")  # as the sink got it


def test_console_requests_make_no_metrics_spans_or_access_lines(client: FlaskClient) -> None:
    with capture_spans() as spans, capture_logs() as logs:
        for path in ("/_obs/", "/_obs/app.js", "/_obs/api/overview", "/_obs"):
            assert client.get(path).status_code in (200, 308)
    assert spans == []
    assert [line for line in logs if line["logger"] == "obs.access"] == []
    assert "_obs" not in client.get("/metrics").get_data(as_text=True)


def test_only_loopback_clients_are_answered_unless_allowed(make_app: AppFactory) -> None:
    client = make_app(console=True).test_client()
    outside = {"REMOTE_ADDR": "192.0.2.10"}
    denied = client.get("/_obs/api/overview", environ_base=outside)
    assert denied.status_code == 403
    assert "loopback" in denied.get_data(as_text=True)
    assert client.get("/api/orders/1", environ_base=outside).status_code == 200  # the app is not
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        answered = client.get("/_obs/api/overview", environ_base={"REMOTE_ADDR": address})
        assert answered.status_code == 200, address


def test_allow_opens_the_console_to_named_networks(make_app: AppFactory) -> None:
    app = make_app(console=ConsoleSettings(allow=("192.0.2.0/24",)))
    client = app.test_client()
    assert client.get("/_obs/", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200
    assert client.get("/_obs/", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 403


def test_a_foreign_host_name_is_refused_against_dns_rebinding(make_app: AppFactory) -> None:
    client = make_app(console=True).test_client()
    assert client.get("/_obs/", headers={"Host": "attacker.example"}).status_code == 403
    assert client.get("/_obs/", headers={"Host": "127.0.0.1.attacker.example"}).status_code == 403
    for host in ("localhost:8000", "127.0.0.1:5000", "[::1]:8000"):
        assert client.get("/_obs/", headers={"Host": host}).status_code == 200, host


@pytest.mark.parametrize(
    ("settings", "good", "challenge"),
    [
        ({"metrics_bearer_token": "s3cret"}, "Bearer s3cret", "Bearer"),
        ({"metrics_basic_auth": "ops:pw"}, "Basic b3BzOnB3", "Basic"),
    ],
)
def test_the_console_sits_behind_the_metrics_auth(
    make_app: AppFactory, settings: dict[str, str], good: str, challenge: str
) -> None:
    client = make_app(console=True, **settings).test_client()
    refused = client.get("/_obs/api/overview")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith(challenge)
    assert client.get("/_obs/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/_obs/api/overview", headers={"Authorization": good}).status_code == 200


def test_the_page_is_served_whole_with_no_outside_resources(make_app: AppFactory) -> None:
    client = make_app(console=True).test_client()
    moved = client.get("/_obs")
    assert moved.status_code == 308 and moved.headers["Location"].endswith("/_obs/")
    page = client.get("/_obs/")
    assert page.content_type.startswith("text/html")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    html = page.get_data(as_text=True)
    assert 'src="app.js"' in html and 'href="style.css"' in html
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        asset = client.get(f"/_obs/{name}")
        assert asset.status_code == 200 and asset.content_type.startswith(kind)
        assert not re.search(r"(https?:)?//[a-z]", asset.get_data(as_text=True).replace("://", ""))
    assert not re.search(r"https?://", html)
    assert client.post("/_obs/api/overview").status_code == 405
    assert client.get("/_obs/nothing-here").status_code == 404


def test_memory_is_bounded_to_the_last_traces_and_log_lines(make_app: AppFactory) -> None:
    client = make_app(console=ConsoleSettings(spans=3, logs=4)).test_client()
    for order in range(10):
        client.get(f"/api/orders/{order}")
    requests = overview(client)["requests"]
    assert [r["path"] for r in requests] == ["/api/orders/9", "/api/orders/8", "/api/orders/7"]
    oldest = client.get(f"/_obs/api/traces/{requests[-1]['trace_id']}").json
    newest = client.get(f"/_obs/api/traces/{requests[0]['trace_id']}").json
    assert oldest is not None and newest is not None
    assert len(oldest["logs"]) == 0  # 4 lines kept: the last two requests' two lines each
    assert [line["message"] for line in newest["logs"]] == ["Order read", "request"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown_tracing()


def test_a_trace_no_longer_in_memory_is_read_from_the_trace_file(
    make_app: AppFactory, in_tmp: Path
) -> None:
    app = make_app(console=ConsoleSettings(spans=1), traces_exporter="file")
    client = app.test_client()
    client.post("/api/orders/1/pay")
    first = trace_of(client, "/api/orders/1/pay")
    client.get("/api/orders/2")
    shutdown_tracing()  # flushes the file exporter
    assert first in {s.trace_id for s in TraceFile(in_tmp / ".obs" / "traces.jsonl").spans()}
    data = client.get(f"/_obs/api/traces/{first}").json
    assert data is not None and data["source"] == "file"
    assert (
        data["spans"][0]["key"]["exception"]
        == "tests.flask.conftest.OrderNotPayable: order 1 is closed"
    )


def test_the_demo_front_door_opens_the_console(registry: Any) -> None:
    client = create_app(seed=1, traces_exporter="none", log_stdout=False).test_client()
    door = client.get("/")
    assert door.status_code == 302 and door.headers["Location"] == "/_obs/"
    assert "obs console" in client.get("/_obs/").get_data(as_text=True)
    off = create_app(seed=1, console=False, traces_exporter="none", log_stdout=False)
    assert off.test_client().get("/").json == {
        "service": "farm-lending",
        "metrics": "/metrics",
        "api": "/api/farmers",
    }


@pytest.mark.slow
def test_demo_summary_points_at_the_console_and_the_slowest_and_failed_traces(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "OTEL_"))}
    result = subprocess.run(
        [OBS, "demo", "--port", "0", "--traffic", "150"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    summaries = TraceFile(tmp_path / ".obs" / "traces.jsonl").summaries()
    by_id = {s.trace_id: s for s in summaries}
    slowest = re.search(r"^slowest\s+obs traces show ([0-9a-f]{32})  \((.+), ", result.stdout, re.M)
    assert slowest is not None
    assert by_id[slowest[1]].duration_ns == max(s.duration_ns for s in summaries)
    assert slowest[2] == "GET /api/reports/portfolio"
    failed = re.search(
        r"^failed\s+obs traces show ([0-9a-f]{32})  \(.+, 500\)", result.stdout, re.M
    )
    assert failed is not None and by_id[failed[1]].error
    assert re.search(
        r"^console\s+run `obs demo` and open http://127\.0\.0\.1:8000/_obs/", result.stdout, re.M
    )


def test_with_opentelemetry_instrumentation_the_console_lists_its_spans(
    make_app: AppFactory,
) -> None:
    client = make_app(console=True, instrumentation="opentelemetry").test_client()
    client.get("/api/orders/5")
    client.get("/_obs/api/overview")
    (request,) = overview(client)["requests"]  # the console's own calls are not spans
    assert (request["route"], request["status"], request["path"]) == (
        "/api/orders/<int:order_id>",
        200,
        "/api/orders/5",
    )
    data = client.get(f"/_obs/api/traces/{request['trace_id']}").json
    assert data is not None
    assert data["spans"][0]["key"]["route"] == "/api/orders/<int:order_id>"
    assert [line["message"] for line in data["logs"]] == ["Order read", "request"]


@pytest.mark.usefixtures("registry")
def test_obs_console_in_app_config_turns_it_on_or_fails_naming_the_setting() -> None:
    def app_with(value: str) -> Flask:
        app = Flask("orders")
        app.config["OBS_CONSOLE"] = value
        Observability(app, traces_exporter="none", log_stdout=False)
        return app

    assert app_with("yes").test_client().get("/_obs/api/overview").status_code == 200
    assert app_with("off").test_client().get("/_obs/api/overview").status_code == 404
    with pytest.raises(ValueError, match=r"invalid console='maybe': expected true or false"):
        app_with("maybe")


def test_bad_console_settings_fail_at_setup_naming_the_setting(make_app: AppFactory) -> None:
    with pytest.raises(ValueError, match=r"invalid console allow=.*expected IP networks"):
        make_app(console=ConsoleSettings(allow=("not-a-network",)))
    with pytest.raises(ValueError, match=r"invalid console path='/'"):
        make_app(console=ConsoleSettings(path="/"))


@pytest.mark.slow
def test_obs_demo_prints_the_console_address_and_its_front_door_opens_it(
    tmp_path: Path,
) -> None:
    import urllib.request

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "OTEL_"))}
    proc = subprocess.Popen(
        [OBS, "demo", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        startup = []
        for line in proc.stderr:  # bounded: the demo prints a few lines, then serves
            startup.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(startup)
        console = f"http://127.0.0.1:{port}/_obs/"
        assert re.search(rf"^  console  {re.escape(console)}  \(", text, re.M), text
        assert "`obs traces show <id>` draws one" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as door:
            assert door.url == console  # `/` redirected to the console
            assert b"obs console" in door.read()
        with urllib.request.urlopen(console + "api/overview", timeout=10) as data:
            assert json.load(data)["service"] == "farm-lending"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
