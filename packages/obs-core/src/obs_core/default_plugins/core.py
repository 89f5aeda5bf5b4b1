"""The built-in plugin: default exporters, sampler, log sinks and the `obs plugins` command."""

from __future__ import annotations

from obs_core.default_plugins.commands import obs_register_commands
from obs_core.default_plugins.logging import obs_log_sinks
from obs_core.default_plugins.tracing import obs_sampler, obs_span_exporters

__all__ = ["obs_log_sinks", "obs_register_commands", "obs_sampler", "obs_span_exporters"]
