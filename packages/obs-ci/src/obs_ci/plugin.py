"""obs-ci's own entry in the `obs` entry-point group: it provides the built-in rules."""

from __future__ import annotations

from collections.abc import Sequence

from obs_core import hookimpl

from obs_ci._rule import Rule
from obs_ci.rules import BUILTIN_RULES

__all__ = ["BUILTIN_RULES", "obs_ci_rules"]


@hookimpl
def obs_ci_rules() -> Sequence[Rule]:
    """The built-in rules, registered exactly as a third-party plugin's would be."""
    return [rule() for rule in BUILTIN_RULES]
