"""Tracing across process boundaries: exporters down, exit, fork, an app's own provider.

Each case runs a real Python subprocess, since a process has one global TracerProvider
and exit/fork behaviour can only be seen from outside.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.otlp_receivers import BlackHole, GrpcReceiver, closed_port

ROOT = Path(__file__).resolve().parents[2]


def run_script(
    code: str, cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter; fail with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def last_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


BURST = """
    import json, sys, time
    import obs_core

    protocol, endpoint, explicit = sys.argv[1], sys.argv[2], sys.argv[3] == "explicit"
    obs_core.init_tracing(
        otlp_endpoint=endpoint, otlp_protocol=protocol, otlp_timeout=10, shutdown_timeout=1.0
    )
    tracer = obs_core.get_tracer("burst")
    worst = 0.0
    started = time.perf_counter()
    for i in range(3000):
        t0 = time.perf_counter()
        with tracer.start_as_current_span("request") as span:
            span.set_attribute("i", i)
        worst = max(worst, time.perf_counter() - t0)
    burst = time.perf_counter() - started
    time.sleep(0.8)  # the export thread is now retrying against the dead endpoint
    shutdown = None
    if explicit:
        t0 = time.perf_counter()
        obs_core.shutdown_tracing()
        shutdown = time.perf_counter() - t0
    print(json.dumps({"worst": worst, "burst": burst, "shutdown": shutdown,
                      "exiting_at": time.time()}), flush=True)
"""


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
@pytest.mark.parametrize("down", ["refused", "hung"])
@pytest.mark.parametrize("exit_path", ["explicit", "atexit"])
def test_dead_exporter_never_blocks_requests_and_exit_is_bounded(
    tmp_path: Path, black_hole: BlackHole, protocol: str, down: str, exit_path: str
) -> None:
    endpoint = closed_port() if down == "refused" else black_hole.endpoint
    result = run_script(BURST, tmp_path, protocol, endpoint, exit_path)
    exited_at = time.time()
    timing = last_json(result)
    assert timing["worst"] < 0.5, timing  # no span waits on the exporter (1 s retry backoff)
    assert timing["burst"] < 5.0, timing  # 3000 spans, far below one 10 s export timeout
    if exit_path == "explicit":
        assert timing["shutdown"] < 1.0 + 0.5, timing
    assert exited_at - timing["exiting_at"] < 1.0 + 1.5, timing  # not the SDK's 10-30 s


def test_spans_still_queued_at_exit_are_flushed(
    tmp_path: Path, grpc_receiver: GrpcReceiver
) -> None:
    run_script(
        """
        import sys, obs_core
        obs_core.init_tracing(otlp_endpoint=sys.argv[1], service_name="short-job")
        with obs_core.get_tracer("job").start_as_current_span("last-words"):
            pass
        """,
        tmp_path,
        grpc_receiver.endpoint,
    )
    spans = grpc_receiver.wait_for_spans(1, timeout=5)
    assert [(s.name, s.resource["service.name"]) for s in spans] == [("last-words", "short-job")]


FORK = """
    import os, sys, obs_core
    from opentelemetry import trace

    protocol, endpoint = sys.argv[1], sys.argv[2]
    obs_core.init_tracing(
        traces_exporter="otlp,file",
        otlp_protocol=protocol,
        otlp_endpoint=endpoint,
        service_name="prefork",
    )
    tracer = obs_core.get_tracer("server")
    with tracer.start_as_current_span("master-before-fork"):
        pass
    trace.get_tracer_provider().force_flush()  # the master now holds an open connection
    pids = []
    for n in range(2):
        pid = os.fork()
        if pid == 0:
            obs_core.after_fork()  # what gunicorn's post_fork hook calls; a no-op twice
            with tracer.start_as_current_span(f"worker-{n}"):
                pass
            obs_core.shutdown_tracing()
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        assert os.waitpid(pid, 0)[1] == 0
    with tracer.start_as_current_span("master-after-fork"):
        pass
