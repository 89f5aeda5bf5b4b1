"""Standard-library logging into obs's sinks: one handler on the root logger.

The application's ``logging.getLogger(...)``, werkzeug, urllib3 and friends then write the
same JSON lines, once each, with the location of the code that called ``logging``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from loguru import logger as _loguru

from obs_core.logging._direct import write
from obs_core.logging._format import LOGGER_KEY, escape_braces, safe_repr

__all__ = ["InterceptHandler", "install", "uninstall"]

# Attributes every LogRecord has; anything else came from ``extra={...}`` and is a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_LOGGING_FILES = frozenset({logging.__file__})
_NO_FIELDS: dict[str, Any] = {}
_NAMES = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}


class InterceptHandler(logging.Handler):
    """Forwards each stdlib record to loguru with the caller's frame as its location."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = _NAMES.get(record.levelno, record.levelno)
            message = record.getMessage()
            # Walk out of the logging package to the frame that called it.
            frame = sys._getframe(1)
            depth = 1
            while frame.f_back is not None and frame.f_code.co_filename in _LOGGING_FILES:
                frame = frame.f_back
                depth += 1
            fields: dict[str, Any] = {
                key: value for key, value in record.__dict__.items() if key not in _STANDARD
            }
            fields[LOGGER_KEY] = record.name
            exception = record.exc_info if record.exc_info and record.exc_info[0] else None
            if write(level, _NO_FIELDS, message, fields, exception, frame):
                return
            _loguru.opt(depth=depth, exception=exception).log(
                level, escape_braces(message), **fields
            )
        except Exception as exc:
            try:
                sys.stderr.write(f"obs: a stdlib log record was lost: {safe_repr(exc)}\n")
            except Exception:
                return


def install(level: int) -> InterceptHandler:
    """Put one `InterceptHandler` on the root logger (replacing an earlier one).

    The root level is lowered to `level` so the records obs's sinks want reach it; a
    lower level the application chose stays.
    """
    root = logging.getLogger()
    uninstall()
    handler = InterceptHandler()
    root.addHandler(handler)
    if root.level > level:
        root.setLevel(level)
    return handler


def uninstall() -> None:
    """Remove obs's handler from the root logger; other handlers stay."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, InterceptHandler):
            root.removeHandler(handler)
