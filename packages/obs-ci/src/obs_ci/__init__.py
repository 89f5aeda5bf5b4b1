"""obs-ci: a CI gate that reads code, not text, with rules from plugins.

Third-party rules subclass `Rule` and are returned from an `obs_ci_rules` hook
implementation published in the ``obs`` entry-point group, exactly like the built-ins
(`obs_ci.plugin`).
"""

from __future__ import annotations

from obs_ci._config import CiConfig, ConfigError
from obs_ci._context import FileContext, Scope
from obs_ci._engine import ChangedFile, Engine, Result
from obs_ci._model import CODE_PATTERN, HOOK_KINDS, Finding, InternalError
from obs_ci._registry import LoadedRule, RuleLoadError, load_rules
from obs_ci._rule import Rule

__all__ = [
    "CODE_PATTERN",
    "HOOK_KINDS",
    "ChangedFile",
    "CiConfig",
    "ConfigError",
    "Engine",
    "FileContext",
    "Finding",
    "InternalError",
    "LoadedRule",
    "Result",
    "Rule",
    "RuleLoadError",
    "Scope",
    "load_rules",
]
