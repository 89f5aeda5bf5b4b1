"""The hook specifications: the contract between obs-core and every plugin.

A plugin is a module or object with functions decorated by `obs_core.hookimpl` whose
names match the specs below; it is published under the ``obs`` entry-point group.
Every hook takes keyword arguments, so an implementation may accept only the ones it needs.
obs calls every hook through pluggy's hook caller (`obs_core.plugins.call_hook`), so the
order (``tryfirst``, ``trylast``, then the latest registered first), wrappers and
``optionalhook`` are pluggy's. List-returning hooks are collected from all plugins;
`obs_sampler` stops at the first non-None answer. A plugin that raises is reported and
skipped, except for a `ConfigError`, which is the user's error and stops the command.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from opentelemetry.sdk.trace import SpanProcessor
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.sampling import Sampler
    from prometheus_client import CollectorRegistry

    from obs_core._config import ObsConfig
    from obs_core.logging._sinks import LogSink

hookspec = pluggy.HookspecMarker("obs")


# -- configuration -------------------------------------------------------------------


@hookspec
def obs_configure(config: ObsConfig) -> None:
    """Adjust the loaded configuration in place before anything is built from it."""


# -- metrics -------------------------------------------------------------------------


@hookspec
def obs_register_metrics(config: ObsConfig, registry: CollectorRegistry) -> None:
    """Register collectors on the registry obs exposes (the default one unless configured)."""


# -- tracing -------------------------------------------------------------------------


@hookspec
def obs_span_exporters(config: ObsConfig) -> Sequence[SpanExporter] | None:
    """Return new span exporters; each is wrapped in a batch processor off the request thread.

    Called again after a fork and on re-initialisation, so return fresh instances.
    """


@hookspec
def obs_span_processors(config: ObsConfig) -> Sequence[SpanProcessor] | None:
    """Return new span processors, added to the tracer provider as they are (e.g. enrichers)."""


@hookspec(firstresult=True)
def obs_sampler(config: ObsConfig) -> Sampler | None:
    """Return the sampler for the tracer provider; the first non-None answer wins."""


@hookspec
def obs_resource_attributes(config: ObsConfig) -> Mapping[str, str] | None:
    """Return resource attributes; `OTEL_RESOURCE_ATTRIBUTES` and config win over them."""


# -- logging -------------------------------------------------------------------------


@hookspec
def obs_log_sinks(config: ObsConfig) -> Sequence[LogSink] | None:
    """Return log sinks; each receives every JSON line at or above its level."""


@hookspec
def obs_log_enrichers(config: ObsConfig) -> Sequence[Callable[[dict[str, Any]], None]] | None:
    """Return callables that add fields to each record dict; assembled once at setup."""


# -- CI gate -------------------------------------------------------------------------


@hookspec
def obs_ci_rules() -> Sequence[Any] | None:
    """Return obs-ci rule objects (see obs-ci's `Rule`); codes must be unique."""


# -- stack ---------------------------------------------------------------------------
# `settings` is obs-stack's merged settings (defaults < [tool.obs.stack] < flags). Read
# your own keys with ``settings.get(key, default)``; a key that no plugin reads is refused.


@hookspec
def obs_alert_rule_groups(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """Return Prometheus rule groups (``{"name": ..., "rules": [...]}``) for the stack."""


@hookspec
def obs_dashboards(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """Return Grafana dashboard models (JSON-able dicts) to provision."""


@hookspec
def obs_scrape_targets(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """Return Prometheus scrape configs (``{"job_name": ..., "static_configs": [...]}``)."""


@hookspec
def obs_compose_services(settings: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]] | None:
    """Return Docker Compose services by name to add to the rendered stack."""


# -- command line --------------------------------------------------------------------


@hookspec
def obs_register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``obs`` command-line group."""
