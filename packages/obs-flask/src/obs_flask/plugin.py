"""obs-flask's registration in the `obs` entry-point group: stack content and `obs demo`."""

from __future__ import annotations

import click
from obs_core import hookimpl

from obs_flask._stack_content import obs_alert_rule_groups, obs_dashboards

__all__ = ["obs_alert_rule_groups", "obs_dashboards", "obs_register_commands"]


@hookimpl
def obs_register_commands(cli: click.Group) -> None:
    """Add `obs demo`."""
    from obs_flask.demo._command import demo_command

    cli.add_command(demo_command)
