"""obs-stack's own contribution: the scrape config of the instrumented service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from obs_core import hookimpl


@hookimpl
def obs_scrape_targets(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """Scrape the service's metrics endpoint; its job name is the service label."""
    return [
        {
            "job_name": settings["job"],
            "metrics_path": settings["metrics_path"],
            "scrape_interval": settings["scrape_interval"],
            "static_configs": [{"targets": list(settings["targets"])}],
        }
    ]