"""


@pytest.mark.parametrize("receiver_kind", ["grpc", "http"])
def test_forked_workers_export_through_their_own_connections(
    tmp_path: Path, receiver_kind: str, request: pytest.FixtureRequest
) -> None:
    receiver = request.getfixturevalue(f"{receiver_kind}_receiver")
    protocol = "grpc" if receiver_kind == "grpc" else "http/protobuf"
    run_script(FORK, tmp_path, protocol, receiver.endpoint, timeout=90)
    expected = ["master-after-fork", "master-before-fork", "worker-0", "worker-1"]
    spans = receiver.wait_for_spans(4, timeout=5)
    assert sorted(s.name for s in spans) == expected  # each once: no replay of the queue
    assert {s.resource["service.name"] for s in spans} == {"prefork"}
    assert receiver.errors == []
    peers = receiver.peers_by_span()
    # no worker writes into the master's socket: each has its own exporter and connection
    assert len({peers["master-before-fork"], peers["worker-0"], peers["worker-1"]}) == 3
    lines = (tmp_path / ".obs" / "traces.jsonl").read_text().splitlines()
    names = [
        span["name"]
        for line in lines
        for rs in json.loads(line)["resourceSpans"]
        for ss in rs["scopeSpans"]
        for span in ss["spans"]
    ]
    assert sorted(names) == expected  # both workers appended whole lines to one file


def test_a_provider_the_application_installed_is_kept(tmp_path: Path) -> None:
    result = run_script(
        """
        import json, warnings, obs_core
        from obs_core.testing import capture_spans
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider

        mine = TracerProvider()
        trace.set_tracer_provider(mine)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kept = obs_core.init_tracing(service_name="ignored")
        with capture_spans() as spans:
            with obs_core.get_tracer("app").start_as_current_span("on-my-provider"):
                pass
        print(json.dumps({
            "kept": kept is mine and trace.get_tracer_provider() is mine,
            "warnings": [str(w.message) for w in caught if "TracerProvider" in str(w.message)],
            "captured": [s.name for s in spans],
        }))
        """,
        tmp_path,
    )
    out = last_json(result)
    assert out["kept"] is True
    assert len(out["warnings"]) == 1
    assert "already installed a TracerProvider" in out["warnings"][0]
    assert out["captured"] == ["on-my-provider"]
    assert not (tmp_path / ".obs").exists()


def test_sdk_disabled_installs_nothing(tmp_path: Path) -> None:
    result = run_script(
        """
        import json, obs_core
        from opentelemetry import trace
        obs_core.init_tracing()
        with obs_core.get_tracer("app").start_as_current_span("nothing") as span:
            recording = span.is_recording()
        print(json.dumps({"provider": type(trace.get_tracer_provider()).__name__,
                          "recording": recording}))
        """,
        tmp_path,
        env={"OTEL_SDK_DISABLED": "true"},
    )
    assert last_json(result) == {"provider": "ProxyTracerProvider", "recording": False}
    assert not (tmp_path / ".obs").exists()


def test_console_exporter_prints_spans_to_stdout(tmp_path: Path) -> None:
    result = run_script(
        """
        import obs_core
        obs_core.init_tracing(traces_exporter="console")
        with obs_core.get_tracer("app").start_as_current_span("printed-span"):
            pass
        """,
        tmp_path,
        env={"OTEL_CONSOLE_EXPORT": "false"},
    )
    assert '"name": "printed-span"' in result.stdout
    assert not (tmp_path / ".obs").exists()


def test_capture_spans_works_before_any_setup_and_init_adopts_its_provider(
    tmp_path: Path,
) -> None:
    result = run_script(
        """
        import json, warnings, obs_core
        from obs_core.testing import capture_spans
        from opentelemetry import trace

        with capture_spans() as spans:
            with obs_core.get_tracer("app").start_as_current_span("unit-under-test"):
                pass
        installed = trace.get_tracer_provider()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            same = obs_core.init_tracing(traces_exporter="none") is installed
        print(json.dumps({
            "captured": [s.name for s in spans],
            "same": same,
            "warned": [str(w.message) for w in caught if "TracerProvider" in str(w.message)],
        }))
        """,
        tmp_path,
    )
    assert last_json(result) == {"captured": ["unit-under-test"], "same": True, "warned": []}
