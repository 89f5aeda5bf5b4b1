"""Lines written straight to obs's own sinks are the lines loguru's path writes.

When every loguru handler is one obs added for a sink it writes itself, a log call skips
loguru's record; any other handler (an application's ``logger.add``, a plugin's callable
sink, `capture_logs`) sends lines through loguru as before. Each test here runs the same
calls on both paths and compares what lands in the file.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loguru import logger as loguru_logger
from obs_core import get_logger, init_logging
from obs_core.logging._direct import Route, _internals, _work_out, route
from obs_core.logging._format import RESERVED
from obs_core.testing import capture_logs
from opentelemetry.sdk.trace import TracerProvider

from tests.core.logfiles import read_lines

pytestmark = pytest.mark.usefixtures("fresh_logging")

_STAMP = re.compile(r'^\{"timestamp":"[^"]*"')


def direct() -> bool:
    """Whether lines now take the direct path (it leaves no other trace, by design)."""
    return route().writers is not None


SENDING = threading.local()


class Unprintable:
    """Its ``str`` and ``repr`` raise while a log call runs (hypothesis may print it after)."""

    def __repr__(self) -> str:
        if getattr(SENDING, "on", False):
            raise RuntimeError("no repr")
        return "Unprintable()"

    __str__ = __repr__


class Color(Enum):
    RED = "red"


@dataclass
class Card:
    number: str
    cvv: str = "123"
    tags: list[str] = field(default_factory=list)


class Holder:
    def __init__(self) -> None:
        self.user = "ann"
        self.api_key = "k"


OBJECTS = [
    Unprintable(),
    Color.RED,
    Card("4111"),
    Holder(),
    datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    b"\x00raw",
    {1, 2},
    2**80,
    float("nan"),
    float("-inf"),
]
KEYS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        [*sorted(RESERVED), "password", "Api-Key", "token", "_obs_logger", "_Logger__level"]
    ),
)
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=20) | st.sampled_from(
    ["{x}", "{0} {}", "}{", "100%", "%s and %d", "{{"]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.sampled_from(OBJECTS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(KEYS, inner, max_size=3)
        | st.tuples(st.sampled_from(["Authorization", "x"]), inner)
    ),
    max_leaves=8,
)
EXC_INFO = st.sampled_from([True, False, None, 1, ValueError("given"), (None, None, None), (1, 2)])
METHODS = ["trace", "debug", "info", "success", "warning", "error", "critical", "exception", "log"]
LEVELS = ["TRACE", "INFO", "ERROR", "CRITICAL", 20, 7, "NO_SUCH_LEVEL"]


@dataclass
class Call:
    method: str
    level: str | int
    message: Any
    args: tuple[Any, ...]
    fields: dict[str, Any]
    bound: dict[str, Any]
    raised: bool


CALLS = st.builds(
    Call,
    method=st.sampled_from(METHODS),
    level=st.sampled_from(LEVELS),
    message=TEXT | st.sampled_from([None, 42, Unprintable()]),
    args=st.lists(SCALARS, max_size=2).map(tuple) | st.just(()),
    fields=st.dictionaries(KEYS, VALUES, max_size=4)
    | st.dictionaries(st.just("exc_info"), EXC_INFO, max_size=1),
    bound=st.dictionaries(KEYS.filter(lambda k: k != "_obs_logger"), VALUES, max_size=2),
    raised=st.booleans(),
)


def send(call: Call) -> None:
    """One call site for both paths, so the location written is the same."""
    log = get_logger("checkout")
    if call.bound:
        log = log.bind(**call.bound)
    SENDING.on = True
    try:
        if call.raised:
            try:
                raise ZeroDivisionError("card declined")
            except ZeroDivisionError:
                _call(log, call)
        else:
            _call(log, call)
    finally:
        SENDING.on = False


def _call(log: Any, call: Call) -> None:
    if call.method == "log":
        log.log(call.level, call.message, *call.args, **call.fields)
    else:
        getattr(log, call.method)(call.message, *call.args, **call.fields)


def without_timestamps(text: str) -> list[str]:
    return [_STAMP.sub('{"timestamp":""', line) for line in text.splitlines()]


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    init_logging(
        service_name="shop",
        log_stdout=False,
        log_file=str(path),
        log_stdlib=False,
        log_level="TRACE",
    )
    return path


def both_paths(path: Path, emit: Callable[[], object]) -> tuple[list[str], list[str]]:
    """The lines `emit` writes directly, then through loguru (another sink attached)."""
    start = path.stat().st_size
    emit()
    assert direct()
    middle = path.stat().st_size
    extra = loguru_logger.add(lambda message: None)
    try:
        emit()
        assert not direct()
    finally:
        loguru_logger.remove(extra)
    data = path.read_bytes()
    return (
        without_timestamps(data[start:middle].decode()),
        without_timestamps(data[middle:].decode()),
    )


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=CALLS)
def test_any_call_writes_the_same_line_on_both_paths(log_file: Path, call: Call) -> None:
    ours, loguru = both_paths(log_file, lambda: send(call))
    assert ours == loguru


@pytest.fixture
def direct_lines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The levels of the lines the direct path wrote (so a comparison is never vacuous)."""
    written: list[str] = []
    emit = Route.emit

    def counting(self: Route, no: int, level: str, *rest: Any) -> bool:
        done = emit(self, no, level, *rest)
        if done:
            written.append(level)
        return done

    monkeypatch.setattr(Route, "emit", counting)
    return written


