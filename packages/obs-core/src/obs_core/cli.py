"""The `obs` console script: a click group that plugins extend through `obs_register_commands`."""

from __future__ import annotations

import click

from obs_core._plugins import call_each

__all__ = ["cli", "main"]


@click.group()
@click.version_option(package_name="obs-core")
def cli() -> None:
    """obs: observability for Python web services."""


def main() -> None:
    """Entry point: load plugins, let them add commands, run."""
    call_each("obs_register_commands", cli=cli)
    cli()
