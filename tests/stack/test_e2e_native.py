"""The proof on real components: the demo service, the native stack, a webhook, traffic.

Every query of every rendered dashboard returns data from a real Prometheus scraping the
real demo; forcing 5xx makes High5xxErrorRate reach a real webhook through a real
Alertmanager; exemplars carry trace ids the demo wrote; `down` leaves no process behind.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from obs_stack import concrete_promql, panel_queries

from tests.conftest import require_binary
from tests.stack.conftest import free_port, process_gone, query, run_cli, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

JOB = "farm-lending"


class Webhook(ThreadingHTTPServer):
    """An Alertmanager webhook receiver that keeps every alert it is sent."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", 0), _WebhookHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/alerts"


class _WebhookHandler(BaseHTTPRequestHandler):
    server: Webhook

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.alerts.extend(body.get("alerts", []))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _call(base: str, method: str, path: str, payload: object | None = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError:
        return None  # 4xx/5xx are part of the traffic
    except OSError:
        return None  # not listening yet


def _traffic(base: str, rounds: int, failures: int = 0) -> None:
    """Bounded, realistic requests: farmers, loans, orders, reports, 4xx; `failures` 5xx."""
    for n in range(rounds):
        farmer = _call(base, "POST", "/api/farmers", {"name": f"f{n}", "hectares": 40 + n})
        farmer_id = farmer["id"] if farmer else -1
        _call(base, "POST", "/api/loans", {"farmer_id": farmer_id, "amount": 1000})
        _call(base, "POST", "/api/orders", {"farmer_id": farmer_id, "quantity": 2, "unit_price": 5})
        _call(base, "GET", "/api/farmers")
        _call(base, "GET", "/api/loans/999999")  # 404
        _call(base, "POST", "/api/farmers", {"name": 1})  # 400
    _call(base, "GET", "/api/reports/portfolio")
    for _ in range(failures):
        _call(base, "GET", "/api/reports/ledger?fail=1")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """`obs demo` serving on a free port on 127.0.0.1, from tmp_path (its traces land there)."""
    obs = shutil.which("obs", path=str(Path(sys.executable).parent))
    if obs is None or subprocess.run([obs, "demo", "--help"], capture_output=True).returncode:
        pytest.fail("`obs demo` (obs-flask's demo service) is not installed")
    port = free_port()
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(
        [obs, "demo", "--port", str(port)], cwd=tmp_path, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:  # False until it answers; stops waiting once it has exited
        if process.poll() is not None:
            pytest.fail(f"the demo exited:\n{_logs(tmp_path)}")
        return _call(base, "GET", "/health") is not None

    try:
        # a loaded machine imports Flask, SQLAlchemy and OpenTelemetry slowly
        assert wait_for(answers, 60), f"the demo did not answer\n{_logs(tmp_path)}"
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def _logs(tmp_path: Path) -> str:
    """The end of the demo's and the stack's logs, to explain a failure."""
    parts = []
    for log in (tmp_path / "demo.log", *sorted(tmp_path.glob("stack/native/logs/*.log"))):
        if log.is_file():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-8:])
            parts.append(f"--- {log.name}\n{tail}")
    return "\n".join(parts)


def _finite(series: dict[str, Any]) -> bool:
    """True when an instant-query series has a number to draw (not NaN or infinite)."""
    return math.isfinite(float(series["value"][1]))


def _trace_ids_written(traces: Path) -> set[str]:
    ids: set[str] = set()
    if not traces.is_file():
        return ids
    for line in traces.read_text().splitlines():
        for resource in json.loads(line).get("resourceSpans", []) if line.strip() else []:
            for scope in resource.get("scopeSpans", []):
                ids |= {span["traceId"] for span in scope.get("spans", [])}
    return ids


def _exemplar_trace_ids(prometheus: str) -> set[str]:
    params = urllib.parse.urlencode(
        {
            "query": f'http_request_duration_seconds_bucket{{job="{JOB}"}}',
            "start": "0",
            "end": "9999999999",
        }
    )
    url = f"{prometheus}/api/v1/query_exemplars?{params}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            data = json.load(response)["data"]
    except (OSError, ValueError):
        return set()  # a busy Prometheus answers the next poll
    return {e["labels"].get("trace_id") for s in data for e in s["exemplars"]} - {None}


