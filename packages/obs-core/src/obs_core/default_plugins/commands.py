"""The built-in commands: `obs plugins` and `obs traces`."""

from __future__ import annotations

import dataclasses
import json

import click

from obs_core._plugins import hookimpl, plugin_infos


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Also list blocked plugins.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins_command(show_all: bool, as_json: bool) -> None:
    """List installed obs plugins: distribution, version, hooks and load errors."""
    infos = plugin_infos(include_blocked=show_all)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(info) for info in infos], indent=2))
        return
    for info in infos:
        dist = f"{info.distribution} {info.version}" if info.distribution else "-"
        status = f"ERROR {info.error}" if info.error else ", ".join(info.hooks)
        click.echo(f"{info.name:<16} {dist:<24} {status}")


@hookimpl
def obs_register_commands(cli: click.Group) -> None:
    """Add `obs plugins` and `obs traces`."""
    from obs_core.tracing._cli import traces_command

    cli.add_command(plugins_command)
    cli.add_command(traces_command)
