"""Gather what the installed plugins contribute to the stack, through the stack hooks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from obs_core import ObsError
from obs_core.plugins import call_hook, hook_items, warn_skipped

from obs_stack._settings import refuse_unknown

__all__ = ["ContentError", "StackContent", "gather"]


@dataclass
class StackContent:
    """Rule groups, dashboards, scrape configs and compose services, as plain data."""

    rule_groups: list[dict[str, Any]] = field(default_factory=list)
    dashboards: list[dict[str, Any]] = field(default_factory=list)
    scrape_configs: list[dict[str, Any]] = field(default_factory=list)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)


class ContentError(ObsError, ValueError):
    """The plugins' stack content cannot be rendered: an item without a name, or a clash."""


def _unique(kind: str, key: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the first item per key; two plugins must not fight over one name silently."""
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        name = str(item.get(key, ""))
        if not name:
            raise ContentError(f"a plugin returned a {kind} without {key!r}: {item!r:.200}")
        if name in seen and seen[name] != item:
            raise ContentError(f"two plugins return different {kind}s named {name!r}")
        seen.setdefault(name, item)
    return list(seen.values())


class _Recording(Mapping[str, Any]):
    """The settings as the hooks see them, remembering every key a plugin asks for.

    A plugin's setting is one it reads: this is how a key obs-stack does not know is
    told apart from a typo, with no list of keys to keep in step with the plugins.
    """

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self._settings = settings
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return self._settings[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._settings)

    def __len__(self) -> int:
        return len(self._settings)


def _unwrap(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """The bare model, also when a plugin returns the HTTP API's ``{"dashboard": ...}``."""
    inner = dashboard.get("dashboard")
    if isinstance(inner, Mapping) and "panels" not in dashboard:
        return dict(inner)
    return dict(dashboard)


def _mappings(hook: str, what: str, settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every mapping the plugins return for `hook`; anything else is warned about, naming it."""
    return [dict(answer.value) for answer in hook_items(hook, Mapping, what, settings=settings)]


def gather(user_settings: Mapping[str, Any]) -> StackContent:
    """Call every plugin's stack hooks with the settings (a failing plugin is reported).

    Raises `obs_core.ConfigError` for a setting neither obs-stack nor a plugin reads, and
    when a plugin refuses a setting's value (its `ConfigError` is the user's error).
    """
    settings = _Recording(user_settings)
    groups = _mappings("obs_alert_rule_groups", "a rule group mapping", settings)
    dashboards = [_unwrap(d) for d in _mappings("obs_dashboards", "a dashboard mapping", settings)]
    scrapes = _mappings("obs_scrape_targets", "a scrape config mapping", settings)
    services: dict[str, dict[str, Any]] = {}
    for answer in call_hook("obs_compose_services", settings=settings):
        if not isinstance(answer.value, Mapping):
            warn_skipped("obs_compose_services", answer, "a mapping of services")
            continue
        for name, service in answer.value.items():
            services.setdefault(str(name), dict(service))
    refuse_unknown(user_settings, settings.read)
    return StackContent(
        rule_groups=_unique("rule group", "name", groups),
        dashboards=_unique("dashboard", "uid", dashboards),
        scrape_configs=_unique("scrape config", "job_name", scrapes),
        services=services,
    )
