"""The main job: `obs demo` serves the farm-lending service; `--traffic N` drives and sums up."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.otlp_receivers import GrpcReceiver
from tests.flask.conftest import free_port

OBS = str(Path(sys.executable).with_name("obs"))
WERKZEUG_ACCESS = re.compile(r'"(GET|POST) /\S* HTTP/1\.[01]" \d{3}')


def demo(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OBS, "demo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **env},
    )


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_traffic_sends_requests_summarises_and_exits(tmp_path: Path) -> None:
    result = demo(tmp_path, "--port", "0", "--traffic", "80")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^requests\s+80 in [\d.]+ s \(", out, re.M)
    assert re.search(r"^error ratio\s+[\d.]+% \(5xx\)", out, re.M)
    p50, p95 = map(float, re.search(r"p50 ([\d.]+) ms, p95 ([\d.]+) ms", out).groups())  # type: ignore[union-attr]
    assert 0 < p50 <= p95
    written = int(re.search(r"^spans\s+(\d+) written to (\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    assert written >= 80

    access = [r for r in json_lines(out) if r["logger"] == "obs.access"]
    assert len(access) == 80  # one access line per request, no more
    assert all(re.fullmatch(r"[0-9a-f]{32}", str(r["trace_id"])) for r in access)
    assert not WERKZEUG_ACCESS.search(result.stderr + out)  # werkzeug's own log is quiet

    spans = []
    for line in (tmp_path / ".obs" / "traces.jsonl").read_text().splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            resource = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
            assert resource["service.name"] == {"stringValue": "farm-lending"}
            spans += [s for ss in rs["scopeSpans"] for s in ss["spans"]]
    assert len(spans) == written
    traced = {r["trace_id"] for r in access}
    assert traced <= {s["traceId"] for s in spans}


def test_a_port_in_use_gives_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = demo(tmp_path, "--port", str(port), "--traffic", "5")
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_serves_until_ctrl_c_then_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [OBS, "demo", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                    assert json.load(resp) == {"status": "ok"}
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "demo did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            assert b"http_requests_total" in resp.read()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in err


@pytest.mark.slow
def test_traces_go_to_the_otlp_endpoint_when_set(tmp_path: Path) -> None:
    receiver = GrpcReceiver().start()
    try:
        result = demo(
            tmp_path,
            "--port",
            "0",
            "--traffic",
            "20",
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
        )
        assert result.returncode == 0, result.stderr
        assert f"sent to {receiver.endpoint}" in result.stdout
        spans = receiver.wait_for_spans(20)
        assert {s.resource["service.name"] for s in spans} == {"farm-lending"}
        assert not (tmp_path / ".obs" / "traces.jsonl").exists()
    finally:
        receiver.stop()
