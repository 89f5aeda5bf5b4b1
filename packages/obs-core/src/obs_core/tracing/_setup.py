"""Tracing: the TracerProvider assembled from the hooks, its bounded exit and fork handling.

`init_tracing` installs one SDK provider per process (never replacing one the application
installed). Each call swaps in the exporters of its config, so calling it twice never
duplicates them. Every exporter sits behind obs's batch processor (`_batch`), off the
request thread; exit waits at most ``shutdown_timeout``; a forked child re-creates the
exporters.
"""

from __future__ import annotations

import atexit
import copy
import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import Sampler

from obs_core._config import ObsConfig
from obs_core._configure import configure
from obs_core._errors import ObsError
from obs_core._hookcall import call_hook, hook_items, warn_skipped
from obs_core._plugins import plugin_manager
from obs_core._runtime import runtime
from obs_core.tracing._batch import ObsBatchSpanProcessor
from obs_core.tracing._dropped import spans_dropped_counter
from obs_core.tracing._exporters import build_sampler
from obs_core.tracing._pipeline import (
    ExporterSlot,
    ListExporter,
    ObsTracerProvider,
    detach_processor,
    shutdown_within,
)

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = [
    "add_span_attributes",
    "add_span_event",
    "after_fork",
    "capture_spans",
    "get_tracer",
    "init_tracing",
    "shutdown_tracing",
]

SCHEDULE_DELAY_MS = 500  # the SDK's 5 s default leaves short jobs' spans queued for long
MAX_QUEUE_SIZE = 2048  # OpenTelemetry's defaults for the queue and the batch
MAX_EXPORT_BATCH_SIZE = 512


@dataclass
class _Pipeline:
    """What obs added to its provider for one config, in one process."""

    config: ObsConfig
    processors: tuple[SpanProcessor, ...]
    slots: tuple[ExporterSlot, ...]
    pid: int
    plugins: tuple[tuple[str, int], ...]


_state = runtime.tracing


def _exporters(config: ObsConfig) -> list[SpanExporter]:
    answers = hook_items("obs_span_exporters", SpanExporter, "a SpanExporter", config=config)
    return [answer.value for answer in answers]


def _resource(config: ObsConfig) -> Resource:
    attributes: dict[str, str] = {}
    # pluggy's first answer is the one that matters most (tryfirst, then the latest
    # registered), so it is applied last and wins
    for answer in reversed(call_hook("obs_resource_attributes", config=config)):
        if isinstance(answer.value, Mapping):
            attributes.update({str(key): str(value) for key, value in answer.value.items()})
        else:
            warn_skipped("obs_resource_attributes", answer, "a mapping")
    attributes.update(config.resource())
    return Resource.create(attributes)


def _sampler(config: ObsConfig) -> Sampler:
    for answer in call_hook("obs_sampler", config=config):  # firstresult: one at most
        if isinstance(answer.value, Sampler):
            return answer.value
        warn_skipped("obs_sampler", answer, "a Sampler")
    return build_sampler(config)


def _build(config: ObsConfig) -> _Pipeline:
    answers = hook_items("obs_span_processors", SpanProcessor, "a SpanProcessor", config=config)
    processors: list[SpanProcessor] = [answer.value for answer in answers]
    slots = tuple(ExporterSlot(exporter) for exporter in _exporters(config))
    if slots:
        dropped = spans_dropped_counter()
        for slot in slots:
            processors.append(
                ObsBatchSpanProcessor(
                    slot,
                    schedule_delay_millis=_bsp("OTEL_BSP_SCHEDULE_DELAY", SCHEDULE_DELAY_MS),
                    max_queue_size=_bsp("OTEL_BSP_MAX_QUEUE_SIZE", MAX_QUEUE_SIZE),
                    max_export_batch_size=_bsp(
                        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", MAX_EXPORT_BATCH_SIZE
                    ),
                    export_timeout_millis=_bsp(
                        "OTEL_BSP_EXPORT_TIMEOUT", round(config.otlp_timeout * 1000)
                    ),
                    dropped=dropped,
                )
            )
    return _Pipeline(copy.deepcopy(config), tuple(processors), slots, os.getpid(), _plugins())


