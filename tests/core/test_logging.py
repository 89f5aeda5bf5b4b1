"""JSON logs: one line per call with the fields, trace ids, safe for any arguments."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from loguru import logger as loguru_logger
from obs_core import get_logger, init_logging
from obs_core.testing import capture_logs
from opentelemetry.sdk.trace import TracerProvider

from tests.core.logfiles import read_lines

pytestmark = pytest.mark.usefixtures("fresh_logging")


def here() -> int:
    """The line number of the caller."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def test_a_call_writes_one_json_line_with_the_fields_at_top_level(log_file: Path) -> None:
    get_logger("shop.orders").info("Order created", order_id="12345", amount=1000)
    (line,) = read_lines(log_file)
    assert line["message"] == "Order created"
    assert line["level"] == "INFO"
    assert line["logger"] == "shop.orders"
    assert line["service"] == "shop"
    assert (line["order_id"], line["amount"]) == ("12345", 1000)
    assert "trace_id" not in line and "span_id" not in line  # no span, no ids
    assert line["timestamp"].endswith("Z")
    stamp = datetime.fromisoformat(line["timestamp"])
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - stamp) < timedelta(seconds=5)


def test_inside_a_span_the_line_carries_its_trace_and_span_ids(log_file: Path) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("checkout") as span:
        get_logger(__name__).info("paid")
    (line,) = read_lines(log_file)
    context = span.get_span_context()
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")
    assert re.fullmatch(r"[0-9a-f]{32}", line["trace_id"])
    assert re.fullmatch(r"[0-9a-f]{16}", line["span_id"])


def test_the_location_is_the_callers_module_function_and_line(log_file: Path) -> None:
    line_no = here() + 1
    get_logger(__name__).warning("where am I")
    (line,) = read_lines(log_file)
    assert line["module"] == __name__
    assert line["function"] == "test_the_location_is_the_callers_module_function_and_line"
    assert line["line"] == line_no


def test_braces_in_the_message_are_written_as_they_are(log_file: Path) -> None:
    log = get_logger(__name__)
    log.info("got {x}", user=1)
    log.info("{0} {} {name!r:>10}", a=1)
    log.info("}{ and {{")
    log.info("no fields but {braces}")
    messages = [line["message"] for line in read_lines(log_file)]
    assert messages == ["got {x}", "{0} {} {name!r:>10}", "}{ and {{", "no fields but {braces}"]
    assert read_lines(log_file)[0]["user"] == 1


def test_positional_arguments_are_interpolated_stdlib_or_brace_style(log_file: Path) -> None:
    log = get_logger(__name__)
    log.info("user %s logged in", "bob")
    log.info("user {} logged in", "ann")
    log.info("too few %s %s", "x")
    messages = [line["message"] for line in read_lines(log_file)]
    assert messages[:2] == ["user bob logged in", "user ann logged in"]
    assert messages[2].startswith("too few %s %s")  # kept, with the arguments appended


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_a_log_call_never_raises_whatever_its_arguments(log_file: Path) -> None:
    log = get_logger(__name__)
    log.info(Unprintable())
    log.info("bad value", thing=Unprintable())
    log.log("NO_SUCH_LEVEL", "odd level", a=1)
    log.log(-5, "negative level")
    log.info(None)
    lines = read_lines(log_file)
    assert len(lines) == 5  # every call left a line, none raised
    assert "obs_error" in lines[0]
    assert lines[1]["message"] == "bad value"
    assert lines[1]["thing"].startswith("<unrepresentable Unprintable")
    assert lines[2]["message"] == "odd level" and "obs_error" in lines[2]
    assert lines[4]["message"] == "None"


def test_a_field_named_like_a_reserved_key_is_written_with_a_field_prefix(log_file: Path) -> None:
    get_logger("shop").info(
        "real message", level="fake", message="fake", trace_id="fake", timestamp="fake"
    )
    (line,) = read_lines(log_file)
    assert (line["level"], line["message"]) == ("INFO", "real message")
    assert "trace_id" not in line
    assert line["timestamp"] != "fake"
    assert line["field_level"] == line["field_message"] == "fake"
    assert line["field_trace_id"] == line["field_timestamp"] == "fake"


class Point:
    def __repr__(self) -> str:
        return "Point(1, 2)"


def test_values_json_cannot_encode_are_written_as_their_repr(log_file: Path) -> None:
    get_logger(__name__).info(
        "odd values",
        point=Point(),
        huge=2**80,
        ratio=float("nan"),
        raw=b"\x00bytes",
        nested={"deep": [Point(), float("inf")]},
    )
    (line,) = read_lines(log_file)
    assert line["point"] == "Point(1, 2)"
    assert line["huge"] == str(2**80)
    assert line["ratio"] == "nan"
    assert line["raw"] == repr(b"\x00bytes")
    assert line["nested"] == {"deep": ["Point(1, 2)", "inf"]}


