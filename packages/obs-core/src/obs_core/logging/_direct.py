"""A log line written straight to obs's own sinks, when loguru would do nothing more.

Loguru's path builds a full record per call (frame, thread and process objects, a local
aware time, a copy per handler, a ``format_map``) although obs's formatter reads a few of
its keys and writes one line to every sink. When every handler loguru has is one obs added
for a sink it writes itself (a ``log_file``'s `LineFileSink`, a standard text stream such
as stdout), nothing else can see the record, so obs builds the same line from the call
and writes it the way loguru's handler would: under that handler's lock, skipped once the
handler is stopped, a failed write reported on stderr by the handler's own error report.

Anything else takes loguru's path as before: a handler the application or a plugin added
(`logger.add`, a callable `LogSink`, `capture_logs`), a patcher, a module loguru has not
yet decided to enable, a loguru without the internals read here. The `Route` is worked
out again whenever loguru's handler set changes (loguru replaces its dict on every
``add``/``remove``: one identity check per call) and when obs sets logging up again.
"""

from __future__ import annotations

import importlib
import io
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from loguru import logger as _loguru
from opentelemetry.trace import get_current_span as _current_span

from obs_core._config import LOG_LEVELS
from obs_core._runtime import runtime
from obs_core.logging._batch import URGENT, BatchedStream, LineBatch
from obs_core.logging._format import LINE_KEY, LOGGER_KEY, LineFormatter
from obs_core.logging._linefile import LineFileSink

__all__ = [
    "CORE",
    "LEVELS",
    "TESTED_LOGURU",
    "Route",
    "exception_info",
    "invalidate",
    "plain_exception",
    "route",
    "write",
]

state = runtime.logging
_lock = threading.Lock()
_now = datetime.now
_exc_info = sys.exc_info


class _NoCore:
    """Stands in for a loguru whose internals are not the ones read here: always loguru's path."""

    handlers: dict[int, Any] = {}  # never changed: the route stays off


TESTED_LOGURU = ("0.7.",)
"""The loguru releases whose internals the route was checked against, byte for byte."""


def trusted(version: str) -> bool:
    """Whether the route may read this loguru's internals (any other release: loguru's path)."""
    return version.startswith(TESTED_LOGURU)


def _internals(logger: Any = _loguru) -> tuple[Any, Any, Any, tuple[object, ...]]:
    """Loguru's core, its context variable, its stream sink class and ``log``'s parameters.

    A loguru of another release, or without them, gives a core with no handlers ever:
    every line through loguru.
    """
    try:
        import loguru
        from loguru import _logger, _simple_sinks

        if not trusted(str(getattr(loguru, "__version__", ""))):
            raise ImportError(f"loguru {getattr(loguru, '__version__', '?')} is not one tested")

        core = logger._core
        for attribute in ("handlers", "patcher", "enabled", "extra"):
            getattr(core, attribute)
        code = type(logger).log.__code__
        params = code.co_varnames[: code.co_argcount]
        if len(params) > 3:
            raise TypeError(f"loguru's log takes {params}")
        # padded with keys no field has (fields are named by strings)
        clashes = (*params, object(), object(), object())[:3]
        return core, _logger.context, _simple_sinks.StreamSink, clashes
    except Exception:
        return _NoCore(), None, None, ()


CORE, _CONTEXT, _STREAM_SINK, _CLASHES = _internals()
_CLASH_1, _CLASH_2, _CLASH_3 = _CLASHES or (None, None, None)
"""Field names loguru's ``log`` takes as its own arguments: a call with one fails there."""
_PLAIN_WRITES = frozenset(
    {io.TextIOWrapper.write, io.StringIO.write, LineFileSink.write, BatchedStream.write}
)
_ATTRIBUTES = (
    "_protected_lock",
    "_levelno",
    "_lock",
    "_lock_acquired",
    "_stopped",
    "_sink",
    "_error_interceptor",
)


