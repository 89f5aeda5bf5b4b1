"""Business metrics, exposition formats, promtool and multiprocess mode."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from obs_core import render_metrics, track_function_metrics
from obs_core.testing import isolated_registry, metric_value
from prometheus_client import CollectorRegistry, Counter, Histogram

from tests.conftest import require_binary


def test_sync_function_calls_durations_and_exceptions_by_type() -> None:
    with isolated_registry() as reg:

        @track_function_metrics("payment_processing")
        def pay(amount: int) -> int:
            if amount < 0:
                raise ValueError("negative")
            return amount

        assert pay(5) == 5
        with pytest.raises(ValueError):
            pay(-1)
        assert metric_value(reg, "payment_processing_calls_total") == 2
        assert metric_value(reg, "payment_processing_duration_seconds_count") == 2
        assert (
            metric_value(
                reg, "payment_processing_exceptions_total", {"exception_type": "ValueError"}
            )
            == 1
        )
        assert pay.__name__ == "pay"


def test_async_function_is_timed_across_the_await() -> None:
    with isolated_registry() as reg:

        @track_function_metrics("loan_scoring")
        async def score() -> str:
            await asyncio.sleep(0.02)
            raise KeyError("farmer")

        with pytest.raises(KeyError):
            asyncio.run(score())
        assert metric_value(reg, "loan_scoring_calls_total") == 1
        assert metric_value(reg, "loan_scoring_duration_seconds_sum") >= 0.02
        assert (
            metric_value(reg, "loan_scoring_exceptions_total", {"exception_type": "KeyError"}) == 1
        )


def test_same_name_in_two_places_shares_the_metrics() -> None:
    with isolated_registry() as reg:

        @track_function_metrics("orders")
        def create() -> None:
            pass

        @track_function_metrics("orders")
        def update() -> None:
            pass

        create()
        update()
        assert metric_value(reg, "orders_calls_total") == 2


def test_bare_decorator_uses_the_function_name() -> None:
    with isolated_registry() as reg:

        @track_function_metrics
        def approve_loan() -> None:
            pass

        approve_loan()
        assert metric_value(reg, "approve_loan_calls_total") == 1


def test_user_metrics_show_next_to_obs_metrics() -> None:
    with isolated_registry() as reg:
        Counter("farmers_registered", "Farmers registered.", registry=reg).inc()
        track_function_metrics("payouts")(lambda: None)()
        body, content_type = render_metrics("text/plain")
        assert content_type.startswith("text/plain")
        assert b"farmers_registered_total 1.0" in body
        assert b"payouts_calls_total 1.0" in body


def test_openmetrics_when_the_scraper_asks_and_exemplars_survive() -> None:
    reg = CollectorRegistry()
    hist = Histogram("loan_amount_seconds", "x", registry=reg, buckets=(1.0,))
    hist.observe(0.5, exemplar={"trace_id": "abc123"})
    om_body, om_type = render_metrics(
        "application/openmetrics-text;version=1.0.0,text/plain;q=0.5", registry=reg
    )
    assert om_type.startswith("application/openmetrics-text")
    assert b'# {trace_id="abc123"} 0.5' in om_body
    assert om_body.rstrip().endswith(b"# EOF")
    text_body, text_type = render_metrics(None, registry=reg)
    assert text_type.startswith("text/plain")
    assert b"trace_id" not in text_body


def test_exposition_passes_promtool_check_metrics() -> None:
    promtool = require_binary("promtool")
    with isolated_registry():

        @track_function_metrics("payment_processing")
        def pay() -> None:
            raise RuntimeError

        for _ in range(3):
            with pytest.raises(RuntimeError):
                pay()
        body, _ = render_metrics("text/plain")
    result = subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert b"payment_processing" in body


def test_multiprocess_mode_merges_every_process(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    worker = textwrap.dedent(
        """
        from obs_core import track_function_metrics

        @track_function_metrics("jobs")
        def job():
            pass

        for _ in range(5):
            job()
        """
    )
    for _ in range(3):
        subprocess.run([sys.executable, "-c", worker], env=env, check=True, timeout=60)
    reader = "from obs_core import render_metrics; print(render_metrics('text/plain')[0].decode())"
    out = subprocess.run(
        [sys.executable, "-c", reader],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "jobs_calls_total 15.0" in out
