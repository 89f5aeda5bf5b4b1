"""``log_flush_interval``: the log file written in batches by a thread, and nothing lost.

The lines are the ones written one at a time (a line composed later, on the writing
thread, included); they keep their order; ERROR and above, a full list, a removed sink,
a fork and the process's exit each write what is waiting.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from loguru import logger as loguru_logger
from obs_core import ConfigError, ObsConfig, get_logger, hookimpl, init_logging, load_config
from obs_core.logging._batch import MAX_PENDING, LineBatch, flush_all
from obs_core.logging._direct import route
from obs_core.testing import registered_plugin
from opentelemetry.sdk.trace import TracerProvider

from tests.core.logfiles import read_lines
from tests.core.test_logging_direct import CALLS, Call, send, without_timestamps

pytestmark = pytest.mark.usefixtures("fresh_logging")

LONG = 60.0  # nothing is written by the thread within a test: only what forces a write


def batched(path: Path, interval: float = LONG, **settings: Any) -> Path:
    defaults = {"service_name": "shop", "log_stdout": False, "log_stdlib": False}
    init_logging(
        **{**defaults, **settings},
        log_file=str(path),
        log_level="TRACE",
        log_flush_interval=interval,
    )
    return path


def messages(path: Path) -> list[str]:
    return [line["message"] for line in read_lines(path)] if path.exists() else []


def test_lines_wait_and_an_error_writes_them_all_in_order(tmp_path: Path) -> None:
    path = batched(tmp_path / "app.log")
    log = get_logger("orders")
    for i in range(5):
        log.info("created", order_id=i)
    log.warning("slow", ms=812.5)
    assert messages(path) == []  # listed, not yet written
    log.error("payment failed", order_id=4)
    assert messages(path) == ["created"] * 5 + ["slow", "payment failed"]
    assert [line.get("order_id") for line in read_lines(path)] == [0, 1, 2, 3, 4, None, 4]


def test_the_thread_writes_within_the_interval_without_another_call(tmp_path: Path) -> None:
    path = batched(tmp_path / "app.log", interval=0.05)
    log = get_logger("orders")
    for i in range(3):
        log.info("created", order_id=i)
    deadline = time.monotonic() + 10
    while len(messages(path)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert messages(path) == ["created"] * 3
    log.info("later")  # the thread is woken again by the next line
    deadline = time.monotonic() + 10
    while len(messages(path)) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert messages(path)[-1] == "later"


def test_a_full_list_is_written_by_the_call_that_fills_it(tmp_path: Path) -> None:
    path = batched(tmp_path / "app.log")
    log = get_logger("orders")
    for i in range(MAX_PENDING):
        log.info("created", order_id=i)
    lines = read_lines(path)
    assert [line["order_id"] for line in lines] == list(range(MAX_PENDING))


def test_stdout_is_batched_too_and_gets_the_files_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = batched(tmp_path / "app.log", log_stdout=True)
    log = get_logger("orders")
    log.info("first")
    log.info("created", order_id=7)
    assert capsys.readouterr().out == "" and messages(path) == []
    log.error("declined", order_id=7)  # written at once, with what waits, on both
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["message"] for line in printed] == ["first", "created", "declined"]
    assert read_lines(path) == printed


def test_stdout_alone_gets_lines_composed_by_the_writer(capsys: pytest.CaptureFixture[str]) -> None:
    init_logging(service_name="shop", log_stdlib=False, log_flush_interval=LONG)
    log = get_logger("orders")
    log.info("first")
    assert route().deferred
    log.info("created", order_id=7, amount=12.5, note=None)
    assert capsys.readouterr().out == ""
    flush_all()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["message"], line.get("order_id")) for line in lines] == [
        ("first", None),
        ("created", 7),
    ]
    assert (lines[1]["amount"], lines[1]["note"], lines[1]["service"]) == (12.5, None, "shop")


def test_setting_logging_up_again_writes_what_waits(tmp_path: Path) -> None:
    path = batched(tmp_path / "app.log")
    get_logger("orders").info("before re-init")
    batched(tmp_path / "other.log")
    assert messages(path) == ["before re-init"]


def test_plain_lines_are_composed_later_with_the_calls_span_and_fields(tmp_path: Path) -> None:
    """The direct route lists a plain line's parts, composed by the writing thread."""
    path = batched(tmp_path / "app.log")
    log = get_logger("orders")
    log.info("first")  # a module's first line goes through loguru
    assert route().deferred
    pending = next(iter(_batches()))
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("checkout") as span, loguru_logger.contextualize(req="r1"):
        log.bind(shop="eu").info("paid", order_id="7", password="hunter2", level="x")
        ids = span.get_span_context()
    assert type(pending.pending[-1]) is tuple  # its parts, composed when written
    log.info("outside the span")
    flush_all()
    paid, outside = read_lines(path)[1:]
    assert paid["trace_id"] == f"{ids.trace_id:032x}" and paid["span_id"] == f"{ids.span_id:016x}"
    assert (paid["req"], paid["shop"], paid["order_id"]) == ("r1", "eu", "7")
    assert paid["password"] == "[REDACTED]" and paid["field_level"] == "x"
    assert paid["logger"] == "orders"
    assert "trace_id" not in outside


def test_lines_with_objects_are_composed_at_the_call(tmp_path: Path) -> None:
    """A field that could change before the write is serialised at once, as without batching."""
    path = batched(tmp_path / "app.log")
    log = get_logger("orders")
    log.info("first")
    items = ["apple"]
    log.info("basket", items=items)
    pending = next(iter(_batches())).pending
    assert type(pending[-1]) is bytes
    items.append("pear")  # after the call: not in the line
    flush_all()
    assert read_lines(path)[-1]["items"] == ["apple"]