def _bsp(name: str, default: int) -> int:
    """A positive integer from the ``OTEL_BSP_*`` variable `name`; else `default`, with a
    warning when the value is not one (a typo must not stop the application)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        warnings.warn(
            f"obs: {name}={raw!r} is not a positive whole number; using {default}",
            UserWarning,
            stacklevel=3,
        )
        return default
    return value


def _plugins() -> tuple[tuple[str, int], ...]:
    """Which plugins answered: a re-init with the same config but new plugins rebuilds."""
    return tuple((name, id(plugin)) for name, plugin in plugin_manager().list_name_plugin())


def _register_process_hooks() -> None:
    if not _state.process_hooks:
        _state.process_hooks = True
        atexit.register(shutdown_tracing)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_after_fork_in_child)


def _stop(pipeline: _Pipeline | None) -> None:
    """Take `pipeline` off the provider, then flush and stop it within its timeout."""
    if pipeline is None:
        return
    provider = trace.get_tracer_provider()
    if isinstance(provider, ObsTracerProvider):
        provider.processors.replace(pipeline.processors, [])
    shutdown_within(pipeline.processors, pipeline.slots, pipeline.config.shutdown_timeout)


def _stop_replaced(old: _Pipeline, new: _Pipeline) -> None:
    """Stop what `new` no longer uses; a plugin may hand back the same instances again."""
    reused = {id(slot.exporter) for slot in new.slots}
    for slot in old.slots:
        if id(slot.exporter) in reused:
            slot.release()
    kept = {id(processor) for processor in new.processors}
    stale = [processor for processor in old.processors if id(processor) not in kept]
    shutdown_within(stale, old.slots, old.config.shutdown_timeout)


def init_tracing(config: ObsConfig | None = None, **kwargs: Any) -> trace.TracerProvider:
    """Install the TracerProvider assembled from the hooks and return the global provider.

    `config` defaults to ``obs_core.configure(**kwargs)``. A provider the application
    installed itself is kept (with a warning) and obs adds nothing to it. Calling again
    with the same config changes nothing; with another config, obs's exporters are
    replaced (the old ones flushed and stopped) and the resource and sampler updated.
    ``sdk_disabled`` installs nothing (and stops what an earlier call installed).
    """
    if config is None:
        config = configure(**kwargs)
    elif kwargs:
        raise TypeError("init_tracing takes either a config or keyword settings, not both")
    with _state.lock:
        current = trace.get_tracer_provider()
        if config.sdk_disabled:
            old, _state.pipeline = _state.pipeline, None
            _stop(old)
            return current
        ours = isinstance(current, ObsTracerProvider)
        if not ours and not isinstance(current, trace.ProxyTracerProvider):
            warnings.warn(
                f"obs: the application already installed a TracerProvider "
                f"({type(current).__module__}.{type(current).__qualname__}); obs uses it as "
                "it is and adds no exporters or processors to it",
                UserWarning,
                stacklevel=2,
            )
            return current
        pipeline: _Pipeline | None = _state.pipeline
        same = pipeline is not None and (pipeline.config, pipeline.plugins) == (
            config,
            _plugins(),
        )
        if ours and same:
            return current
        resource = _resource(config)
        sampler = _sampler(config)
        if isinstance(current, ObsTracerProvider):
            provider = current
            provider.reconfigure(resource, sampler)
        else:
            provider = ObsTracerProvider(resource, sampler)
            trace.set_tracer_provider(provider)
        new = _build(config)
        old, _state.pipeline = pipeline, new
        provider.processors.replace(old.processors if old else (), new.processors)
        _register_process_hooks()
    if old is not None:
        _stop_replaced(old, new)
    return provider


def shutdown_tracing() -> None:
    """Flush and stop obs's exporters, waiting at most ``shutdown_timeout``.

    The provider stays installed (OpenTelemetry allows one per process): spans are still
    created, for trace ids in logs, and go nowhere until `init_tracing` runs again.
    Registered with `atexit` by `init_tracing`.
    """
    with _state.lock:
        old, _state.pipeline = _state.pipeline, None
    _stop(old)


def after_fork() -> None:
    """Re-create obs's span exporters in a forked worker (e.g. from gunicorn's post_fork).

    Runs by itself through ``os.register_at_fork``; calling it again in the same process
    does nothing. The parent's exporters (sockets, gRPC channels) are left untouched; the
    batch processors restart their own threads after a fork.
    """
    pipeline: _Pipeline | None = _state.pipeline
    if pipeline is None or pipeline.pid == os.getpid():
        return
    with _state.lock:
        fresh = _exporters(pipeline.config)
        if len(fresh) == len(pipeline.slots):
            for slot, exporter in zip(pipeline.slots, fresh, strict=True):
                _state.orphans.append(slot.exporter)
                slot.exporter = exporter
            _state.pipeline = replace(pipeline, pid=os.getpid())
            return
        for exporter in fresh:
            exporter.shutdown()
        rebuilt = _state.pipeline = _build(pipeline.config)
        provider = trace.get_tracer_provider()
        if isinstance(provider, ObsTracerProvider):
            provider.processors.replace(pipeline.processors, rebuilt.processors)


def _after_fork_in_child() -> None:
    try:
        after_fork()
    except Exception as exc:  # a fork must never fail because of obs
        warnings.warn(f"obs: could not re-create span exporters after fork: {exc}", stacklevel=1)


def get_tracer(name: str) -> trace.Tracer:
    """A tracer from the global provider, cached by name (cheap to call per request)."""
    tracer: trace.Tracer | None = _state.tracers.get(name)
    if tracer is None:
        tracer = _state.tracers[name] = trace.get_tracer(name)
    return tracer


def add_span_attributes(**attributes: Any) -> None:
    """Set attributes on the current span (no-op outside a span)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes(attributes)


def add_span_event(name: str, **attributes: Any) -> None:
    """Add an event to the current span (no-op outside a span)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.add_event(name, attributes)


def _sdk_provider() -> TracerProvider:
    with _state.lock:
        provider = trace.get_tracer_provider()
        if isinstance(provider, trace.ProxyTracerProvider):
            provider = ObsTracerProvider(Resource.create({}), build_sampler(ObsConfig()))
            trace.set_tracer_provider(provider)
    if not isinstance(provider, TracerProvider):
        raise ObsError(
            f"capture_spans needs the OpenTelemetry SDK's TracerProvider; the installed one "
            f"is {type(provider).__module__}.{type(provider).__qualname__}"
        )
    return provider


@contextmanager
def capture_spans() -> Iterator[list[ReadableSpan]]:
    """Collect the spans ended inside the block, as they end (sampled ones only).

    Works with obs's provider or any SDK provider the application installed, and
    installs obs's (with no exporters) when there is none yet.
    """
    provider = _sdk_provider()
    spans: list[ReadableSpan] = []
    processor = SimpleSpanProcessor(ListExporter(spans))
    provider.add_span_processor(processor)
    try:
        yield spans
    finally:
        detach_processor(provider, processor)


runtime.on_reset("obs_core.tracing", shutdown_tracing)
