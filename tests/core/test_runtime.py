"""obs's process-wide state: one public reset, obs's pytest fixtures, locks that survive a fork."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import obs_core
import pytest
from obs_core import get_logger, get_registry, get_tracer, hookimpl, init_logging, init_tracing
from obs_core.plugins import plugin_infos, plugin_manager, register
from obs_core.testing import reset
from prometheus_client import REGISTRY, CollectorRegistry


class _Named:
    """A plugin registered in code, so reset can be seen forgetting it."""

    @hookimpl
    def obs_resource_attributes(self) -> dict[str, str]:
        return {"team": "lending"}


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_reset_forgets_plugins_registered_in_code_and_loads_installed_ones_again() -> None:
    register(_Named(), name="named")
    before = plugin_manager()
    assert "named" in {info.name for info in plugin_infos()}
    reset()
    assert plugin_manager() is not before
    names = {info.name for info in plugin_infos()}
    assert "named" not in names
    assert {"core", "test_sink"} <= names  # the built-in and the installed plugins are back


def test_reset_makes_obs_use_the_default_registry_again() -> None:
    mine = CollectorRegistry()
    obs_core.set_registry(mine)
    assert get_registry() is mine
    reset()
    assert get_registry() is REGISTRY
    obs_core.init_metrics(obs_core.configure())  # set up again: no duplicate series
    obs_core.init_metrics(obs_core.configure())


def test_reset_shuts_tracing_down_after_flushing_its_spans(tmp_path: Path) -> None:
    traces = tmp_path / "traces.jsonl"
    init_tracing(service_name="loans", traces_file=str(traces))
    with get_tracer("test").start_as_current_span("before reset"):
        pass
    reset()
    names = traces.read_text()
    assert "before reset" in names  # flushed by the reset, not lost
    with get_tracer("test").start_as_current_span("after reset"):
        pass
    time.sleep(0.7)  # longer than obs's batch delay: a live exporter would have written it
    assert "after reset" not in traces.read_text()


def test_reset_removes_obs_log_handlers_and_forgets_loggers(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    init_logging(service_name="shop", log_stdout=False, log_file=str(path), log_stdlib=False)
    log = get_logger("shop.orders")
    log.info("kept")
    reset()
    assert get_logger("shop.orders") is not log
    log.info("after reset")
    assert [line["message"] for line in _lines(path)] == ["kept"]


def test_reset_runs_the_callbacks_other_distributions_registered() -> None:
    calls: list[str] = []
    obs_core.on_reset("tests.counter", lambda: calls.append("reset"))
    try:
        reset()
        reset()
        assert calls == ["reset", "reset"]
    finally:
        obs_core.on_reset("tests.counter", lambda: None)


USER_TESTS = """
from obs_core import get_logger, get_tracer, track_function_metrics


@track_function_metrics("score_loan")
def score_loan() -> int:
    get_logger("loans").info("Loan scored", loan_id=7)
    with get_tracer("loans").start_as_current_span("score"):
        return 42


def test_logs_spans_and_metrics(obs_logs, obs_spans, obs_registry):
    assert score_loan() == 42
    assert [(line["message"], line["loan_id"]) for line in obs_logs] == [("Loan scored", 7)]
    assert [span.name for span in obs_spans] == ["score"]


import pytest


@pytest.mark.parametrize("run", [1, 2])
def test_registry_is_fresh_per_test(obs_registry, run):
    from obs_core import get_registry

    assert get_registry() is obs_registry
    approve = track_function_metrics("approve")(lambda: True)  # made during the test
    approve()
    assert obs_registry.get_sample_value("approve_calls_total") == 1  # not 2 on run 2
"""


@pytest.mark.slow
def test_a_users_project_gets_obs_fixtures_from_the_pytest_plugin(tmp_path: Path) -> None:
    (tmp_path / "test_loans.py").write_text(textwrap.dedent(USER_TESTS))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_loans.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_the_pytest_plugin_imports_no_pillar() -> None:
    script = (
        "import sys, obs_core.pytest_plugin\n"
        "heavy = {'opentelemetry', 'loguru', 'prometheus_client', 'orjson', 'grpc'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


class _Blocking:
    """A plugin whose exporter hook blocks, so `init_tracing` holds obs's lock meanwhile."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    @hookimpl
    def obs_span_exporters(self) -> list[object]:
        self.entered.set()
        self.release.wait(10)
        return []


def test_a_forked_child_does_not_wait_for_a_lock_a_parent_thread_held(tmp_path: Path) -> None:
    blocking = _Blocking()
    register(blocking, name="blocking")
    thread = threading.Thread(target=init_tracing, kwargs={"traces_exporter": "none"}, daemon=True)
    thread.start()
    try:
        assert blocking.entered.wait(10)  # the thread is inside init_tracing, holding the lock
        pid = os.fork()
        if pid == 0:  # the child: the lock's holder does not exist here
            code = 1
            try:
                obs_core.shutdown_tracing()
                init_logging(log_stdout=False, log_file=str(tmp_path / "child.log"))
                get_logger("child").info("child alive")
                code = 0
            finally:
                os._exit(code)
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung on a lock held by a parent thread")
        assert os.waitstatus_to_exitcode(status) == 0
        assert _lines(tmp_path / "child.log")[0]["message"] == "child alive"
    finally:
        blocking.release.set()
        thread.join(10)
        obs_core.shutdown_tracing()
