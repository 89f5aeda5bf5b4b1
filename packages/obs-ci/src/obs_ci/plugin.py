"""obs-ci's own entry in the `obs` entry-point group: it provides the built-in rules."""

from __future__ import annotations

from collections.abc import Sequence

from obs_core import hookimpl

from obs_ci._rule import Rule
from obs_ci._rules_flask import MissingHooks, ParseError, UnobservedRoute
from obs_ci._rules_logging import LoggerFormat, PrintCall, SwallowedException
from obs_ci._rules_metrics import MetricInFunction, MetricName, UnboundedLabel
from obs_ci._rules_tracing import UnendedSpan

__all__ = ["BUILTIN_RULES", "obs_ci_rules"]

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


@hookimpl
def obs_ci_rules() -> Sequence[Rule]:
    """The built-in rules, registered exactly as a third-party plugin's would be."""
    return [rule() for rule in BUILTIN_RULES]
