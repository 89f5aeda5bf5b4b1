"""`obs traces` and `obs traces show` on real trace files written by `obs demo`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

OBS = str(Path(sys.executable).with_name("obs"))
ID = re.compile(r"^([0-9a-f]{32})\s", re.M)

pytestmark = pytest.mark.slow


def obs(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "OTEL_"))}
    env["COLUMNS"] = "120"
    return subprocess.run(
        [OBS, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def spans_by_trace(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The file's spans grouped by trace id, read independently of obs's reader."""
    traces: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in path.read_text().splitlines():
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            continue
        for rs in request["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    traces[span["traceId"]].append(span)
    return traces


def attribute(span: dict[str, Any], key: str) -> Any:
    for pair in span.get("attributes", []):
        if pair["key"] == key:
            return next(iter(pair["value"].values()))
    return None


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where `obs demo --traffic` wrote `.obs/traces.jsonl`."""
    folder = tmp_path_factory.mktemp("demo")
    result = obs(folder, "demo", "--port", "0", "--traffic", "120")
    assert result.returncode == 0, result.stderr
    assert (folder / ".obs" / "traces.jsonl").stat().st_size > 0
    return folder


@pytest.fixture(scope="module")
def traces(demo_dir: Path) -> dict[str, list[dict[str, Any]]]:
    return spans_by_trace(demo_dir / ".obs" / "traces.jsonl")


def by_route(traces: dict[str, list[dict[str, Any]]], route: str) -> str:
    for trace_id, spans in traces.items():
        if any(attribute(s, "http.route") == route for s in spans):
            return trace_id
    raise AssertionError(f"no trace for {route}")


def test_lists_the_latest_traces_of_the_configured_file(
    demo_dir: Path, traces: dict[str, list[dict[str, Any]]]
) -> None:
    result = obs(demo_dir, "traces", "--last", "7")
    assert result.returncode == 0, result.stderr
    listed = ID.findall(result.stdout)
    latest = sorted(traces, key=lambda t: min(int(s["startTimeUnixNano"]) for s in traces[t]))
    assert listed == latest[-7:]  # oldest first, newest at the bottom like a log
    header = result.stdout.splitlines()[0]
    assert header.split()[:2] == ["TRACE", "ID"] and "ROOT SPAN" in header


def test_json_gives_root_duration_span_count_and_status(
    demo_dir: Path, traces: dict[str, list[dict[str, Any]]]
) -> None:
    result = obs(demo_dir, "traces", "--json", "--last", "1000")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {row["trace_id"] for row in rows} == set(traces)
    for row in rows:
        spans = traces[row["trace_id"]]
        root = next(s for s in spans if not s.get("parentSpanId"))
        assert row["spans"] == len(spans)
        assert row["root"] == root["name"]
        failed = any(s.get("status", {}).get("code") == 2 for s in spans)
        assert row["status"] == ("error" if failed else "ok")
        expected = (int(root["endTimeUnixNano"]) - int(root["startTimeUnixNano"])) / 1e6
        assert row["duration_ms"] == pytest.approx(expected, abs=0.01)
    assert any(row["status"] == "error" and row["http_status"] == 500 for row in rows)


def test_show_draws_a_failed_request_with_route_status_and_exception(
    demo_dir: Path, traces: dict[str, list[dict[str, Any]]]
) -> None:
    failed = by_route(traces, "/api/reports/ledger")
    result = obs(demo_dir, "traces", "show", failed)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"trace {failed}  farm-lending")
    assert "1 error(s)" in out.splitlines()[0]
    assert re.search(r"✗ GET /api/reports/ledger\s+\|█+\|", out)
    assert "route=/api/reports/ledger  status=500" in out
    assert "exception=RuntimeError: ledger database unavailable" in out


def test_show_nests_child_spans_under_their_parent_with_offsets(
    demo_dir: Path, traces: dict[str, list[dict[str, Any]]]
) -> None:
    slow = by_route(traces, "/api/reports/portfolio")
    result = obs(demo_dir, "traces", "show", slow[:10])  # a unique prefix is enough
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    root = next(i for i, line in enumerate(lines) if "  GET /api/reports/portfolio" in line)
    child = next(i for i, line in enumerate(lines) if "aggregate_portfolio" in line)
    assert child > root
    assert re.match(r"\s+0\.0 ms\s+[\d.]+ ms  GET", lines[root])
    assert re.search(r"\s{4}aggregate_portfolio", lines[child])  # indented one level
    assert re.search(r"\|\s*█{20,}\s*\|", lines[child])  # the report is most of the trace


def test_an_unknown_id_exits_non_zero_with_one_clear_line(demo_dir: Path) -> None:
    result = obs(demo_dir, "traces", "show", "0123456789abcdef0123456789abcdef")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "Warning" not in line]
    assert [line for line in errors if "no trace" in line] == [
        "Error: no trace 0123456789abcdef0123456789abcdef in .obs/traces.jsonl "
        "(`obs traces` lists them)"
    ]
    bad = obs(demo_dir, "traces", "show", "not-an-id")
    assert bad.returncode != 0 and "is not a trace id" in bad.stderr


def test_a_corrupt_line_is_skipped_with_one_warning(
    demo_dir: Path, traces: dict[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    lines = (demo_dir / ".obs" / "traces.jsonl").read_bytes().splitlines(keepends=True)
    broken = tmp_path / "broken.jsonl"
    torn = lines[-1][: len(lines[-1]) // 2] + b"\n"  # a write cut in half
    broken.write_bytes(b"".join([lines[0], b"{not json\n", *lines[1:-1], torn]))
    kept = spans_by_trace(broken)

    result = obs(tmp_path, "traces", "--file", str(broken), "--json", "--last", "1000")
    assert result.returncode == 0, result.stderr
    assert {row["trace_id"] for row in json.loads(result.stdout)} == set(kept)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: skipped 2 line(s) of {broken} that are not JSON (first: line 2)"]

    failed = by_route(kept, "/api/reports/ledger")
    shown = obs(tmp_path, "traces", "show", failed, "--file", str(broken))
    assert shown.returncode == 0 and "status=500" in shown.stdout
    # show parses only the lines holding its id: at most one warning, never one per line
    assert sum(line.startswith("warning:") for line in shown.stderr.splitlines()) <= 1


def test_a_missing_file_names_the_file_and_the_fix(tmp_path: Path) -> None:
    result = obs(tmp_path, "traces")
    assert result.returncode != 0
    assert "no trace file at .obs/traces.jsonl" in result.stderr
    assert "--file" in result.stderr


def test_reads_a_collector_style_file_with_several_resources(tmp_path: Path) -> None:
    """Collector file-exporter output: several resources per line, enum names, numeric times."""

    def span(span_id: str, parent: str, name: str, start: int, end: int, **extra: Any) -> Any:
        return {
            "traceId": "5b8efff798038103d269b633813fc60c",
            "spanId": span_id,
            "parentSpanId": parent,
            "name": name,
            "kind": "SPAN_KIND_CLIENT" if parent else "SPAN_KIND_SERVER",
            "startTimeUnixNano": start,
            "endTimeUnixNano": end,
            **extra,
        }

    def resource(service: str, *spans: Any) -> Any:
        return {
            "resource": {
                "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
            },
            "scopeSpans": [{"scope": {"name": "x"}, "spans": list(spans)}],
        }

    t0 = 1_700_000_000_000_000_000
    line = {
        "resourceSpans": [
            resource(
                "gateway",
                span(
                    "eee19b7ec3c1b174",
                    "",
                    "GET /checkout",
                    t0,
                    t0 + 80_000_000,
                    attributes=[
                        {"key": "http.route", "value": {"stringValue": "/checkout"}},
                        {"key": "http.response.status_code", "value": {"intValue": "502"}},
                    ],
                    status={"code": "STATUS_CODE_ERROR", "message": "upstream failed"},
                ),
            ),
            resource(
                "payments",
                span(
                    "eee19b7ec3c1b175",
                    "eee19b7ec3c1b174",
                    "POST /charge",
                    t0 + 5_000_000,
                    t0 + 70_000_000,
                ),
            ),
        ]
    }
    path = tmp_path / "collector.json"
    path.write_text(json.dumps(line) + "\n")

    listed = json.loads(obs(tmp_path, "traces", "--file", str(path), "--json").stdout)
    assert listed == [
        {
            "trace_id": "5b8efff798038103d269b633813fc60c",
            "root": "GET /checkout",
            "service": "gateway",
            "start_unix_nano": t0,
            "duration_ms": 80.0,
            "spans": 2,
            "status": "error",
            "http_status": 502,
        }
    ]
    shown = obs(tmp_path, "traces", "show", "5b8efff798038103d269b633813fc60c", "--file", str(path))
    lines = shown.stdout.splitlines()
    assert "trace 5b8efff798038103d269b633813fc60c  gateway" in lines[0]
    assert any(
        re.match(r"\s+5\.0 ms\s+65\.0 ms\s+POST /charge", line.replace("    POST", " POST"))
        for line in lines
    )
    assert "route=/checkout  status=502  error=upstream failed" in shown.stdout


def test_obs_lists_traces_among_its_commands(tmp_path: Path) -> None:
    result = obs(tmp_path, "--help")
    assert re.search(r"^\s+traces\s+List the most recent traces", result.stdout, re.M)
    assert shutil.which(OBS) or Path(OBS).exists()


def test_the_reader_and_the_command_import_only_stdlib_click_and_orjson() -> None:
    """`obs traces` stays light: none of its modules imports the SDK or the other pillars."""
    import ast
    import importlib

    heavy = {"opentelemetry", "prometheus_client", "loguru", "pluggy", "grpc", "google"}
    for name in ("obs_core.tracing._read", "obs_core.tracing._cli", "obs_core.traces"):
        source = Path(str(importlib.import_module(name).__file__)).read_text()
        tree = ast.parse(source)
        for node in ast.walk(tree):  # imports for type checkers only do not run
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                node.body = []
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        assert not {m for m in imported if m.split(".")[0] in heavy}, name
        inner = {m for m in imported if m.startswith("obs_core")}
        assert inner <= {"obs_core.tracing._read", "obs_core._config", "obs_core._errors"}, name


def test_without_orjson_the_stdlib_parser_reads_the_same(demo_dir: Path, tmp_path: Path) -> None:
    """A bare obs-core (no pillars extra, so no orjson) still lists and shows traces."""
    from obs_core.traces import TraceFile

    source = (demo_dir / ".obs" / "traces.jsonl").read_bytes()
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(source + b'{"resourceSpans": [\n' + "\xff\n".encode("latin-1"))
    fast = TraceFile(broken)
    expected = fast.summaries()
    assert fast.corrupt == 2
    some = expected[-1].trace_id
    # a process where orjson cannot be imported, as on a bare install
    script = (
        "import json, sys\n"
        "sys.modules['orjson'] = None\n"
        "from obs_core.traces import TraceFile\n"
        "slow = TraceFile(sys.argv[1])\n"
        "print(json.dumps({'ids': [s.trace_id for s in slow.summaries()],\n"
        "    'corrupt': [slow.corrupt, slow.first_corrupt],\n"
        "    'spans': [s.span_id for s in slow.spans(sys.argv[2])],\n"
        "    'orjson': sys.modules['orjson'] is None}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(broken), some],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    slow = json.loads(result.stdout)
    assert slow["orjson"]
    assert slow["ids"] == [summary.trace_id for summary in expected]
    assert slow["corrupt"] == [fast.corrupt, fast.first_corrupt]
    assert slow["spans"] == [s.span_id for s in fast.spans(some)]
