"""The console page in a real browser: Debian's chromium, headless, against the demo."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from obs_core import shutdown_tracing
from obs_core.traces import TraceFile
from obs_flask.demo import create_app
from obs_flask.demo._traffic import send_traffic
from opentelemetry import trace
from werkzeug.serving import make_server

from tests.conftest import IN_CI

pytestmark = pytest.mark.slow


def chromium() -> str:
    """The browser binary; skip without it locally, fail without it in CI."""
    path = shutil.which("chromium")
    if path is None:
        message = "chromium is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def browse(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Load `url` headless, let its scripts run (virtual time), then do what `extra` asks."""
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1400,1000",
            "--virtual-time-budget=8000",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def demo_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The demo serving on 127.0.0.1 with some traffic behind it, traces flushed to its file."""
    monkeypatch.chdir(tmp_path)
    chromium()
    server = make_server("127.0.0.1", 0, create_app(seed=3, log_stdout=False), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        send_traffic(base, 60, seed=11)
        trace.get_tracer_provider().force_flush(5000)  # type: ignore[attr-defined]
        yield base
    finally:
        server.shutdown()
        server.server_close()
        shutdown_tracing()


def test_the_page_renders_a_trace_of_the_trace_file_with_its_waterfall(
    demo_base: str, tmp_path: Path
) -> None:
    summaries = TraceFile(tmp_path / ".obs" / "traces.jsonl").summaries()
    slowest = max(summaries, key=lambda s: s.duration_ns)
    assert slowest.spans >= 2  # the portfolio report: the request and its child span

    url = f"{demo_base}/_obs/#trace={slowest.trace_id}"
    dumped = browse(url, tmp_path / "profile", "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = html.unescape(dumped.stdout)

    chosen = re.search(r'<span id="trace-id" class="mono">([0-9a-f]{32})</span>', dom)
    assert chosen is not None and chosen[1] == slowest.trace_id
    waterfall = dom[dom.index('id="waterfall"') : dom.index('id="logs"')]
    assert "GET /api/reports/portfolio" in waterfall and "aggregate_portfolio" in waterfall
    assert waterfall.count('class="bar') == slowest.spans
    assert "route=/api/reports/portfolio" in waterfall
    logs = dom[dom.index('id="logs"') :]
    assert 'class="log"' in logs and "request" in logs  # its access line, found by trace id
    requests = dom[dom.index('id="requests"') : dom.index('id="waterfall"')]
    assert slowest.trace_id in requests  # the last requests list links the same trace
    routes = dom[dom.index('id="routes"') : dom.index('id="requests"')]
    assert "/api/farmers" in routes and "waiting for data" not in routes

    shot = tmp_path / "console.png"
    taken = browse(url, tmp_path / "profile", f"--screenshot={shot}")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
