"""Checks of a Grafana dashboard model that file provisioning and users rely on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from obs_stack._promql import (
    BUILTIN_VARIABLES,
    concrete_promql,
    dashboard_variables,
    panel_queries,
    referenced_variables,
)

__all__ = ["dashboard_problems", "dashboard_recording_rules"]


def _panel_problems(
    panel: Any, index: int, seen_ids: set[int], datasources: set[str] | None
) -> list[str]:
    if not isinstance(panel, Mapping):
        return [f"panel {index} is not an object"]
    name = f"panel {panel.get('id', index)} ({panel.get('title', '?')!s})"
    problems = []
    if not panel.get("type"):
        problems.append(f"{name} has no type")
    if not isinstance(panel.get("gridPos"), Mapping):
        problems.append(f"{name} has no gridPos")
    panel_id = panel.get("id")
    if panel_id is not None:
        if not isinstance(panel_id, int) or panel_id in seen_ids:
            problems.append(f"{name}: id {panel_id!r} is not a unique integer")
        else:
            seen_ids.add(panel_id)
    refs = [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets") or []]
    for ref in refs:
        uid = ref.get("uid") if isinstance(ref, Mapping) else None
        if (
            datasources is not None
            and uid
            and not str(uid).startswith("$")
            and uid not in datasources
        ):
            problems.append(f"{name} uses datasource {uid!r}, which is not provisioned")
    return problems


def dashboard_problems(model: Any, datasources: set[str] | None = None) -> list[str]:
    """What would make Grafana reject the file or show a broken dashboard (empty if fine)."""
    if not isinstance(model, Mapping):
        return ["the file is not a JSON object"]
    if "dashboard" in model and "panels" not in model:
        return ['wrapped in {"dashboard": ...} (the HTTP API format); provisioning wants the model']
    problems = []
    if not isinstance(model.get("title"), str) or not model["title"].strip():
        problems.append("no title")
    uid = model.get("uid")
    if not isinstance(uid, str) or not 0 < len(uid) <= 40:
        problems.append(f"uid {uid!r} must be a string of 1 to 40 characters")
    panels = model.get("panels")
    if not isinstance(panels, list) or not panels:
        return [*problems, "no panels"]
    seen: set[int] = set()
    for index, panel in enumerate(panels):
        problems += _panel_problems(panel, index, seen, datasources)
    defined = dashboard_variables(model) | set(BUILTIN_VARIABLES)
    for title, expr in panel_queries(model):
        missing = referenced_variables(expr) - defined
        if missing:
            problems.append(f"panel {title!r} uses undefined variable(s) {sorted(missing)}")
    return problems


def dashboard_recording_rules(model: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each panel query as a recording rule, so `promtool check rules` parses its PromQL."""
    uid = re.sub(r"\W", "_", str(model.get("uid", "dashboard")))
    return [
        {"record": f"dashboard_{uid}:query{n}", "expr": concrete_promql(expr)}
        for n, (_, expr) in enumerate(panel_queries(model), start=1)
    ]
