"""Log setup: sinks and enrichers from plugins, stdlib logging, re-init, lazy defaults."""

from __future__ import annotations

import inspect
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import urllib3
from obs_core import LogSink, ObsConfig, get_logger, hookimpl, init, init_logging
from obs_core.testing import capture_logs, registered_plugin

from tests.core.logfiles import read_lines

pytestmark = pytest.mark.usefixtures("fresh_logging")


def here() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def test_default_sink_writes_json_lines_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    init_logging(service_name="billing", log_stdlib=False)
    get_logger("billing").info("invoice sent", invoice="I-1")
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert (record["service"], record["message"], record["invoice"]) == (
        "billing",
        "invoice sent",
        "I-1",
    )


def test_get_logger_before_init_writes_with_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    get_logger("early").info("starting up", port=8000)
    record = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (record["logger"], record["message"], record["port"]) == ("early", "starting up", 8000)
    assert record["service"] == "unknown_service"


def test_calling_init_twice_does_not_duplicate_lines(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    for _ in range(2):
        init_logging(service_name="shop", log_stdout=False, log_file=str(path))
    init(service_name="shop", log_stdout=False, log_file=str(path), traces_exporter="none")
    get_logger("shop").info("once")
    logging.getLogger("shop.stdlib").warning("once too")
    assert [r["message"] for r in read_lines(path)] == ["once", "once too"]


def test_sinks_come_from_plugins_any_loguru_sink_at_its_level(tmp_path: Path) -> None:
    received: list[str] = []

    class AuditSink:
        @hookimpl
        def obs_log_sinks(self, config: ObsConfig) -> Sequence[LogSink]:
            return [LogSink(received.append, "WARNING", "audit")]

    path = tmp_path / "app.log"
    with registered_plugin(AuditSink()):
        init_logging(service_name="shop", log_stdout=False, log_file=str(path))
        log = get_logger("shop")
        log.info("routine")
        log.warning("suspicious", user="u1")
    assert [r["message"] for r in read_lines(path)] == ["routine", "suspicious"]
    (audit,) = received
    assert audit.endswith("\n")
    assert json.loads(audit) == read_lines(path)[1]


def test_plugin_answers_of_the_wrong_kind_are_reported_and_skipped(tmp_path: Path) -> None:
    seen: list[str] = []

    class Confused:
        @hookimpl
        def obs_log_sinks(self, config: ObsConfig) -> Any:
            return LogSink(seen.append, "INFO", "lone")  # one sink, not a list: accepted

        @hookimpl
        def obs_log_enrichers(self, config: ObsConfig) -> Any:
            return ["not callable"]

    class Wrong:
        @hookimpl
        def obs_log_sinks(self, config: ObsConfig) -> Sequence[Any]:
            return ["not-a-LogSink"]

    path = tmp_path / "app.log"
    with (
        registered_plugin(Confused()),
        registered_plugin(Wrong()),
        pytest.warns(UserWarning) as warned,
    ):
        init_logging(log_stdout=False, log_file=str(path))
    get_logger("x").info("still logging")
    assert [r["message"] for r in read_lines(path)] == ["still logging"]
    assert len(seen) == 1
    messages = " ".join(str(w.message) for w in warned)
    assert "not a LogSink" in messages and "not a callable" in messages


def test_enrichers_are_assembled_once_and_add_fields_to_every_line(tmp_path: Path) -> None:
    hook_calls = []

    def add_region(record: dict[str, Any]) -> None:
        record["region"] = "eu-west-1"

    def broken(record: dict[str, Any]) -> None:
        raise RuntimeError("enricher bug")

    class Region:
        @hookimpl
        def obs_log_enrichers(self, config: ObsConfig) -> Sequence[Any]:
            hook_calls.append(config.service_name)
            return [add_region, broken]

    path = tmp_path / "app.log"
    with registered_plugin(Region()):
        init_logging(service_name="shop", log_stdout=False, log_file=str(path))
        for n in range(50):
            get_logger("shop").info("tick", n=n)
    lines = read_lines(path)
    assert len(lines) == 50
    assert hook_calls == ["shop"]  # once at setup, not once per line
    assert all(line["region"] == "eu-west-1" for line in lines)
    assert "enricher bug" in lines[0]["obs_error"]  # a broken enricher costs a note, not the line


def test_the_installed_obs_test_sink_plugin_receives_the_lines_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin_file = tmp_path / "plugin-sink.log"
    monkeypatch.setenv("OBS_TEST_SINK_FILE", str(plugin_file))
    path = tmp_path / "app.log"
    init_logging(service_name="shop", log_stdout=False, log_file=str(path))
    get_logger("shop").info("to every sink", order_id="1")
    get_logger("shop").debug("below the plugin sink's INFO")
    assert read_lines(plugin_file) == read_lines(path)
    assert [r["message"] for r in read_lines(plugin_file)] == ["to every sink"]


def test_stdlib_logging_goes_through_the_same_sink_once_with_the_callers_location(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.log"
    init_logging(service_name="shop", log_stdout=False, log_file=str(path))
    init_logging(service_name="shop", log_stdout=False, log_file=str(path))  # idempotent
    app_log = logging.getLogger("shop.payments")
    line_no = here() + 1
    app_log.info("charged %s cents", 250, extra={"order_id": "o-1", "password": "p"})
    try:
        raise ValueError("bad card")
    except ValueError:
        app_log.exception("charge failed {not a field}")
    lines = read_lines(path)
    assert len(lines) == 2
    first, second = lines
    assert (first["logger"], first["level"], first["message"]) == (
        "shop.payments",
        "INFO",
        "charged 250 cents",
    )
    assert first["order_id"] == "o-1" and first["password"] == "[REDACTED]"
    assert first["module"] == __name__
    assert first["function"] == (
        "test_stdlib_logging_goes_through_the_same_sink_once_with_the_callers_location"
    )
    assert first["line"] == line_no
    assert second["message"] == "charge failed {not a field}"
    assert second["level"] == "ERROR"
    assert "ValueError: bad card" in second["exception"]


def test_urllib3_debug_lines_arrive_as_json(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = tmp_path / "app.log"
    init_logging(log_stdout=False, log_file=str(path), log_level="DEBUG")
    with pytest.raises(urllib3.exceptions.HTTPError):
        urllib3.PoolManager().request("GET", f"http://127.0.0.1:{port}/", retries=False)
    (line,) = [r for r in read_lines(path) if r["logger"] == "urllib3.connectionpool"]
    assert line["message"] == f"Starting new HTTP connection (1): 127.0.0.1:{port}"
    assert line["level"] == "DEBUG"
    assert line["module"] == "urllib3.connectionpool"


WERKZEUG_APP = """
import threading, requests
from obs_core import init_logging
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

init_logging(service_name="web")
app = Request.application(lambda request: Response("ok"))
server = make_server("127.0.0.1", 0, app)
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()
assert requests.get(f"http://127.0.0.1:{server.server_port}/hello", timeout=10).text == "ok"
server.shutdown()
thread.join(timeout=10)
"""


def test_werkzeug_access_lines_arrive_once_as_json_on_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "OTEL_"))}
    env["OBS_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", WERKZEUG_APP],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "/hello" not in result.stderr  # werkzeug printed nothing of its own
    requests_seen = [line for line in result.stdout.splitlines() if "/hello" in line]
    assert len(requests_seen) == 1
    record = json.loads(requests_seen[0])
    assert (record["logger"], record["service"]) == ("werkzeug", "web")
    assert '"GET /hello HTTP/1.1" 200' in record["message"]


