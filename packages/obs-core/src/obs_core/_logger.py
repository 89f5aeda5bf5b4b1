"""The logger `get_logger` returns: keyword fields, never raises, caller's location.

``log.info("Order created", order_id="12345")`` hands the message and fields to loguru
as one record (fields in ``extra``); `_logformat` turns it into the JSON line. The message
is never used as a format string for the fields, so braces in it are safe.
"""

from __future__ import annotations

from typing import Any

from loguru import logger as _loguru

from obs_core._logformat import LOGGER_KEY, safe_repr
from obs_core._logstate import state

__all__ = ["ObsLogger"]

# Frames between loguru's `_log` and the application: loguru's `log`, `_write`, the level method.
_DEPTH = 2
_LEVELS = frozenset({"TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL"})


def _escape(message: str) -> str:
    """Loguru formats the message with the keyword arguments; make that the identity."""
    if "{" in message or "}" in message:
        return message.replace("{", "{{").replace("}", "}}")
    return message


def _interpolate(message: object, args: tuple[Any, ...]) -> str:
    """Positional arguments, stdlib style (``%s``) or ``{}`` style; never raises."""
    text = str(message)
    try:
        return text % args if "%" in text else text.format(*args)
    except Exception:
        return f"{text} {safe_repr(args)}"


class ObsLogger:
    """A named structured logger: ``info(message, *args, **fields)`` and friends.

    Fields become top-level keys of the JSON line. A log call never raises: whatever goes
    wrong is written as an ``obs_error`` line instead.
    """

    __slots__ = ("_base", "_bound", "_plain", "_with_exc", "name")

    def __init__(self, name: str, bound: dict[str, Any] | None = None) -> None:
        self.name = name
        self._bound = dict(bound or {})
        self._base = _loguru.bind(**{**self._bound, LOGGER_KEY: name})
        self._plain = self._base.opt(depth=_DEPTH)
        self._with_exc = self._base.opt(depth=_DEPTH, exception=True)

    def __repr__(self) -> str:
        return f"<ObsLogger {self.name!r}>"

    def bind(self, **fields: Any) -> ObsLogger:
        """A logger that adds `fields` to every line it writes."""
        return ObsLogger(self.name, {**self._bound, **fields})

    def trace(self, message: object, /, *args: Any, **fields: Any) -> None:
        self._write("TRACE", message, args, fields, False)

    def debug(self, message: object, /, *args: Any, **fields: Any) -> None:
        self._write("DEBUG", message, args, fields, False)

    def info(self, message: object, /, *args: Any, **fields: Any) -> None:
        self._write("INFO", message, args, fields, False)

    def success(self, message: object, /, *args: Any, **fields: Any) -> None:
        self._write("SUCCESS", message, args, fields, False)

    def warning(self, message: object, /, *args: Any, **fields: Any) -> None:
        self._write("WARNING", message, args, fields, False)

    def error(self, message: object, /, *args: Any, **fields: Any) -> None:
        self._write("ERROR", message, args, fields, False)

    def critical(self, message: object, /, *args: Any, **fields: Any) -> None:
        self._write("CRITICAL", message, args, fields, False)

    def exception(self, message: object, /, *args: Any, **fields: Any) -> None:
        """An ERROR line with the current exception's traceback in ``exception``."""
        self._write("ERROR", message, args, fields, True)

    def log(self, level: str | int, message: object, /, *args: Any, **fields: Any) -> None:
        """A line at `level`: a level name (``"INFO"``) or a number."""
        self._write(level, message, args, fields, False)

    def _write(
        self,
        level: str | int,
        message: object,
        args: tuple[Any, ...],
        fields: dict[str, Any],
        exc: bool,
    ) -> None:
        if not state.ready:
            from obs_core._logging import ensure_logging

            ensure_logging()
        try:
            text = _interpolate(message, args) if args else message
            if type(text) is not str:
                text = str(text)
            sink = self._with_exc if exc else self._plain
            if not fields:
                sink.log(level, text)
                return
            if "exc_info" in fields:
                info = fields.pop("exc_info")
                if info:
                    sink = self._base.opt(depth=_DEPTH, exception=info)
            sink.log(level, _escape(text), **fields)
        except Exception as error:
            try:
                self._plain.log(
                    level if level in _LEVELS else "ERROR",
                    _escape(message if isinstance(message, str) else safe_repr(message)),
                    obs_error=f"log call failed: {safe_repr(error)}",
                    obs_fields=safe_repr(fields),
                )
            except Exception:
                return  # nothing left to try; a log call never raises into the app
