"""Gather what the installed plugins contribute to the stack, through the stack hooks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from obs_core import _plugins

from obs_stack._settings import refuse_unknown

__all__ = ["StackContent", "gather"]


@dataclass
class StackContent:
    """Rule groups, dashboards, scrape configs and compose services, as plain data."""

    rule_groups: list[dict[str, Any]] = field(default_factory=list)
    dashboards: list[dict[str, Any]] = field(default_factory=list)
    scrape_configs: list[dict[str, Any]] = field(default_factory=list)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)


def _unique(kind: str, key: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the first item per key; two plugins must not fight over one name silently."""
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        name = str(item.get(key, ""))
        if not name:
            raise ValueError(f"a plugin returned a {kind} without {key!r}: {item!r:.200}")
        if name in seen and seen[name] != item:
            raise ValueError(f"two plugins return different {kind}s named {name!r}")
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


def gather(user_settings: Mapping[str, Any]) -> StackContent:
    """Call every plugin's stack hooks with the settings (a failing plugin is reported).

    Raises `obs_core.ConfigError` for a setting neither obs-stack nor a plugin reads.
    """
    settings = _Recording(user_settings)
    groups = [
        dict(g)
        for answer in _plugins.call_each("obs_alert_rule_groups", settings=settings)
        for g in answer
    ]
    dashboards = [
        _unwrap(d)
        for answer in _plugins.call_each("obs_dashboards", settings=settings)
        for d in answer
    ]
    scrapes = [
        dict(s)
        for answer in _plugins.call_each("obs_scrape_targets", settings=settings)
        for s in answer
    ]
    services: dict[str, dict[str, Any]] = {}
    for answer in _plugins.call_each("obs_compose_services", settings=settings):
        for name, service in answer.items():
            services.setdefault(str(name), dict(service))
    refuse_unknown(user_settings, settings.read)
    return StackContent(
        rule_groups=_unique("rule group", "name", groups),
        dashboards=_unique("dashboard", "uid", dashboards),
        scrape_configs=_unique("scrape config", "job_name", scrapes),
        services=services,
    )
