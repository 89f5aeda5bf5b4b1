"""Pre-fork: real gunicorn, 4 sync or threaded workers, multiprocess metrics, spans from each,
an access line for every request (written at once, or in batches written at the latest when
the workers stop)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.core.otlp_receivers import GrpcReceiver
from tests.flask.conftest import free_port

APP = textwrap.dedent(
    """
    import os
    from flask import Flask
    from obs_flask import Observability, add_span_attributes

    app = Flask("gunicorn-app")

    @app.get("/api/items/<int:item_id>")
    def item(item_id):
        add_span_attributes(worker_pid=os.getpid())
        return {"id": item_id}

    @app.get("/gc")
    def gc_state():
        import gc
        return {"frozen": gc.get_freeze_count()}

    Observability(app, log_stdout=False)
    """
)
REQUESTS = 2_000
WORKERS = 4


@pytest.fixture
def receiver() -> Iterator[GrpcReceiver]:
    rec = GrpcReceiver().start()
    yield rec
    rec.stop()


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as resp:
        resp.read()
        status: int = resp.status
        return status


@pytest.mark.slow
@pytest.mark.parametrize("worker_class", ["sync", "gthread"])
def test_gunicorn_workers_count_exactly_and_all_export_spans(
    tmp_path: Path, receiver: GrpcReceiver, worker_class: str
) -> None:
    (tmp_path / "gapp.py").write_text(APP)
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "OTEL_SERVICE_NAME": "gunicorn-app",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OBS_LOG_FILE": str(tmp_path / "access.jsonl"),
        # threaded workers batch their lines, beyond the test's length: only their exit writes
        "OBS_LOG_FLUSH_INTERVAL": "60" if worker_class == "gthread" else "0",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [
            gunicorn,
            "-w",
            str(WORKERS),
            "-k",
            worker_class,
            "--threads",
            "4" if worker_class == "gthread" else "1",
            "-b",
            f"127.0.0.1:{port}",
            "-c",
            "python:obs_flask.gunicorn",
            "--chdir",
            str(tmp_path),
            "gapp:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(f"{base}/metrics")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(
                        f"gunicorn did not start: {proc.stderr.read() if proc.stderr else ''}"
                    )
                time.sleep(0.2)
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda i: get(f"{base}/api/items/{i}"), range(REQUESTS)))
        assert statuses == [200] * REQUESTS

        exposition = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()
        samples = {
            sample.name: sample.value
            for family in text_string_to_metric_families(exposition)
            for sample in family.samples
            if sample.labels.get("endpoint") == "/api/items/<int:item_id>"
            and sample.labels.get("le", "+Inf") == "+Inf"
        }
        assert samples["http_requests_total"] == REQUESTS
        assert samples["http_request_duration_seconds_count"] == REQUESTS
        assert samples["http_request_duration_seconds_bucket"] == REQUESTS
        assert samples["http_requests_in_progress"] == 0

        spans = receiver.wait_for_spans(REQUESTS, timeout=20)
        servers = [s for s in spans if s.name == "GET /api/items/<int:item_id>"]
        assert len(servers) == REQUESTS
        assert {s.resource["service.name"] for s in servers} == {"gunicorn-app"}
        if worker_class == "sync":  # a threaded worker may take every connection it is offered
            assert len({s.attributes["worker_pid"] for s in servers}) == WORKERS

        # post_worker_init froze the loaded app: full collections no longer walk it
        with urllib.request.urlopen(f"{base}/gc", timeout=10) as resp:
            assert json.loads(resp.read())["frozen"] > 10_000
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    lines = [json.loads(line) for line in (tmp_path / "access.jsonl").read_text().splitlines()]
    items = [line for line in lines if line.get("route") == "/api/items/<int:item_id>"]
    assert sorted(int(line["path"].rsplit("/", 1)[1]) for line in items) == list(range(REQUESTS))
    assert all(line["status"] == 200 and len(line["trace_id"]) == 32 for line in items)
