"""obs-ci's built-in rules, one private module per concern, registered by `obs_ci.plugin`.

- ``_flask``: the file parses (OBS001), strict mode's hook kinds (OBS002), a changed
  route is observed (OBS101);
- ``_logging``: a logger's message is not pre-formatted (OBS201), no ``print()`` (OBS202),
  no swallowed exception (OBS301);
- ``_metrics``: metric names (OBS401), bounded labels (OBS402), metrics made once (OBS403);
- ``_tracing``: every span started is ended (OBS501).
"""

from __future__ import annotations

from obs_ci._rule import Rule
from obs_ci.rules._flask import MissingHooks, ParseError, UnobservedRoute
from obs_ci.rules._logging import LoggerFormat, PrintCall, SwallowedException
from obs_ci.rules._metrics import MetricInFunction, MetricName, UnboundedLabel
from obs_ci.rules._tracing import UnendedSpan

__all__ = [
    "BUILTIN_RULES",
    "LoggerFormat",
    "MetricInFunction",
    "MetricName",
    "MissingHooks",
    "ParseError",
    "PrintCall",
    "SwallowedException",
    "UnboundedLabel",
    "UnendedSpan",
    "UnobservedRoute",
]

#: Every built-in rule class, in the order `obs-ci rules` has always listed them by code.
BUILTIN_RULES: tuple[type[Rule], ...] = (
    ParseError,
    MissingHooks,
    UnobservedRoute,
    LoggerFormat,
    PrintCall,
    SwallowedException,
    MetricName,
    UnboundedLabel,
    MetricInFunction,
    UnendedSpan,
)
