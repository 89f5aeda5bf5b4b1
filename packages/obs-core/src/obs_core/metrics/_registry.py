"""Business metrics: `track_function_metrics` and the registry obs exposes."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, cast, overload

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from obs_core._config import DEFAULT_BUCKETS
from obs_core._errors import ConfigError
from obs_core._runtime import runtime

__all__ = ["FunctionMetrics", "get_registry", "set_registry", "track_function_metrics"]

P = ParamSpec("P")
R = TypeVar("R")

_state = runtime.metrics


def get_registry() -> CollectorRegistry:
    """The registry obs registers on and exposes (prometheus-client's default unless set)."""
    registry: CollectorRegistry | None = _state.registry
    return REGISTRY if registry is None else registry


def set_registry(registry: CollectorRegistry) -> None:
    """Make obs register its metrics on `registry` from now on."""
    _state.registry = registry


@dataclass(frozen=True)
class FunctionMetrics:
    """The three series `track_function_metrics` keeps for one name."""

    calls: Counter
    duration: Histogram
    exceptions: Counter


def _valid_name(name: str) -> str:
    if not name or not (name.replace("_", "a").isalnum() and name.isascii()) or name[0].isdigit():
        raise ConfigError("metric name", name, "snake_case letters, digits and underscores")
    return name


def function_metrics(
    name: str,
    registry: CollectorRegistry | None = None,
    buckets: Sequence[float] = DEFAULT_BUCKETS,
) -> FunctionMetrics:
    """The metrics for `name` on `registry`, created once and reused by every caller."""
    reg = registry if registry is not None else get_registry()
    _valid_name(name)
    return runtime.per_registry(
        reg, f"obs_core.function_metrics.{name}", lambda: _create(name, reg, buckets)
    )


def _create(name: str, reg: CollectorRegistry, buckets: Sequence[float]) -> FunctionMetrics:
    return FunctionMetrics(
        calls=Counter(f"{name}_calls", f"Calls of {name}, counted when they finish.", registry=reg),
        duration=Histogram(
            f"{name}_duration_seconds",
            f"Duration of {name} calls in seconds.",
            buckets=tuple(buckets),
            registry=reg,
        ),
        exceptions=Counter(
            f"{name}_exceptions",
            f"Calls of {name} that raised, by exception type.",
            ["exception_type"],
            registry=reg,
        ),
    )


@overload
def track_function_metrics(
    name: str, *, registry: CollectorRegistry | None = ..., buckets: Sequence[float] = ...
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


@overload
def track_function_metrics(
    name: Callable[P, R],
) -> Callable[P, R]: ...


def track_function_metrics(
    name: str | Callable[..., Any],
    *,
    registry: CollectorRegistry | None = None,
    buckets: Sequence[float] = DEFAULT_BUCKETS,
) -> Any:
    """Count calls, time them and count exceptions by type, for sync and async functions.

    ``@track_function_metrics("payment_processing")`` keeps
    ``payment_processing_calls_total``, ``payment_processing_duration_seconds`` and
    ``payment_processing_exceptions_total{exception_type}``. Bare ``@track_function_metrics``
    uses the function's name. The same name used twice shares one set of metrics.
    """
    if callable(name):
        return track_function_metrics(name.__name__, registry=registry, buckets=buckets)(name)
    metric_name = name

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        metrics = function_metrics(metric_name, registry, buckets)
        calls, duration, exceptions = metrics.calls, metrics.duration, metrics.exceptions

        if inspect.iscoroutinefunction(func):
            afunc = cast(Callable[P, Awaitable[Any]], func)

            @functools.wraps(func)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                start = time.perf_counter()
                try:
                    return await afunc(*args, **kwargs)
                except BaseException as exc:
                    exceptions.labels(type(exc).__name__).inc()
                    raise
                finally:
                    duration.observe(time.perf_counter() - start)
                    calls.inc()

            return cast(Callable[P, R], async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            except BaseException as exc:
                exceptions.labels(type(exc).__name__).inc()
                raise
            finally:
                duration.observe(time.perf_counter() - start)
                calls.inc()

        return wrapper

    return decorate
