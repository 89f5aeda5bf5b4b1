"""obs-stack: a provisioned Prometheus, Alertmanager, Grafana and Jaeger from plugin content.

`render` writes the files for Docker Compose, Kubernetes (kube-prometheus-stack) or the
native Debian binaries from what the installed plugins contribute through the stack hooks;
`validate` proves them with the real tools; `up`/`down` run the stack.

Names load on first use (PEP 562), so loading obs-stack's plugin (`obs_stack.plugin`)
stays light for every obs tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obs_core import lazy_names

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


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
