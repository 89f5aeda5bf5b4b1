"""`obs traces`: list the traces of an OTLP/JSON file, and draw one as a terminal waterfall."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import click

from obs_core.tracing._read import (
    STATUS_ERROR,
    Span,
    TraceFile,
    TraceSummary,
    key_attributes,
    tree,
    waterfall,
)

__all__ = ["traces_command"]

_MIN_PREFIX = 8
_FILE_HELP = "OTLP/JSON trace file (default: the configured traces_file, .obs/traces.jsonl)."


def _trace_file(given: Path | None) -> TraceFile:
    if given is None:
        from obs_core._config import load_config  # stdlib only; no plugin or SDK import

        # a bad setting raises ConfigError: `obs` reports it in one line, exit 2
        given = Path(load_config().traces_file)
    if not given.is_file():
        raise click.ClickException(
            f"no trace file at {given}: run the service with the file exporter "
            "(traces_exporter = file, the default) or pass --file"
        )
    return TraceFile(given)


def _warn_corrupt(reader: TraceFile) -> None:
    if reader.corrupt:
        click.echo(
            f"warning: skipped {reader.corrupt} line(s) of {reader.path} that are not JSON "
            f"(first: line {reader.first_corrupt})",
            err=True,
        )


def _when(unix_ns: int) -> str:
    moment = datetime.fromtimestamp(unix_ns / 1e9, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _ms(nanos: float) -> str:
    millis = nanos / 1e6
    return f"{millis:.1f} ms" if millis < 10_000 else f"{millis / 1000:.2f} s"


def _status(summary: TraceSummary) -> str:
    word = "ERROR" if summary.error else "ok"
    return f"{word} {summary.http_status}" if summary.http_status else word


@click.group("traces", invoke_without_command=True)
@click.option("--file", "file_", type=click.Path(path_type=Path), help=_FILE_HELP)
@click.option("--last", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def traces_command(ctx: click.Context, file_: Path | None, last: int, as_json: bool) -> None:
    """List the most recent traces: id, root span, start, duration, spans, status.

    `obs traces show TRACE_ID` draws one trace as a waterfall.
    """
    ctx.meta["obs.traces_file"] = file_
    if ctx.invoked_subcommand is not None:
        return
    reader = _trace_file(file_)
    recent = reader.summaries()[-last:]
    _warn_corrupt(reader)
    if as_json:
        click.echo(json.dumps([s.as_json() for s in recent], indent=2))
        return
    if not recent:
        click.echo(f"no traces in {reader.path}", err=True)
        return
    click.echo(
        f"{'TRACE ID':<32}  {'START (UTC)':<23}  {'DURATION':>10}  {'SPANS':>5}  "
        f"{'STATUS':<9}  ROOT SPAN"
    )
    for summary in recent:
        root = summary.root_name if summary.has_root else f"{summary.root_name} (no root)"
        line = (
            f"{summary.trace_id:<32}  {_when(summary.start_ns):<23}  "
            f"{_ms(summary.duration_ns):>10}  {summary.spans:>5}  {_status(summary):<9}  {root}"
        )
        click.echo(click.style(line, fg="red") if summary.error else line)
    click.echo(f"{len(recent)} trace(s); draw one: obs traces show TRACE_ID", err=True)


@traces_command.command("show")
@click.argument("trace_id")
@click.option("--file", "file_", type=click.Path(path_type=Path), help=_FILE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the spans as JSON.")
@click.pass_context
def show_command(ctx: click.Context, trace_id: str, file_: Path | None, as_json: bool) -> None:
    """Draw one trace: the span tree with offset and duration bars, status, key attributes.

    TRACE_ID is the 32 hex digits of a log line's trace_id (or a unique prefix of 8+).
    """
    wanted = trace_id.strip().lower()
    if not (_MIN_PREFIX <= len(wanted) <= 32) or any(c not in "0123456789abcdef" for c in wanted):
        raise click.ClickException(
            f"{trace_id!r} is not a trace id: give its 32 hex digits (or at least 8 of them)"
        )
    reader = _trace_file(file_ or ctx.meta.get("obs.traces_file"))
    spans = list(reader.spans(wanted))
    _warn_corrupt(reader)
    found = {span.trace_id for span in spans}
    if not found:
        raise click.ClickException(f"no trace {wanted} in {reader.path} (`obs traces` lists them)")
    if len(found) > 1:
        raise click.ClickException(
            f"{wanted} matches {len(found)} traces in {reader.path}: give more digits"
        )
    if as_json:
        body = {"trace_id": found.pop(), "spans": waterfall(spans)}
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    for line in render_waterfall(spans, shutil.get_terminal_size((110, 24)).columns):
        click.echo(line)


def render_waterfall(spans: list[Span], columns: int = 110) -> list[str]:
    """The terminal lines for one trace's spans (styled; click strips colour off a tty)."""
    rows = tree(spans)
    origin = min(span.start_ns for span in spans)
    total = max(max(span.end_ns for span in spans) - origin, 1)
    errors = sum(span.status == STATUS_ERROR for span in spans)
    first = rows[0][1]
    service = f"  {first.service}" if first.service else ""
    verdict = click.style(f"{errors} error(s)", fg="red", bold=True) if errors else "ok"
    lines = [
        click.style(f"trace {first.trace_id}", bold=True)
        + f"{service}  {_when(origin)} UTC  {_ms(total)}  {len(spans)} span(s)  {verdict}",
        "",
    ]
    name_width = min(44, max(len("  " * depth + span.name) + 4 for depth, span in rows))
    bar_width = max(20, min(60, columns - name_width - 24))
    lines.append(
        f"{'OFFSET':>10} {'DURATION':>10}  {'SPAN':<{name_width}}"
        f"|{'0':<{bar_width // 2}}{_ms(total):>{bar_width - bar_width // 2}}|"
    )
    for depth, span in rows:
        start = (span.start_ns - origin) / total * bar_width
        cells = max(1, round(span.duration_ns / total * bar_width))
        left = min(int(start), bar_width - 1)
        bar = (" " * left + "█" * min(cells, bar_width - left)).ljust(bar_width)
        failed = span.status == STATUS_ERROR
        label = ("  " * depth + ("✗ " if failed else "") + span.name)[:name_width].ljust(name_width)
        line = f"{_ms(span.start_ns - origin):>10} {_ms(span.duration_ns):>10}  {label}|{bar}|"
        lines.append(click.style(line, fg="red") if failed else line)
        key = key_attributes(span)
        if key:
            details = "  ".join(f"{name}={value}" for name, value in key.items())
            lines.append(f"{'':>22}{'  ' * depth}  {details}")
    return lines
