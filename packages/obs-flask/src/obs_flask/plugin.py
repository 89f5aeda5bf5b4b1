"""obs-flask's registration in the `obs` entry-point group."""

from __future__ import annotations

from obs_flask._stack_content import obs_alert_rule_groups, obs_dashboards

__all__ = ["obs_alert_rule_groups", "obs_dashboards"]
