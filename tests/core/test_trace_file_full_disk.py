"""A full disk never tears the trace file or the log file: real writes that run out of room.

Two ways to run out, both real: a file-size limit (``RLIMIT_FSIZE``, so ``EFBIG``) in a
child process, anywhere; and a small tmpfs filled up (``ENOSPC``) when this runs as root.
In both the last write lands partly before the error, the case that used to leave a torn
line for the next batch to be glued onto.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

# The child: one phase of writes with room, one without, one after room returns.
CHILD = textwrap.dedent(
    """
    import errno, json, os, resource, sys
    from opentelemetry import trace
    from obs_core import get_logger, get_tracer, init_logging, init_tracing

    folder, how = sys.argv[1], sys.argv[2]
    traces, logs = os.path.join(folder, "traces.jsonl"), os.path.join(folder, "app.log")
    init_tracing(service_name="disk", traces_file=traces)
    init_logging(service_name="disk", log_file=logs, log_stdout=False, log_stdlib=False)
    tracer, log = get_tracer("disk"), get_logger("disk")
    flush = trace.get_tracer_provider().force_flush
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    filler = os.path.join(folder, "filler")

    def spans(tag):
        for i in range(5):
            with tracer.start_as_current_span(f"{tag}-{i}") as span:
                span.set_attribute("padding", "s" * 3000)
        flush()

    def lines(tag):
        for i in range(3):
            log.info(f"{tag}-{i}", padding="l" * 6000)

    def no_room(path):
        if how == "rlimit":  # room for a part of the next write, not all of it
            resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(path) + 2500, hard))
            return
        with open(filler, "ab") as out:  # fill the tmpfs, then free one page
            try:
                while True:
                    out.write(b"f" * 65536)
                    out.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
        os.truncate(filler, max(os.path.getsize(filler) - 4096, 0))

    def room_again():
        if how == "rlimit":
            resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        else:
            os.unlink(filler)

    sizes = {}
    for path, write in ((traces, spans), (logs, lines)):
        write("before")
        before = os.path.getsize(path)
        no_room(path)
        write("full")
        sizes[os.path.basename(path)] = [before, os.path.getsize(path)]
        room_again()
        write("after")
    print(json.dumps(sizes))
    """
)


def run_child(folder: Path, how: str) -> dict[str, list[int]]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), how],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sizes: dict[str, list[int]] = json.loads(result.stdout.strip().splitlines()[-1])
    return sizes


def whole_lines(path: Path) -> list[dict[str, object]]:
    """Every line of `path` parsed; fails on a torn one."""
    data = path.read_bytes()
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.splitlines()]


def span_names(path: Path) -> list[str]:
    return [
        span["name"]
        for request in whole_lines(path)
        for resource in request["resourceSpans"]  # type: ignore[attr-defined]
        for scope in resource["scopeSpans"]
        for span in scope["spans"]
    ]


def assert_nothing_torn(folder: Path, sizes: dict[str, list[int]]) -> None:
    # the failed writes were taken back: each file is as long as before them
    assert sizes["traces.jsonl"][0] == sizes["traces.jsonl"][1]
    assert sizes["app.log"][0] == sizes["app.log"][1]
    names = span_names(folder / "traces.jsonl")
    assert [n for n in names if n.startswith("before")] == [f"before-{i}" for i in range(5)]
    assert [n for n in names if n.startswith("after")] == [f"after-{i}" for i in range(5)]
    assert not [n for n in names if n.startswith("full")]
    messages = [line["message"] for line in whole_lines(folder / "app.log")]
    assert messages == ["before-0", "before-1", "before-2", "after-0", "after-1", "after-2"]


def test_a_file_size_limit_never_tears_the_trace_file_or_the_log_file(tmp_path: Path) -> None:
    assert_nothing_torn(tmp_path, run_child(tmp_path, "rlimit"))


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs mounted for the test (root only)."""
    folder = tmp_path / "tmpfs"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the file-size-limit test covers the rest")
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_never_tears_the_trace_file_or_the_log_file(small_tmpfs: Path) -> None:
    assert_nothing_torn(small_tmpfs, run_child(small_tmpfs, "fill"))


def test_a_torn_line_left_by_an_older_writer_is_ended_not_extended(tmp_path: Path) -> None:
    traces = tmp_path / "traces.jsonl"
    traces.write_bytes(b'{"complete": 1}\n{"torn": ')
    child = textwrap.dedent(
        """
        import sys
        from opentelemetry import trace
        from obs_core import get_tracer, init_tracing
        init_tracing(service_name="disk", traces_file=sys.argv[1])
        with get_tracer("disk").start_as_current_span("next"):
            pass
        trace.get_tracer_provider().force_flush()
        """
    )
    subprocess.run([sys.executable, "-c", child, str(traces)], check=True, timeout=60)
    first, torn, batch = traces.read_bytes().splitlines()
    assert json.loads(first) == {"complete": 1} and torn == b'{"torn": '
    assert json.loads(batch)["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"] == "next"