def test_exception_writes_the_traceback_and_the_callers_location(
    log_file: Path,
) -> None:
    def charge() -> None:
        raise ZeroDivisionError("card declined")

    try:
        charge()
    except ZeroDivisionError:
        line_no = here() + 1
        get_logger(__name__).exception("payment failed", order_id="7")
    (line,) = read_lines(log_file)
    assert line["level"] == "ERROR"
    assert line["order_id"] == "7"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert "in charge" in line["exception"]
    assert line["exception"].rstrip().endswith("ZeroDivisionError: card declined")
    assert line["function"] == "test_exception_writes_the_traceback_and_the_callers_location"
    assert line["line"] == line_no


def test_secrets_are_redacted_also_inside_nested_values(log_file: Path) -> None:
    get_logger(__name__).info(
        "login",
        user="ann",
        password="hunter2",
        access_token="t0k",
        headers={"Authorization": "Bearer x", "Accept": "json", "X-API-Key": "k"},
        attempts=[{"api_key": "k1", "ok": False}],
        client_secret="s",
    )
    (line,) = read_lines(log_file)
    assert line["user"] == "ann"
    assert line["password"] == line["access_token"] == line["client_secret"] == "[REDACTED]"
    assert line["headers"] == {
        "Authorization": "[REDACTED]",
        "Accept": "json",
        "X-API-Key": "[REDACTED]",
    }
    assert line["attempts"] == [{"api_key": "[REDACTED]", "ok": False}]
    assert "hunter2" not in log_file.read_text()


def test_redacted_keys_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    init_logging(log_stdout=False, log_file=str(path), log_stdlib=False, redact_keys="ssn,pin")
    get_logger(__name__).info("kyc", ssn="123", customer={"pin": "0000"}, password="visible")
    (line,) = read_lines(path)
    assert line["ssn"] == "[REDACTED]"
    assert line["customer"] == {"pin": "[REDACTED]"}
    assert line["password"] == "visible"  # the configured list replaces the default one


def test_bound_fields_are_added_to_every_line(log_file: Path) -> None:
    log = get_logger("jobs").bind(job_id="j-1", password="p")
    log.info("started")
    log.info("finished", took_ms=3)
    lines = read_lines(log_file)
    assert [line["job_id"] for line in lines] == ["j-1", "j-1"]
    assert lines[0]["password"] == "[REDACTED]"
    assert lines[1]["took_ms"] == 3
    assert lines[1]["logger"] == "jobs"


def test_any_field_name_can_be_bound(log_file: Path) -> None:
    get_logger("jobs").bind(self="worker-1", fields=2).info("started", message_id=3)
    (line,) = read_lines(log_file)
    assert (line["self"], line["fields"], line["message_id"]) == ("worker-1", 2, 3)


def test_lines_below_the_sink_level_are_not_written(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    init_logging(log_stdout=False, log_file=str(path), log_stdlib=False, log_level="WARNING")
    log = get_logger(__name__)
    log.debug("noise")
    log.info("noise")
    log.warning("careful")
    log.error("broken")
    assert [line["level"] for line in read_lines(path)] == ["WARNING", "ERROR"]


def test_loguru_calls_in_the_application_write_the_same_json_lines(log_file: Path) -> None:
    loguru_logger.bind(order_id="1").info("from loguru {}", "directly")
    (line,) = read_lines(log_file)
    assert line["message"] == "from loguru directly"
    assert line["order_id"] == "1"
    assert line["service"] == "shop"


def test_capture_logs_yields_the_lines_written_in_the_block_as_dicts(log_file: Path) -> None:
    log = get_logger("shop")
    log.info("before")
    with capture_logs() as logs:
        log.info("Order created", order_id="12345", level="x", token="t")
    log.info("after")
    assert len(logs) == 1
    (record,) = logs
    assert record["message"] == "Order created"
    assert record["order_id"] == "12345"
    assert record["field_level"] == "x"  # as serialised: reserved keys and redaction applied
    assert record["token"] == "[REDACTED]"
    assert record == read_lines(log_file)[1]


def test_capture_logs_works_before_any_setup(capsys: pytest.CaptureFixture[str]) -> None:
    with capture_logs() as logs:
        get_logger("early").info("hello", n=1)
    assert [(r["logger"], r["message"], r["n"]) for r in logs] == [("early", "hello", 1)]


def test_error_with_exc_info_carries_the_traceback_like_stdlib(log_file: Path) -> None:
    try:
        {}["missing"]
    except KeyError:
        get_logger(__name__).error("lookup failed", exc_info=True, key="missing")
    (line,) = read_lines(log_file)
    assert "KeyError: 'missing'" in line["exception"]
    assert line["key"] == "missing" and "exc_info" not in line


def test_get_logger_without_a_name_is_named_after_the_calling_module(log_file: Path) -> None:
    get_logger().info("anonymous")
    (line,) = read_lines(log_file)
    assert line["logger"] == __name__


def test_any_logger_name_is_accepted(log_file: Path) -> None:
    get_logger(42).info("numbered")  # type: ignore[arg-type]
    get_logger(["odd"]).info("listed")  # type: ignore[arg-type]
    assert [line["logger"] for line in read_lines(log_file)] == ["42", "['odd']"]
