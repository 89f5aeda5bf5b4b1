"""Collect rules from every plugin's `obs_ci_rules` hook and check their codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from obs_core import ObsError
from obs_core.plugins import call_hook, plugin_infos

from obs_ci._errors import RuleLoadError
from obs_ci._model import CODE_PATTERN
from obs_ci._rule import Rule

__all__ = ["LoadedRule", "RuleLoadError", "load_rules"]


@dataclass(frozen=True)
class LoadedRule:
    """A rule and the plugin (and distribution) that provided it."""

    rule: Rule
    plugin: str
    distribution: str

    @property
    def source(self) -> str:
        """``plugin (distribution)`` for messages and listings."""
        return f"{self.plugin} ({self.distribution})" if self.distribution else self.plugin


def load_rules() -> list[LoadedRule]:
    """Every rule from every plugin, sorted by code; raises `RuleLoadError` on a clash."""
    try:
        # a gate must not silently lose rules: a provider that fails stops the run
        answers = call_hook("obs_ci_rules", raise_errors=True)
    except ObsError as exc:  # a PluginError or a plugin's ConfigError: the command stops
        raise RuleLoadError(str(exc)) from exc
    dists = {info.name: info.distribution or "" for info in plugin_infos()}
    by_code: dict[str, LoadedRule] = {}
    for answer in answers:
        plugin = answer.plugin
        provided: Iterable[object] = (
            answer.value if isinstance(answer.value, Iterable) else [answer.value]
        )
        for rule in provided:
            loaded = LoadedRule(_checked(rule, plugin), plugin, dists.get(plugin, ""))
            clash = by_code.get(loaded.rule.code)
            if clash is not None:
                raise RuleLoadError(
                    f"rule code {loaded.rule.code} is defined twice: by plugin {clash.source} "
                    f"and by plugin {loaded.source}"
                )
            by_code[loaded.rule.code] = loaded
    return [by_code[code] for code in sorted(by_code)]


def _checked(rule: object, plugin: str) -> Rule:
    if not isinstance(rule, Rule):
        raise RuleLoadError(
            f"plugin {plugin!r} returned {rule!r}, which is not an obs_ci.Rule instance"
        )
    if not CODE_PATTERN.fullmatch(rule.code or ""):
        raise RuleLoadError(
            f"plugin {plugin!r} rule {type(rule).__name__} has code {rule.code!r}; codes look "
            "like OBS101: 1-4 capital letters then 1-4 digits"
        )
    if not rule.name:
        raise RuleLoadError(f"plugin {plugin!r} rule {rule.code} has no name")
    return rule