class Route:
    """Where lines go for one loguru handler set: straight to `writers`, or (None) via loguru.

    A writer is ``(level, thread-local, lock, handler, append, batch)``: `append` a
    `LineFile`'s, `batch` the sink's `LineBatch` when its lines are written in batches
    (listed without the handler's lock: a list append needs none). When that sink is the
    only writer and no enricher reads the calling thread, a line of plain fields is
    `deferred`: its parts are listed and the batch's writer composes it.
    """

    __slots__ = ("deferred", "formatter", "handlers", "min_level", "writers")

    def __init__(
        self,
        handlers: dict[int, Any],
        formatter: LineFormatter | None = None,
        writers: Iterable[tuple[int, Any, Any, Any, Any, LineBatch | None]] | None = None,
    ) -> None:
        self.handlers = handlers
        self.formatter = formatter
        self.writers = None if writers is None else tuple(writers)
        self.min_level = min((w[0] for w in self.writers or ()), default=float("inf"))
        self.deferred = (
            self.writers is not None
            and len(self.writers) == 1
            and self.writers[0][5] is not None
            and formatter is not None
            and not formatter.enrichers
        )

    def emit(
        self,
        no: int,
        level: str,
        bound: dict[str, Any],
        message: str,
        fields: dict[str, Any],
        exception: tuple[Any, Any, Any] | None,
        frame: FrameType,
    ) -> bool:
        """Write the line for one call, as loguru would; False: loguru must take it instead.

        `frame` is the application's call (its location is written); `bound` is the
        logger's own extra (its bound fields, then its name under `LOGGER_KEY`; empty for
        a stdlib record), `fields` the call's keywords: a dict of the call's own, used and
        changed (redaction) in place.
        """
        if no < self.min_level:
            return True  # no sink takes this level: loguru would write nothing either
        if _CLASH_1 in fields or _CLASH_2 in fields or _CLASH_3 in fields:
            return False  # loguru's call fails: its failure line, not ours
        core = CORE
        if core.patcher is not None:
            return False
        name = frame.f_globals.get("__name__")
        if core.enabled.get(name) is not True:
            return False  # disabled, or not yet looked up: loguru decides (and remembers)
        context = _CONTEXT.get()
        if context or core.extra:
            extra = {**core.extra, **context, **bound}
            extra.update(fields)
        elif len(bound) > 1:
            extra = {**bound, **fields}
        else:  # no bound fields: the call's own dict is loguru's `extra`, in the same order
            extra = fields
            if bound and LOGGER_KEY not in fields:
                fields[LOGGER_KEY] = bound[LOGGER_KEY]
        now = _now(UTC)
        formatter: LineFormatter = self.formatter  # type: ignore[assignment]
        urgent = no >= URGENT
        if self.deferred and exception is None and formatter.deferrable(extra):
            handler_no, _, _, handler, _, batch = self.writers[0]  # type: ignore[index]
            if handler_no <= no and not handler._stopped:
                batch.add(  # type: ignore[union-attr]
                    (
                        formatter.compose,
                        extra,
                        now,
                        level,
                        name,
                        message,
                        frame.f_code.co_name,
                        frame.f_lineno,
                        None,
                        _current_span().get_span_context(),
                    ),
                    urgent,
                )
            return True
        data = formatter.compose(
            extra, now, level, name, message, frame.f_code.co_name, frame.f_lineno, exception
        )
        data += b"\n"
        text = None
        for handler_no, local, lock, handler, append, batch in self.writers:  # type: ignore[union-attr]
            if handler_no > no:
                continue
            if batch is not None:
                if not handler._stopped:
                    batch.add(data, urgent)
                continue
            try:
                if getattr(local, "acquired", False):
                    with handler._protected_lock():  # a sink logging: loguru's own error
                        pass
                local.acquired = True
                try:
                    with lock:
                        if handler._stopped:
                            pass
                        elif append is not None:
                            append(data)  # what LineFileSink.write does with the text
                        else:
                            handler._sink.write(text or (text := data.decode()))
                finally:
                    local.acquired = False
            except Exception:
                _report(handler, extra, now, level, no, name, message, frame, exception, data)
        return True


LEVELS = {name: _loguru.level(name).no for name in LOG_LEVELS}
"""Loguru's built-in levels by name: the only ones the route writes (any other: loguru)."""


def write(
    level: str | int,
    bound: dict[str, Any],
    message: str,
    fields: dict[str, Any],
    exception: tuple[Any, Any, Any] | None,
    frame: FrameType,
) -> bool:
    """The line straight to obs's own sinks when the route allows it; False: via loguru.

    For the calls off the hot path (a logger's general case, a stdlib record); the
    arguments are `Route.emit`'s.
    """
    if type(level) is not str:
        return False
    no = LEVELS.get(level)
    if no is None:
        return False
    if exception is not None and not plain_exception(exception):
        return False
    found: Route | None = state.route
    if found is None or found.handlers is not CORE.handlers:
        found = route()
    if found.writers is None:
        return False
    return found.emit(no, level, bound, message, fields, exception, frame)