def _batches() -> list[LineBatch]:
    found = route().writers
    assert found
    return [writer[5] for writer in found]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=CALLS)
def test_any_call_writes_the_same_line_batched_as_through_loguru(
    tmp_path: Path, call: Call
) -> None:
    path = tmp_path / "app.log"
    if not path.exists():
        batched(path)
        send(Call("info", "INFO", "first", (), {}, {}, False))  # the module's loguru pass
        flush_all()
    start = path.stat().st_size
    send(call)
    assert route().deferred
    flush_all()
    middle = path.stat().st_size
    extra = loguru_logger.add(lambda message: None)  # now every line goes through loguru
    try:
        send(call)
    finally:
        loguru_logger.remove(extra)
    flush_all()
    data = path.read_bytes()
    ours = without_timestamps(data[start:middle].decode())
    theirs = without_timestamps(data[middle:].decode())
    assert ours == theirs


def test_an_enricher_still_runs_on_the_calling_thread(tmp_path: Path) -> None:
    """An enricher reads the caller's state, so its lines are composed at the call."""
    here = threading.local()

    class Tenant:
        @hookimpl
        def obs_log_enrichers(self, config: ObsConfig) -> list[Any]:
            return [lambda line: line.update(tenant=getattr(here, "tenant", None))]

    path = tmp_path / "app.log"
    with registered_plugin(Tenant()):
        batched(path)
    assert not route().deferred
    here.tenant = "acme"
    get_logger("orders").info("created", order_id=7)
    here.tenant = "other"
    flush_all()
    assert [line["tenant"] for line in read_lines(path)] == ["acme"]


def test_stdlib_and_loguru_calls_share_the_batch_in_order(tmp_path: Path) -> None:
    path = batched(tmp_path / "app.log", log_stdlib=True)
    get_logger("orders").info("one")
    logging.getLogger("payments").warning("two")
    loguru_logger.info("three")
    seen: list[str] = []
    added = loguru_logger.add(seen.append, format="{message}")  # loguru's path from here
    try:
        get_logger("orders").info("four")
        assert messages(path) == []
        loguru_logger.error("five")  # loguru's path knows the level too: written at once
    finally:
        loguru_logger.remove(added)
    assert messages(path) == ["one", "two", "three", "four", "five"]


def test_the_interval_is_a_checked_setting(tmp_path: Path) -> None:
    none = tmp_path / "pyproject.toml"
    none.write_text("[project]\nname = 'app'\n")
    loaded = load_config(pyproject=none, env={"OBS_LOG_FLUSH_INTERVAL": "0.2"})
    assert loaded.log_flush_interval == 0.2
    assert load_config(pyproject=none, env={}).log_flush_interval == 0.0
    with pytest.raises(ConfigError, match=r"log_flush_interval.*0 .*60"):
        load_config(pyproject=none, env={}, log_flush_interval=-1)


CHILD = textwrap.dedent(
    """
    import os, sys
    from obs_core import get_logger, init_logging

    path, ending = sys.argv[1], sys.argv[2]
    init_logging(service_name="shop", log_file=path, log_flush_interval=60)
    log = get_logger("jobs")
    for i in range(1000):
        log.info("step", i=i)
    if ending == "fork":
        pid = os.fork()
        if pid == 0:
            log.info("child", pid=os.getpid())
            sys.exit(0)  # a normal exit: the child's own line is written, not the parent's
        os.waitpid(pid, 0)
        log.info("parent after fork")
    elif ending == "exit":
        sys.exit(3)
    elif ending == "raise":
        raise RuntimeError("job failed")
    """
)


@pytest.mark.parametrize("ending", ["end", "exit", "raise", "fork"])
def test_every_line_is_written_when_the_process_ends(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "jobs.log"
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), ending],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == {"end": 0, "exit": 3, "raise": 1, "fork": 0}[ending], run.stderr
    printed = [json.loads(line) for line in run.stdout.splitlines()]
    for lines in (read_lines(path), printed):  # the file and stdout, both batched
        steps = [line["i"] for line in lines if line["message"] == "step"]
        assert steps == list(range(1000))  # once each: the child did not write them again
        if ending == "fork":
            assert [line["message"] for line in lines[1000:]] == ["child", "parent after fork"]


FULL = textwrap.dedent(
    """
    import os, resource, signal, sys
    from obs_core import get_logger, init_logging
    from obs_core.logging._batch import flush_all

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    path = sys.argv[1]
    init_logging(service_name="disk", log_file=path, log_stdout=False, log_flush_interval=60)
    log = get_logger("disk")
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    for tag in ("before", "full", "after"):
        if tag == "full":
            resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(path) + 2500, hard))
        for i in range(3):
            log.info(f"{tag}-{i}", padding="l" * 6000)
        flush_all()
        if tag == "full":
            resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    """
)


def test_a_batch_the_disk_cannot_hold_is_reported_and_tears_nothing(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    run = subprocess.run(
        [sys.executable, "-c", FULL, str(path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "obs: 3 log line(s) could not be written" in run.stderr
    data = path.read_bytes()
    assert data.endswith(b"\n")
    names = [json.loads(line)["message"] for line in data.splitlines()]
    assert names == ["before-0", "before-1", "before-2", "after-0", "after-1", "after-2"]
