"""A third-party-style obs plugin: a log sink and a resource attribute.

The sink appends each JSON line to the file named by ``OBS_TEST_SINK_FILE`` (when set).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import click
from obs_core import LogSink, ObsConfig, hookimpl


@hookimpl
def obs_resource_attributes(config: ObsConfig) -> Mapping[str, str]:
    return {"obs.test_plugin": "obs-test-sink"}


@hookimpl
def obs_log_sinks(config: ObsConfig) -> Sequence[LogSink]:
    path = os.environ.get("OBS_TEST_SINK_FILE")
    return [LogSink(path, "INFO", "test-sink")] if path else []


@hookimpl
def obs_register_commands(cli: click.Group) -> None:
    @cli.command("test-sink-info")
    def info() -> None:
        """Say where the test sink writes."""
        click.echo(f"test sink writes to {os.environ.get('OBS_TEST_SINK_FILE', 'nowhere')}")
