"""`obs demo`: serve the demo service, or serve it, send traffic, summarise and exit."""

from __future__ import annotations

import errno
import socket
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import click
from obs_core.traces import TraceFile
from opentelemetry import trace
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.serving import BaseWSGIServer, make_server

from obs_flask._console_red import histogram_quantile
from obs_flask.demo._app import create_app
from obs_flask.demo._traffic import send_traffic

__all__ = ["demo_command"]


def _check_port(host: str, port: int) -> None:
    """Fail with a plain message before werkzeug would print its own and exit."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"port {port} on {host} is already in use: stop what listens there "
                    "or choose another with --port"
                ) from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None


def _serve(host: str, port: int) -> BaseWSGIServer:
    _check_port(host, port)
    return make_server(host, port, create_app(), threaded=True)


def _scrape(base: str) -> str:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as resp:
        text: str = resp.read().decode()
    return text


def _latency_buckets(exposition: str) -> list[tuple[float, float]]:
    totals: dict[float, float] = defaultdict(float)
    for family in text_string_to_metric_families(exposition):
        if family.name != "http_request_duration_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                totals[float(sample.labels["le"])] += sample.value
    return sorted(totals.items())


def _file_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def _loopback_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the server (the console answers loopback)."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


def _trace_lines(traces_file: Path, offset: int) -> list[str]:
    """The summary's trace lines: spans written, and the slowest and a failed request."""
    reader = TraceFile(traces_file)
    traces = reader.summaries(offset) if _file_size(traces_file) > offset else []
    lines = [f"spans        {sum(t.spans for t in traces)} written to {traces_file.resolve()}"]
    if traces:
        slowest = max(traces, key=lambda t: t.duration_ns)
        lines.append(
            f"slowest      obs traces show {slowest.trace_id}  "
            f"({slowest.root_name}, {slowest.duration_ns / 1e6:.1f} ms)"
        )
    failed = [t for t in traces if t.error]
    if failed:
        last = failed[-1]
        lines.append(
            f"failed       obs traces show {last.trace_id}  ({last.root_name}, {last.http_status})"
        )
    return lines


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, help="Port to bind (0: any free).")
@click.option(
    "--traffic",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="Send N realistic requests, print a summary and exit.",
)
def demo_command(host: str, port: int, traffic: int | None) -> None:
    """Run the farm-lending demo service instrumented with obs-flask."""
    server = _serve(host, port)
    base = f"http://{host}:{server.server_port}"
    config = server.app.extensions["obs"].config  # type: ignore[attr-defined]
    where_traces = (
        config.otlp_traces_endpoint or config.otlp_endpoint
        if "file" not in config.traces_exporter
        else str(Path(config.traces_file).resolve())
    )
    console = _loopback_url(host, server.server_port) + "/_obs/"
    if traffic is None:
        lines = [
            f"farm-lending demo on {base}",
            f"  console  {console}  (routes, last requests, traces and their log lines)",
            f"  metrics  {base}/metrics",
            f"  traces   {where_traces}",
        ]
        if "file" in config.traces_exporter:
            lines.append("           `obs traces` lists them, `obs traces show <id>` draws one")
        lines.append("Ctrl-C to stop")
        click.echo("\n".join(lines), err=True)
        try:
            server.serve_forever()  # returns on Ctrl-C (werkzeug handles KeyboardInterrupt)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        click.echo("stopped", err=True)
        return

    traces_file = Path(config.traces_file)
    offset = _file_size(traces_file)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    started = time.perf_counter()
    try:
        report = send_traffic(base, traffic)
        exposition = _scrape(base)
    finally:
        server.shutdown()
        server.server_close()
    elapsed = time.perf_counter() - started
    provider = trace.get_tracer_provider()
    flush = getattr(provider, "force_flush", None)
    if flush is not None:
        flush(5000)
    buckets = _latency_buckets(exposition)
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(report.statuses.items()))
    lines = [
        "",
        f"requests     {report.sent} in {elapsed:.1f} s ({statuses})",
        f"error ratio  {report.error_ratio:.1%} (5xx)",
        f"latency      p50 {histogram_quantile(0.5, buckets) * 1000:.1f} ms, "
        f"p95 {histogram_quantile(0.95, buckets) * 1000:.1f} ms (from the scraped histogram)",
    ]
    if "file" in config.traces_exporter:
        lines.extend(_trace_lines(traces_file, offset))
    else:
        lines.append(f"spans        sent to {where_traces}")
    lines.append("logs         JSON lines on stdout above (one access line per request)")
    lines.append(f"metrics      scraped from {base}/metrics (now stopped); run `obs demo` to serve")
    lines.append(
        "console      run `obs demo` and open "
        f"{_loopback_url(host, port or 8000)}/_obs/ (a trace id pasted there draws its trace)"
    )
    click.echo("\n".join(lines))
