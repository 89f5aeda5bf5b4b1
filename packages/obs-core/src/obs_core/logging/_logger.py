"""The logger `get_logger` returns: keyword fields, never raises, caller's location.

``log.info("Order created", order_id="12345")`` hands the message and fields to loguru
as one record (fields in ``extra``); `_format` turns it into the JSON line. The message
is never used as a format string for the fields, so braces in it are safe.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol, cast

from loguru import logger as _loguru

from obs_core._runtime import runtime
from obs_core.logging._direct import CORE, LEVELS, exception_info, route, write
from obs_core.logging._format import (
    LOGGER_KEY,
    REDACTED,
    LineFormatter,
    escape_braces,
    safe_repr,
)
from obs_core.logging._setup import ensure_logging

__all__ = ["ObsLogger", "get_logger"]

state = runtime.logging

_exc_info = sys.exc_info
_getframe = sys._getframe


def _interpolate(message: object, args: tuple[Any, ...]) -> str:
    """Positional arguments, stdlib style (``%s``) or ``{}`` style; never raises."""
    text = str(message)
    try:
        return text % args if "%" in text else text.format(*args)
    except Exception:
        return f"{text} {safe_repr(args)}"


def _redacted(fields: Any) -> object:
    """The failed call's fields as the line would have held them: secrets redacted."""
    try:
        formatter = state.formatter or LineFormatter("unknown_service")
        return formatter.redacted(fields)
    except Exception:
        return REDACTED  # unreadable: write nothing of them


class _LevelMethod(Protocol):
    def __call__(self, message: object, /, *args: Any, **fields: Any) -> None: ...


def _level_method(level: str, exc: bool, doc: str, name: str = "") -> _LevelMethod:
    """A level method with the common case inline: one frame less between app and loguru.

    When only obs's own sinks take lines (see `_direct`), the line is written straight to
    them; otherwise it goes through loguru, as every line did before.
    """
    no = LEVELS[level]

    def method(self: ObsLogger, message: object, /, *args: Any, **fields: Any) -> None:
        if args or type(message) is not str or not state.ready or "exc_info" in fields:
            self._write(level, message, args, fields, exc)
            return
        try:
            found = state.route
            if found is None or found.handlers is not CORE.handlers:
                found = route()
            if found.writers is not None and found.emit(
                no,
                level,
                self._extra,
                message,
                fields,
                _exc_info() if exc else None,
                _getframe(1),
            ):
                return
            sink = self._exc_near if exc else self._near
            if not fields:
                sink.log(level, message)
            elif "{" in message or "}" in message:
                sink.log(level, escape_braces(message), **fields)
            else:
                sink.log(level, message, **fields)
        except Exception as error:
            self._failed(2, level, message, fields, error)

    method.__name__ = name or level.lower()
    method.__qualname__ = f"ObsLogger.{method.__name__}"
    method.__doc__ = doc
    return cast(_LevelMethod, method)


class ObsLogger:
    """A named structured logger: ``info(message, *args, **fields)`` and friends.

    Fields become top-level keys of the JSON line. A log call never raises: whatever goes
    wrong is written as an ``obs_error`` line instead.
    """

    __slots__ = ("_base", "_bound", "_exc_near", "_extra", "_near", "_plain", "_with_exc", "name")

    def __init__(self, name: str, bound: dict[str, Any] | None = None) -> None:
        self.name = name
        self._bound = dict(bound or {})
        self._extra = {**self._bound, LOGGER_KEY: name}  # loguru's `extra` for this logger
        self._base = _loguru.bind(**self._extra)
        # loguru's `depth`: frames between its `log` and the application's call.
        self._near = self._base.opt(depth=1)
        self._exc_near = self._base.opt(depth=1, exception=True)
        self._plain = self._base.opt(depth=2)
        self._with_exc = self._base.opt(depth=2, exception=True)

    def __repr__(self) -> str:
        return f"<ObsLogger {self.name!r}>"

    def bind(self, /, **fields: Any) -> ObsLogger:
        """A logger that adds `fields` to every line it writes."""
        return ObsLogger(self.name, {**self._bound, **fields})

    trace = _level_method("TRACE", False, "A TRACE line.")
    debug = _level_method("DEBUG", False, "A DEBUG line.")
    info = _level_method("INFO", False, "An INFO line: ``info(message, *args, **fields)``.")
    success = _level_method("SUCCESS", False, "A SUCCESS line.")
    warning = _level_method("WARNING", False, "A WARNING line.")
    error = _level_method("ERROR", False, "An ERROR line.")
    critical = _level_method("CRITICAL", False, "A CRITICAL line.")
    exception = _level_method(
        "ERROR",
        True,
        "An ERROR line with the current exception's traceback in ``exception``.",
        "exception",
    )

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
        """The general case, two frames below the application."""
        if not state.ready:
            ensure_logging()
        try:
            text = _interpolate(message, args) if args else message
            if type(text) is not str:
                text = str(text)
            sink = self._with_exc if exc else self._plain
            info: object = exc
            if "exc_info" in fields:
                given = fields.pop("exc_info")
                if given:
                    info = given
                    sink = self._base.opt(depth=2, exception=given)
            if self._direct(level, text, fields, info):
                return
            if not fields:
                sink.log(level, text)
                return
            sink.log(level, escape_braces(text), **fields)
        except Exception as error:
            self._failed(3, level, message, fields, error)

    def _direct(self, level: str | int, text: str, fields: dict[str, Any], info: object) -> bool:
        """`_write`'s line straight to obs's sinks, when `_direct` may; False: via loguru."""
        if not state.ready:
            return False
        exception = exception_info(info) if info else None
        return write(level, self._extra, text, fields, exception, _getframe(3))

    def _failed(
        self, depth: int, level: str | int, message: object, fields: Any, error: Exception
    ) -> None:
        """Write what we can about a call that failed; never raise."""
        try:
            self._base.opt(depth=depth).log(
                level if type(level) is str and level in LEVELS else "ERROR",
                escape_braces(message if isinstance(message, str) else safe_repr(message)),
                obs_error=f"log call failed: {safe_repr(error)}",
                obs_fields=_redacted(fields),
            )
        except Exception:
            return  # nothing left to try; a log call never raises into the app


def get_logger(name: str | None = None) -> ObsLogger:
    """A structured logger: ``get_logger(__name__).info("Order created", order_id="1")``.

    Works before `init_logging`: the first line sets up the defaults.
    """
    if name is None:
        try:
            name = str(sys._getframe(1).f_globals.get("__name__", "root"))
        except ValueError:
            name = "root"
    elif type(name) is not str:
        name = str(name) if isinstance(name, str) else safe_repr(name)
    found: ObsLogger | None = state.loggers.get(name)
    if found is None:
        found = state.loggers.setdefault(name, ObsLogger(name))
    return found
