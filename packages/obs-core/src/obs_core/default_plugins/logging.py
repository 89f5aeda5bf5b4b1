"""Default log sinks: JSON lines on stdout and, when configured, to a file."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from obs_core._config import ObsConfig
from obs_core._plugins import hookimpl
from obs_core.logging._sinks import LogSink


@hookimpl
def obs_log_sinks(config: ObsConfig) -> Sequence[LogSink] | None:
    """Stdout unless ``log_stdout`` is off; a file when ``log_file`` is set."""
    sinks = []
    if config.log_stdout:
        sinks.append(LogSink(sys.stdout, config.log_level, "stdout"))
    if config.log_file:
        sinks.append(LogSink(config.log_file, config.log_level, "file"))
    return sinks