def route() -> Route:
    """The route for loguru's current handler set, worked out again when it has changed."""
    with _lock:
        found: Route | None = state.route
        if found is None or found.handlers is not CORE.handlers:
            found = state.route = _work_out(CORE)
        return found


def _new_lock() -> None:
    """After a fork: a thread that held the lock at the fork does not exist in the child."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock)


def invalidate() -> None:
    """Forget the route: obs's own handlers changed (called by setup and shutdown)."""
    with _lock:
        state.route = None


def _work_out(core: Any) -> Route:
    """A direct route if every handler is obs's, for a sink obs writes itself, else None."""
    handlers = core.handlers
    if isinstance(core, _NoCore):
        return Route(handlers)
    ours = set(state.handler_ids)
    formatters = set()
    writers = []
    try:
        for handler_id, handler in handlers.items():
            formatter = getattr(handler._formatter, "__self__", None)
            sink = handler._sink
            if not (
                handler_id in ours
                and isinstance(formatter, LineFormatter)
                and handler._formatter.__func__ is LineFormatter.template
                and handler._is_formatter_dynamic
                and handler._filter is None
                and not handler._colorize
                and not handler._serialize
                and not handler._enqueue
                and handler._error_interceptor.should_catch()
                and type(sink) is _STREAM_SINK
                and getattr(type(sink._stream), "write", None) in _PLAIN_WRITES
                and all(hasattr(handler, a) for a in _ATTRIBUTES)
            ):
                return Route(handlers)
            formatters.add(formatter)
            stream = sink._stream
            batching = type(stream) in (LineFileSink, BatchedStream)
            writers.append(
                (
                    handler._levelno,
                    handler._lock_acquired,
                    handler._lock,
                    handler,
                    stream.file.append if type(stream) is LineFileSink else None,
                    stream.batch if batching else None,
                )
            )
    except Exception:
        return Route(handlers)
    if len(formatters) > 1:
        return Route(handlers)  # loguru would write the first handler's line to all
    return Route(handlers, formatters.pop() if formatters else None, writers)


def exception_info(option: object) -> tuple[Any, Any, Any]:
    """The exception triple loguru's ``opt(exception=option)`` records for a truthy option."""
    if isinstance(option, BaseException):
        return type(option), option, option.__traceback__
    if isinstance(option, tuple):
        return option
    return _exc_info()


def plain_exception(exception: tuple[Any, ...]) -> bool:
    """An ``exc_info`` triple both paths write alike: none, or an exception and its type."""
    if len(exception) != 3:
        return False
    kind, value, _ = exception
    return kind is None or (isinstance(value, BaseException) and type(value) is kind)


def _report(
    handler: Any,
    extra: dict[str, Any],
    now: datetime,
    level: str,
    no: int,
    name: str | None,
    message: str,
    frame: Any,
    exception: tuple[Any, Any, Any] | None,
    data: bytes,
) -> None:
    """A failed write, reported as loguru's handler reports it (on stderr); never raises."""
    try:
        loguru_module: Any = importlib.import_module("loguru._logger")
        attrs: Any = importlib.import_module("loguru._recattrs")
        local = now.astimezone()
        path = frame.f_code.co_filename
        file_name = os.path.basename(path)
        thread, process = threading.current_thread(), multiprocessing.current_process()
        record = {
            "elapsed": local - loguru_module.start_time,
            "exception": None if not exception else attrs.RecordException(*exception),
            "extra": extra,
            "file": attrs.RecordFile(file_name, path),
            "function": frame.f_code.co_name,
            "level": attrs.RecordLevel(level, no, _loguru.level(level).icon),
            "line": frame.f_lineno,
            "message": message,
            "module": os.path.splitext(file_name)[0],
            "name": name,
            "process": attrs.RecordProcess(process.ident, process.name),
            "thread": attrs.RecordThread(thread.ident, thread.name),
            "time": local,
            LINE_KEY: data[:-1].decode(),
        }
        handler._error_interceptor.print(record)
    except Exception:
        return
