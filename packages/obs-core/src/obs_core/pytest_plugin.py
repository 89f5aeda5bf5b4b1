"""obs's pytest plugin: fixtures for your own tests, loaded by pytest wherever obs-core is.

Published in the ``pytest11`` entry-point group, so a project that installs obs-core gets:

- ``obs_reset``: `obs_core.testing.reset()` before and after the test;
- ``obs_logs``: the log lines written during the test, as dicts;
- ``obs_spans``: the spans ended during the test;
- ``obs_registry``: a fresh metrics registry obs uses during the test.

Each of the last three also resets obs around the test. Nothing here is imported until a
fixture runs: pytest loads this module in every project that installs obs-core, even a
light install without the pillars.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan
    from prometheus_client import CollectorRegistry

__all__ = ["obs_logs", "obs_registry", "obs_reset", "obs_spans"]


@pytest.fixture
def obs_reset() -> Iterator[None]:
    """obs in a fresh process's state for the test, and again after it."""
    from obs_core.testing import reset

    reset()
    yield
    reset()


@pytest.fixture
def obs_logs(obs_reset: None) -> Iterator[list[dict[str, Any]]]:
    """The log lines obs writes during the test, parsed into dicts."""
    from obs_core.testing import capture_logs

    with capture_logs() as logs:
        yield logs


@pytest.fixture
def obs_spans(obs_reset: None) -> Iterator[list[ReadableSpan]]:
    """The spans ended during the test (sampled ones), in the order they ended."""
    from obs_core.testing import capture_spans

    with capture_spans() as spans:
        yield spans


@pytest.fixture
def obs_registry(obs_reset: None) -> Iterator[CollectorRegistry]:
    """A fresh registry obs registers on and exposes during the test."""
    from obs_core.testing import isolated_registry

    with isolated_registry() as registry:
        yield registry