def test_log_stdlib_off_leaves_stdlib_logging_alone(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    init_logging(log_stdout=False, log_file=str(path))
    init_logging(log_stdout=False, log_file=str(path), log_stdlib=False)
    logging.getLogger("shop").warning("not ours")
    assert path.read_text() == ""


def test_concurrent_calls_write_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    init_logging(log_stdout=False, log_file=str(path), log_stdlib=False)
    log = get_logger("load")

    def work(worker: int) -> None:
        for n in range(200):
            log.info("step", worker=worker, n=n)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    lines = read_lines(path)
    assert len(lines) == 800
    assert {(r["worker"], r["n"]) for r in lines} == {(w, n) for w in range(4) for n in range(200)}


def test_capture_logs_sees_stdlib_records_too(tmp_path: Path) -> None:
    init_logging(log_stdout=False, log_file=str(tmp_path / "app.log"))
    with capture_logs() as logs:
        logging.getLogger("lib").warning("from a library")
    assert [(r["logger"], r["message"]) for r in logs] == [("lib", "from a library")]


def test_a_failing_sink_is_reported_and_never_raises_into_the_app(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    def full_disk(message: str) -> None:
        raise OSError(28, "No space left on device")

    class Broken:
        @hookimpl
        def obs_log_sinks(self, config: ObsConfig) -> Sequence[LogSink]:
            return [LogSink(full_disk, "INFO", "full-disk")]

    path = tmp_path / "app.log"
    with registered_plugin(Broken()):
        init_logging(log_stdout=False, log_file=str(path))
        get_logger("shop").info("order placed", card={"cvv": 1, "secret": "s3cr3t"})
    assert [r["message"] for r in read_lines(path)] == ["order placed"]
    report = capfd.readouterr().err
    assert "No space left on device" in report
    assert "s3cr3t" not in report  # loguru's report of the failure shows the redacted record


def test_a_bad_setting_does_not_stop_the_first_line_before_init(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OBS_LOG_LEVEL", "LOUD")
    get_logger("early").warning("still here")
    captured = capsys.readouterr()
    assert json.loads(captured.out.splitlines()[-1])["message"] == "still here"
    assert "log_level" in captured.err
