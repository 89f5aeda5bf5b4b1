"""JSON logs on loguru: sinks and enrichers from the hooks, set up once, replaced on re-init.

obs owns loguru's global logger: `init_logging` removes loguru's default stderr handler
and adds one handler per `LogSink`, each writing the line `_logformat` builds.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import orjson
from loguru import logger as _loguru

from obs_core._config import ObsConfig
from obs_core._configure import configure
from obs_core._hookcall import hook_items, warn_skipped
from obs_core._plugins import PluginWarning
from obs_core._runtime import runtime
from obs_core.logging import _direct, _stdlib
from obs_core.logging._batch import BatchedStream
from obs_core.logging._format import LineFormatter
from obs_core.logging._linefile import LineFileSink
from obs_core.logging._sinks import LogSink

__all__ = ["capture_logs", "ensure_logging", "init_logging", "shutdown_logging"]

state = runtime.logging


def _add(sink: Any, level: str | int, formatter: LineFormatter, flush_interval: float = 0.0) -> int:
    if isinstance(sink, str | os.PathLike):  # a file: whole lines only, even on a full disk
        sink = LineFileSink(sink, flush_interval)
    elif flush_interval > 0 and isinstance(sink, io.TextIOBase):  # stdout, in batches too
        sink = BatchedStream(sink, flush_interval)
    handler_id: int = _loguru.add(
        sink,
        level=level,
        format=formatter.template,
        colorize=False,
        backtrace=False,
        diagnose=False,
        catch=True,
    )
    return handler_id


def _collect_sinks(config: ObsConfig) -> list[LogSink]:
    answers = hook_items("obs_log_sinks", LogSink, "a LogSink", config=config)
    return [answer.value for answer in answers]


def _collect_enrichers(config: ObsConfig) -> list[Callable[[dict[str, Any]], None]]:
    answers = hook_items("obs_log_enrichers", object, "a callable", config=config)
    enrichers: list[Callable[[dict[str, Any]], None]] = []
    # pluggy's first answer matters most (tryfirst, then the latest registered): it runs
    # last, so the fields it sets win
    for answer in reversed(answers):
        if callable(answer.value):
            enrichers.append(answer.value)
        else:
            warn_skipped("obs_log_enrichers", answer, "a callable")
    return enrichers


def _level_number(name: str) -> int:
    number: int = _loguru.level(name).no
    return number


def init_logging(config: ObsConfig | None = None, **kwargs: Any) -> None:
    """Install the JSON sinks and enrichers from the hooks; a second call replaces the first.

    Without `config`, one is built from `kwargs` (and the environment, pyproject, defaults).
    """
    if config is None:
        config = configure(**kwargs)
    sinks = _collect_sinks(config)
    formatter = LineFormatter(config.service_name, config.redact_keys, _collect_enrichers(config))
    with state.lock:
        previous = list(state.handler_ids)
        state.formatter = formatter
        state.handler_ids = []
        levels: list[int] = []
        for sink in sinks:
            try:
                state.handler_ids.append(
                    _add(sink.sink, sink.level, formatter, config.log_flush_interval)
                )
                levels.append(_level_number(sink.level))
            except Exception as exc:
                warnings.warn(
                    f"log sink {sink.name or sink.sink!r} could not be added: {exc}",
                    PluginWarning,
                    stacklevel=2,
                )
        for handler_id in previous:
            _remove(handler_id)
        if not state.default_removed:
            _remove(0)  # loguru's own stderr handler, which would print every line again
            state.default_removed = True
        state.level = min(levels or [_level_number(config.log_level)])
        if config.log_stdlib:
            _stdlib.install(max(state.level, logging.NOTSET + 1))
        else:
            _stdlib.uninstall()
        _direct.invalidate()
        state.ready = True


def _remove(handler_id: int) -> None:
    with suppress(ValueError):
        _loguru.remove(handler_id)


def ensure_logging() -> None:
    """Set up logging with the default configuration if nobody has yet; never raises.

    A line logged while that setup runs (a plugin logging at import) skips it instead of
    starting it again.
    """
    with state.lock:
        if state.ready or state.initializing:
            return
        state.initializing = True
        try:
            init_logging()
        except Exception as exc:
            sys.stderr.write(f"obs: logging set up with defaults ({exc})\n")
            try:
                init_logging(ObsConfig())
            except Exception:
                state.ready = True
        finally:
            state.initializing = False


def shutdown_logging() -> None:
    """Remove obs's sinks and stdlib handler; the next log call sets up again."""
    with state.lock:
        for handler_id in state.handler_ids:
            _remove(handler_id)
        state.handler_ids = []
        _direct.invalidate()
        _stdlib.uninstall()
        state.ready = False


@contextmanager
def capture_logs() -> Iterator[list[dict[str, Any]]]:
    """Collect the lines written inside the block, parsed back into dicts.

    with capture_logs() as logs:
        create_order()
    assert logs[0]["message"] == "Order created"
    """
    ensure_logging()
    records: list[dict[str, Any]] = []

    def collect(message: str) -> None:
        records.append(orjson.loads(str(message)))

    formatter = state.formatter or LineFormatter("unknown_service")
    handler_id = _add(collect, state.level, formatter)
    try:
        yield records
    finally:
        _remove(handler_id)


runtime.on_reset("obs_core.logging", shutdown_logging)
