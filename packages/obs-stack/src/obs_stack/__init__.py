"""obs-stack: a provisioned Prometheus, Alertmanager, Grafana and Jaeger from plugin content.

`render` writes the files for Docker Compose, Kubernetes (kube-prometheus-stack) or the
native Debian binaries from what the installed plugins contribute through the stack hooks;
`validate` proves them with the real tools; `up`/`down` run the stack.
"""

from __future__ import annotations

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
