"""The log-sink value plugins return from `obs_log_sinks`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["LogSink"]


@dataclass(frozen=True)
class LogSink:
    """A destination for obs's JSON lines.

    `sink` is anything loguru accepts as a sink: a file path, a text stream, or a
    callable taking the formatted line. Each line ends with a newline. A path is written
    by obs's `LineFile`: whole lines only, even when the disk fills up.
    """

    sink: Any
    level: str = "DEBUG"
    name: str = ""
