"""Multiprocess mode (PROMETHEUS_MULTIPROC_DIR): the same scrape as one process, fork-safe files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.parser import text_string_to_metric_families

APP = textwrap.dedent(
    """
    import os
    from flask import Flask, abort
    from obs_flask import Observability

    app = Flask("mp")

    @app.get("/api/orders/<int:order_id>")
    def order(order_id):
        return {"id": order_id}

    @app.post("/api/orders/<int:order_id>/pay")
    def pay(order_id):
        raise LookupError(order_id)

    @app.get("/api/teapot")
    def teapot():
        abort(418)

    @app.get("/die")
    def die():
        os._exit(0)  # a worker killed mid-request: its request stays in progress

    Observability(app, traces_exporter="none", log_stdout=False)
    client = app.test_client()
    """
)
TRAFFIC = textwrap.dedent(
    """
    for order_id in (1, 2, 2):
        client.get(f"/api/orders/{order_id}")
    for _ in range(2):
        client.post("/api/orders/3/pay")
    client.get("/api/teapot")
    client.get("/no/such/page")
    client.open("/api/orders/1", method="BREW")
    """
)


def run(script: str, multiproc: Path | None, *, check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    if multiproc is not None:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc)
    done = subprocess.run(
        [sys.executable, "-c", APP + script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done.stdout


def http_samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """The http_* samples by name and labels; `_created` exists only in one process."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(exposition)
        if family.name.startswith("http_")
        for s in family.samples
        if not s.name.endswith("_created")
    }


@pytest.mark.slow
def test_a_multiprocess_scrape_shows_what_one_process_shows(tmp_path: Path) -> None:
    scrape = TRAFFIC + "print(client.get('/metrics').get_data(as_text=True))"
    single = http_samples(run(scrape, None))
    multi = http_samples(run(scrape, tmp_path))
    assert multi.keys() == single.keys()
    for key, value in single.items():
        name, labels = key
        if name.endswith("_sum"):  # durations differ from run to run
            assert multi[key] > 0 and value > 0
        elif name.endswith("_bucket") and dict(labels)["le"] != "+Inf":  # where depends on time
            route = frozenset(label for label in labels if label[0] != "le")
            assert 0 <= multi[key] <= multi[("http_request_duration_seconds_count", route)]
        else:
            assert multi[key] == value, name
    orders = frozenset({("method", "GET"), ("endpoint", "/api/orders/<int:order_id>")})
    assert multi[("http_requests_total", orders | {("status", "200")})] == 3
    assert multi[("http_request_duration_seconds_count", orders)] == 3
    assert multi[("http_requests_in_progress", orders)] == 0
    pay = {("method", "POST"), ("endpoint", "/api/orders/<int:order_id>/pay")}
    assert (
        multi[
            ("http_requests_exceptions_total", frozenset(pay | {("exception_type", "LookupError")}))
        ]
        == 2
    )


@pytest.mark.slow
def test_a_forked_process_counts_in_its_own_files(tmp_path: Path) -> None:
    """A pre-fork server (gunicorn --preload) forks after the app has served requests."""
    script = textwrap.dedent(
        """
        import json
        for _ in range(3):
            client.get("/api/orders/1")
        child = os.fork()
        if child == 0:
            for _ in range(5):
                client.get("/api/orders/1")
            os._exit(0)
        os.waitpid(child, 0)
        client.get("/api/orders/1")
        print(json.dumps({"parent": os.getpid(), "child": child}))
        """
    )
    pids = json.loads(run(script, tmp_path))
    merged = CollectorRegistry()
    MultiProcessCollector(merged, path=str(tmp_path))
    labels = {"method": "GET", "endpoint": "/api/orders/<int:order_id>", "status": "200"}
    assert merged.get_sample_value("http_requests_total", labels) == 9

    def own(pid: int) -> float | None:
        (metric,) = [m for m in MultiProcessCollector.merge([str(tmp_path / f"counter_{pid}.db")])]
        return next(s.value for s in metric.samples if s.labels == labels)

    assert own(pids["parent"]) == 4
    assert own(pids["child"]) == 5
    gauges = {p.name for p in tmp_path.glob("gauge_livesum_*.db")}
    assert gauges == {f"gauge_livesum_{pids['parent']}.db", f"gauge_livesum_{pids['child']}.db"}


@pytest.mark.slow
def test_a_dead_workers_requests_leave_in_progress_with_mark_process_dead(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-c", APP + "client.get('/die')"], env=env)
    assert worker.wait(timeout=120) == 0
    labels = {"method": "GET", "endpoint": "/die"}

    def in_progress() -> float | None:
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=str(tmp_path))
        return merged.get_sample_value("http_requests_in_progress", labels)

    assert in_progress() == 1
    mark_process_dead(worker.pid, path=str(tmp_path))
    assert in_progress() is None


def test_a_prometheus_client_release_not_checked_against_gets_the_public_calls(
    tmp_path: Path,
) -> None:
    """The direct writes touch prometheus-client's private layout: only where it was checked."""
    script = textwrap.dedent(
        """
        from unittest import mock
        from obs_flask import _route_metrics
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        registry = CollectorRegistry()
        families = (
            Counter("c", "c", ["m", "r", "s"], registry=registry),
            Histogram("h", "h", ["m", "r"], registry=registry),
            Gauge("g", "g", ["m", "r"], registry=registry, multiprocess_mode="livesum"),
        )
        installed = _route_metrics.RouteMetrics(*families, ("GET", "/a"))
        with mock.patch.object(_route_metrics, "_installed", lambda: "0.27.0"):
            other = _route_metrics.RouteMetrics(*families, ("GET", "/b"))
        for record in (installed, other):
            record.started()
            record.finished("200", 0.01, None, started=True)
        print(installed._gauge is not None, other._gauge is None)
        """
    )
    (tmp_path / "mp").mkdir()
    assert run(script, tmp_path / "mp").split() == ["True", "True"]
    merged = CollectorRegistry()
    MultiProcessCollector(merged, path=str(tmp_path / "mp"))
    for route in ("/a", "/b"):  # the public calls wrote the same values as the direct writes
        labels = {"m": "GET", "r": route}
        assert merged.get_sample_value("c_total", {**labels, "s": "200"}) == 1, route
        assert merged.get_sample_value("h_count", labels) == 1, route
        assert merged.get_sample_value("h_bucket", {**labels, "le": "0.01"}) == 1, route
        assert merged.get_sample_value("h_bucket", {**labels, "le": "0.005"}) == 0, route
        assert merged.get_sample_value("h_sum", labels) == pytest.approx(0.01), route
        assert merged.get_sample_value("g", labels) == 0, route
