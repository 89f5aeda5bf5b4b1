"""obs-stack: a provisioned Prometheus, Alertmanager, Grafana and Jaeger from plugin content.

`render` writes the files for Docker Compose, Kubernetes (kube-prometheus-stack) or the
native Debian binaries from what the installed plugins contribute through the stack hooks;
`validate` proves them with the real tools; `up`/`down` run the stack.

Names load on first use (PEP 562), so loading obs-stack's plugin (`obs_stack.plugin`)
stays light for every obs tool.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from obs_stack._content import StackContent, gather
    from obs_stack._promql import concrete_promql, panel_queries
    from obs_stack._render import TARGETS, render
    from obs_stack._settings import DEFAULTS, load_settings

__all__ = [
    "DEFAULTS",
    "TARGETS",
    "StackContent",
    "concrete_promql",
    "gather",
    "load_settings",
    "panel_queries",
    "render",
]

_LAZY = {
    "DEFAULTS": "obs_stack._settings",
    "TARGETS": "obs_stack._render",
    "StackContent": "obs_stack._content",
    "concrete_promql": "obs_stack._promql",
    "gather": "obs_stack._content",
    "load_settings": "obs_stack._settings",
    "panel_queries": "obs_stack._promql",
    "render": "obs_stack._render",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'obs_stack' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
