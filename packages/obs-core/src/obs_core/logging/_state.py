"""The process-wide logging state shared by the logger, the setup and `capture_logs`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from obs_core.logging._format import LineFormatter

__all__ = ["LogState", "state"]


@dataclass
class LogState:
    """What `init_logging` installed, so a second call replaces it instead of adding to it."""

    ready: bool = False
    initializing: bool = False
    formatter: LineFormatter = field(default_factory=lambda: LineFormatter("unknown_service"))
    handler_ids: list[int] = field(default_factory=list)
    level: int = 20
    default_removed: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)


state = LogState()