def test_ordinary_calls_take_the_direct_path(log_file: Path, direct_lines: list[str]) -> None:
    send(Call("info", "INFO", "first", (), {}, {}, False))  # a module's first line: loguru's
    direct_lines.clear()
    calls = [
        Call("info", "INFO", "paid", (), {"order_id": "7", "password": "x"}, {}, False),
        Call("exception", "ERROR", "failed", (), {"n": 1.5}, {"job": 2}, True),
        Call("log", "WARNING", "slow %s", ("call",), {"exc_info": True}, {}, True),
        Call("debug", "DEBUG", "%d items", (3,), {}, {}, False),
    ]
    for call in calls:
        send(call)
    logging.getLogger("lib").warning("from stdlib")  # log_stdlib is off here: not written
    assert direct_lines == ["INFO", "ERROR", "WARNING", "DEBUG"]
    assert len(read_lines(log_file)) == 5


def test_stdlib_records_take_the_direct_path(tmp_path: Path, direct_lines: list[str]) -> None:
    path = tmp_path / "app.log"
    init_logging(service_name="shop", log_stdout=False, log_file=str(path))
    log = logging.getLogger("payments")
    log.warning("first")  # a module's first line: loguru's
    direct_lines.clear()
    log.warning("declined %s", "card", extra={"order_id": "7"})
    log.log(25, "a level of its own")  # no loguru name for it: loguru's path
    assert direct_lines == ["WARNING"]
    assert [line["message"] for line in read_lines(path)][1:] == [
        "declined card",
        "a level of its own",
    ]


@dataclass
class StdlibCall:
    level: int
    message: Any
    args: tuple[Any, ...]
    extra: dict[str, Any]
    raised: bool


_STDLIB_OWN = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
STDLIB_CALLS = st.builds(
    StdlibCall,
    level=st.sampled_from([logging.DEBUG, logging.INFO, 25, logging.WARNING, logging.CRITICAL]),
    message=TEXT,
    args=st.lists(SCALARS, max_size=2).map(tuple),
    extra=st.dictionaries(KEYS.filter(lambda k: k not in _STDLIB_OWN), VALUES, max_size=3),
    raised=st.booleans(),
)


def send_stdlib(call: StdlibCall) -> None:
    log = logging.getLogger("payments.gateway")
    SENDING.on = True
    try:
        try:
            raise KeyError("card")
        except KeyError:
            log.log(call.level, call.message, *call.args, extra=call.extra, exc_info=call.raised)
    finally:
        SENDING.on = False


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=STDLIB_CALLS)
def test_stdlib_records_write_the_same_line_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: StdlibCall
) -> None:
    monkeypatch.setattr(logging, "raiseExceptions", False)  # pytest's handler: bad formats
    path = tmp_path / "stdlib.log"
    if not path.exists():
        init_logging(service_name="shop", log_file=str(path), log_stdout=False, log_level="DEBUG")
    ours, loguru = both_paths(path, lambda: send_stdlib(call))
    assert ours == loguru


def test_the_same_line_inside_a_span_with_context_and_configured_extra(log_file: Path) -> None:
    tracer = TracerProvider().get_tracer("test")
    call = Call("info", "INFO", "paid {x}", (), {"order_id": "7", "level": "x"}, {"job": 1}, False)
    loguru_logger.configure(extra={"region": "eu"})
    try:
        with tracer.start_as_current_span("checkout"), loguru_logger.contextualize(request="r1"):
            ours, loguru = both_paths(log_file, lambda: send(call))
    finally:
        loguru_logger.configure(extra={})
    assert ours == loguru
    (line,) = read_lines(log_file)[-1:]
    assert (line["region"], line["request"], line["order_id"]) == ("eu", "r1", "7")
    assert line["trace_id"] and line["span_id"]


