"""All of obs's process-wide state, in one object: `runtime`.

No other obs module keeps a global that changes after import, except memos of pure
functions (the OTLP encoder's resource and scope parts, the formatter's clock origin),
which hold nothing a reset would change. Here live the plugin manager and its load
reports, the registry obs uses and the per-registry caches, the tracing pipeline and
tracer cache, the log handlers and logger cache, and the reset callbacks of other obs
distributions (`on_reset`). `Runtime.reset` (public as `obs_core.testing.reset()`)
returns all of it to a fresh process's state; after a fork the locks are re-created in
place, since another thread may have held one at the fork.

Stdlib only: the registry imports it as well as the pillars, and a light install has no
pillar libraries.
"""

from __future__ import annotations

import os
import threading
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["Runtime", "on_reset", "per_registry", "runtime"]

T = TypeVar("T")


@dataclass
class PluginState:
    """The plugin manager (None until first use) and what loading it reported."""

    pm: Any = None
    dists: dict[str, tuple[str | None, str | None, str]] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass
class MetricsState:
    """The registry obs uses (None: prometheus-client's default) and per-registry caches.

    A cache is keyed by the registry object (not id(), which a new registry may reuse) and
    goes with it. Reset keeps them: the collectors they hold stay registered on their
    registry (prometheus-client's default one cannot be emptied), so a second setup must
    reuse them rather than register duplicates.
    """

    registry: Any = None
    caches: weakref.WeakKeyDictionary[Any, dict[str, Any]] = field(
        default_factory=weakref.WeakKeyDictionary
    )
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass
class TracingState:
    """The pipeline `init_tracing` installed and the tracers handed out."""

    pipeline: Any = None
    process_hooks: bool = False  # atexit/at-fork registered: once per process, kept on reset
    tracers: dict[str, Any] = field(default_factory=dict)
    orphans: list[Any] = field(default_factory=list)  # a parent's exporters, kept in a child
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass
class LoggingState:
    """What `init_logging` installed, so a second call replaces it instead of adding to it."""

    ready: bool = False
    initializing: bool = False
    formatter: Any = None  # the LineFormatter of the last setup
    handler_ids: list[int] = field(default_factory=list)
    level: int = 20
    default_removed: bool = False  # loguru's own stderr handler; gone for good once removed
    loggers: dict[str, Any] = field(default_factory=dict)
    route: Any = None  # where lines go for loguru's current handlers (logging._direct)
    lock: threading.RLock = field(default_factory=threading.RLock)


class Runtime:
    """The one holder of obs's process-wide state; see the module docstring."""

    def __init__(self) -> None:
        self.plugins = PluginState()
        self.metrics = MetricsState()
        self.tracing = TracingState()
        self.logging = LoggingState()
        self._resets: dict[str, Callable[[], None]] = {}
        self._lock = threading.Lock()

    def on_reset(self, name: str, callback: Callable[[], None]) -> None:
        """Run `callback` on every reset (once per `name`; a second call replaces it)."""
        with self._lock:
            self._resets[name] = callback

    def reset(self) -> None:
        """Stop what obs started and forget what it loaded, as in a fresh process.

        Registered callbacks run first, latest first (the pillars stop their exporters and
        handlers there); one that raises is reported and the rest still run.
        """
        with self._lock:
            callbacks = list(self._resets.items())
        for name, callback in reversed(callbacks):
            try:
                callback()
            except Exception as exc:
                warnings.warn(f"obs: reset of {name} failed: {exc}", RuntimeWarning, stacklevel=2)
        with self.plugins.lock:
            self.plugins.pm = None
            self.plugins.dists.clear()
            self.plugins.errors.clear()
        with self.metrics.lock:
            self.metrics.registry = None
        with self.tracing.lock:
            self.tracing.pipeline = None
            self.tracing.tracers.clear()
        with self.logging.lock:
            self.logging.ready = False
            self.logging.initializing = False
            self.logging.formatter = None
            self.logging.handler_ids = []
            self.logging.level = LoggingState.level
            self.logging.loggers.clear()
            self.logging.route = None

    def per_registry(self, registry: object, key: str, create: Callable[[], T]) -> T:
        """The value cached under `key` for `registry`, made by `create()` the first time."""
        with self.metrics.lock:
            cache = self.metrics.caches.get(registry)
            if cache is None:
                cache = self.metrics.caches[registry] = {}
            if key not in cache:
                cache[key] = create()
            value: T = cache[key]
            return value

    def _after_fork_in_child(self) -> None:
        """New locks in place: a thread that held one at the fork does not exist here."""
        self._lock = threading.Lock()
        self.plugins.lock = threading.RLock()
        self.metrics.lock = threading.RLock()
        self.tracing.lock = threading.RLock()
        self.logging.lock = threading.RLock()


runtime = Runtime()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=runtime._after_fork_in_child)


def on_reset(name: str, callback: Callable[[], None]) -> None:
    """Have `obs_core.testing.reset()` call `callback`: for another distribution's state.

    obs-flask registers its own this way (obs-core imports no other distribution).
    """
    runtime.on_reset(name, callback)


def per_registry(registry: object, key: str, create: Callable[[], T]) -> T:
    """One value per registry and key, made once (metric families a module registers).

    ``per_registry(registry, "myapp.http", lambda: HttpMetrics(registry))``
    """
    return runtime.per_registry(registry, key, create)
