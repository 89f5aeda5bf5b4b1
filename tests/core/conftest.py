"""Fixtures for obs-core tests: real OTLP receivers, and tracing stopped after each use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from obs_core import shutdown_tracing

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