def test_native_stack_proves_dashboards_alerts_and_exemplars_on_the_demo(
    tmp_path: Path, demo: str, webhook: Webhook, native_dirs: list[Path]
) -> None:
    require_binary("prometheus")
    require_binary("prometheus-alertmanager")
    prom_port, am_port = free_port(), free_port()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.obs.stack]\n"
        f'job = "{JOB}"\ntargets = ["{demo.removeprefix("http://")}"]\n'
        f"prometheus_port = {prom_port}\nalertmanager_port = {am_port}\n"
        f'webhook_url = "{webhook.url}"\n'
        'scrape_interval = "1s"\nevaluation_interval = "1s"\nrate_window = "20s"\n'
        'error_rate_for = "2s"\ngroup_wait = "1s"\ngroup_interval = "1s"\n'
    )
    stack = tmp_path / "stack"
    native_dirs.append(stack)
    # every series exists before Prometheus starts: its first samples hold these counts,
    # so rates (and the 5xx share) count only what comes after
    _traffic(demo, rounds=5, failures=2)
    assert run_cli("render", "stack", cwd=tmp_path).returncode == 0
    up = run_cli("up", "stack", "--native", "--timeout", "60", cwd=tmp_path)
    assert up.returncode == 0, up.stdout + up.stderr
    prometheus = f"http://127.0.0.1:{prom_port}"
    scraped = wait_for(lambda: query(prometheus, f'up{{job="{JOB}"}} == 1'), 25)
    assert scraped, f"Prometheus never scraped the demo\n{_logs(tmp_path)}"

    # under healthy traffic, every query of every dashboard panel shows a value
    def shows_a_value(promql: str) -> bool:
        _traffic(demo, rounds=2)
        return any(_finite(series) for series in query(prometheus, promql))

    dashboards = sorted((stack / "grafana/dashboards").glob("*.json"))
    assert {p.stem for p in dashboards} >= {"obs-http", "obs-test-business"}
    for path in dashboards:
        for title, expr in panel_queries(json.loads(path.read_text())):
            promql = concrete_promql(expr, {"__rate_interval": "15s"})
            assert wait_for(lambda q=promql: shows_a_value(q), 20), (
                f"{path.name}: {title}: {promql}\n{_logs(tmp_path)}"
            )
    assert not query(prometheus, 'ALERTS{alertname="High5xxErrorRate"}'), "fired while healthy"

    # forced 5xx: High5xxErrorRate fires and reaches the webhook through Alertmanager
    def fired() -> bool:
        _traffic(demo, rounds=1, failures=3)
        return any(
            a["labels"].get("alertname") == "High5xxErrorRate" and a["status"] == "firing"
            for a in webhook.alerts
        )

    assert wait_for(fired, 60, interval=0.2), (
        f"no High5xxErrorRate; got {webhook.alerts}\n{_logs(tmp_path)}"
    )
    alert = next(a for a in webhook.alerts if a["labels"]["alertname"] == "High5xxErrorRate")
    assert alert["labels"]["severity"] == "critical" and alert["labels"]["job"] == JOB
    assert alert["annotations"]["runbook_url"]

    # exemplars point at traces the demo really wrote (its spans reach the file in batches)
    exemplars = wait_for(lambda: _exemplar_trace_ids(prometheus), 15)
    assert exemplars, "Prometheus stored no exemplars"
    traces = tmp_path / ".obs/traces.jsonl"
    assert wait_for(lambda: exemplars <= _trace_ids_written(traces), 20), (
        f"not among the demo's spans: {exemplars - _trace_ids_written(traces)}"
    )

    # down leaves nothing behind
    pids = [p["pid"] for p in json.loads((stack / "native/state.json").read_text())]
    down = run_cli("down", "stack", cwd=tmp_path)
    assert down.returncode == 0, down.stderr
    assert all(process_gone(pid) for pid in pids)
    for port in (prom_port, am_port):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"
    assert not os.path.exists(stack / "native/state.json")
