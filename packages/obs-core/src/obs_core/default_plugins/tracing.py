"""Default tracing hooks: the exporters and sampler the config names.

The OpenTelemetry SDK is imported when tracing asks, not when the plugin loads: a tool that
only loads plugins (obs-ci) must not pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from obs_core._plugins import hookimpl

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.sampling import Sampler

    from obs_core._config import ObsConfig


@hookimpl
def obs_span_exporters(config: ObsConfig) -> Sequence[SpanExporter] | None:
    """The exporters named by ``traces_exporter`` (and console when asked)."""
    from obs_core.tracing._exporters import build_exporters

    return build_exporters(config)


@hookimpl(trylast=True)
def obs_sampler(config: ObsConfig) -> Sampler | None:
    """The sampler named by ``sampler``/``sampler_arg``."""
    from obs_core.tracing._exporters import build_sampler

    return build_sampler(config)
