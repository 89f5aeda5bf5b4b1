"""Fixtures for obs-core tests: real OTLP receivers, tracing stopped after each use, and
logging reset around each logging test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from obs_core import init_logging, shutdown_tracing

from tests.core.otlp_receivers import GrpcReceiver, HttpReceiver


@pytest.fixture
def grpc_receiver() -> Iterator[GrpcReceiver]:
    """A real OTLP/gRPC TraceService on 127.0.0.1."""
    receiver = GrpcReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    """A real OTLP/HTTP receiver on 127.0.0.1."""
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def tracing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty folder (so ``.obs/traces.jsonl`` lands there); stop tracing after."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    shutdown_tracing()


@pytest.fixture
def fresh_logging(obs_reset: None) -> None:
    """Each test sets logging up itself; nothing obs installed survives it (obs's own
    ``obs_reset`` fixture, which the pytest plugin obs-core publishes)."""


@pytest.fixture
def log_file(fresh_logging: None, tmp_path: Path) -> Path:
    """Logs go to this file only (no stdout sink)."""
    path = tmp_path / "app.log"
    init_logging(service_name="shop", log_stdout=False, log_file=str(path), log_stdlib=False)
    return path