def test_a_sink_added_after_setup_gets_lines_and_removing_it_returns_to_the_direct_path(
    log_file: Path,
) -> None:
    log = get_logger("shop")
    log.info("first")
    assert direct()
    seen: list[str] = []
    added = loguru_logger.add(seen.append, format="{message}")
    log.info("second", n=2)
    assert not direct()
    loguru_logger.remove(added)
    log.info("third")
    assert direct()
    assert seen == ["second\n"]
    assert [line["message"] for line in read_lines(log_file)] == ["first", "second", "third"]


def test_capture_logs_and_direct_loguru_calls_still_see_every_line(log_file: Path) -> None:
    log = get_logger("shop")
    with capture_logs() as logs:
        log.info("captured", n=1)
    loguru_logger.info("plain loguru {}", "call")
    log.info("after")
    assert [r["message"] for r in logs] == ["captured"]
    messages = [line["message"] for line in read_lines(log_file)]
    assert messages == ["captured", "plain loguru call", "after"]


def test_a_disabled_module_writes_nothing_until_enabled_again(log_file: Path) -> None:
    log = get_logger("shop")
    loguru_logger.disable(__name__)
    try:
        log.info("hidden")
    finally:
        loguru_logger.enable(__name__)
    log.info("shown")
    assert [line["message"] for line in read_lines(log_file)] == ["shown"]


def test_a_patcher_still_sees_every_line(log_file: Path) -> None:
    def patch(record: Any) -> None:
        record["extra"]["patched"] = True

    loguru_logger.configure(patcher=patch)
    try:
        get_logger("shop").info("patched?")
    finally:
        loguru_logger._core.patcher = None  # type: ignore[attr-defined]  # configure cannot unset it
    (line,) = read_lines(log_file)
    assert line["patched"] is True


def test_stdout_and_the_file_get_the_same_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.log"
    init_logging(service_name="shop", log_file=str(path), log_stdlib=False)
    get_logger("shop").warning("twice", n=1)
    assert direct()
    assert capsys.readouterr().out == path.read_text()
    assert read_lines(path)[0]["message"] == "twice"


def test_lines_below_every_sink_level_are_dropped_without_a_line(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    init_logging(log_stdout=False, log_file=str(path), log_stdlib=False, log_level="ERROR")
    log = get_logger("shop")
    log.info("noise", n=1)
    log.log("WARNING", "noise")
    log.critical("kept")
    assert direct()
    assert [line["message"] for line in read_lines(path)] == ["kept"]


def test_direct_and_loguru_writers_together_write_whole_lines(log_file: Path) -> None:
    log = get_logger("load")

    def ours(worker: int) -> None:
        for n in range(300):
            log.info("step", worker=worker, n=n)

    def theirs(worker: int) -> None:
        for n in range(300):
            loguru_logger.bind(worker=worker, n=n).info("step")

    threads = [threading.Thread(target=f, args=(w,)) for w, f in enumerate([ours, theirs] * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    lines = read_lines(log_file)
    assert len(lines) == 1200
    assert {(r["worker"], r["n"]) for r in lines} == {(w, n) for w in range(4) for n in range(300)}


def test_a_failed_write_is_reported_like_loguru_reports_it_and_never_raises(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = io.StringIO()
    monkeypatch.setattr(sys, "stdout", closed)
    init_logging(service_name="shop", log_stdlib=False)
    closed.close()
    log = get_logger("shop")
    log.info("lost", password="s3cr3t")  # loguru's path: the first line from a module
    capfd.readouterr()
    log.info("lost", password="s3cr3t")
    assert direct()
    ours = capfd.readouterr().err
    extra = loguru_logger.add(lambda message: None)
    try:
        log.info("lost", password="s3cr3t")
    finally:
        loguru_logger.remove(extra)
    theirs = capfd.readouterr().err
    for report in (ours, theirs):
        assert report.startswith("--- Logging error in Loguru Handler #")
        assert "ValueError: I/O operation on closed file" in report
        assert "'message': 'lost'" in report
        assert "s3cr3t" not in report
    pattern = re.compile(r"(Record was: ).*|(  File|    ).*")
    assert pattern.sub("", ours) == pattern.sub("", theirs)


def test_a_loguru_without_the_internals_read_sends_every_line_through_loguru() -> None:
    class OtherLoguru:
        def log(self, level: str, message: str) -> None: ...

    core, _, _, _ = _internals(OtherLoguru())
    assert Route(core.handlers).writers is None
    assert _work_out(core).writers is None  # and stays so: its handlers never change


def test_a_loguru_release_not_checked_against_sends_every_line_through_loguru(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import loguru

    core, _, _, _ = _internals()
    assert core is loguru_logger._core  # the installed release is one the route was checked on
    monkeypatch.setattr(loguru, "__version__", "0.8.0")
    core, _, _, _ = _internals()
    assert _work_out(core).writers is None
