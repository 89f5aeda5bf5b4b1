"""Dashboard queries as PromQL Prometheus can run: Grafana's variables replaced."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "BUILTIN_VARIABLES",
    "concrete_promql",
    "dashboard_variables",
    "panel_queries",
    "referenced_variables",
]

# Grafana's built-in variables, with the values used to check and run queries.
BUILTIN_VARIABLES = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__range": "5m",
    "__range_s": "300",
    "__interval_ms": "15000",
}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)")


def _panels(panels: list[Any]) -> Iterator[Mapping[str, Any]]:
    for panel in panels:
        if isinstance(panel, Mapping):
            yield panel
            yield from _panels(list(panel.get("panels") or []))


def panel_queries(dashboard: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expression) for every Prometheus target of every panel, rows included."""
    queries = []
    for panel in _panels(list(dashboard.get("panels") or [])):
        for target in panel.get("targets") or []:
            expr = target.get("expr") if isinstance(target, Mapping) else None
            if expr:
                queries.append((str(panel.get("title", "")), str(expr)))
    return queries


def dashboard_variables(dashboard: Mapping[str, Any]) -> set[str]:
    """The template variable names a dashboard defines."""
    templating = dashboard.get("templating") or {}
    return {str(v.get("name")) for v in templating.get("list") or [] if isinstance(v, Mapping)}


def referenced_variables(expr: str) -> set[str]:
    """The template variable names `expr` uses (``$x``, ``${x}``, ``[[x]]``)."""
    return {next(g for g in m.groups() if g) for m in _VARIABLE.finditer(expr)}


def concrete_promql(expr: str, values: Mapping[str, str] | None = None) -> str:
    """`expr` with each variable replaced: `values`, then built-ins, then ``.*`` (all)."""
    chosen = {**BUILTIN_VARIABLES, **(values or {})}

    def replace(match: re.Match[str]) -> str:
        name = next(g for g in match.groups() if g)
        return chosen.get(name, ".*")

    return _VARIABLE.sub(replace, expr)
