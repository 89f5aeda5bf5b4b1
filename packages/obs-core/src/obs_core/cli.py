"""The `obs` console script: a click group that plugins extend through `obs_register_commands`."""

from __future__ import annotations

import sys

import click

from obs_core._errors import ConfigError, ObsError
from obs_core._hookcall import call_hook

__all__ = ["cli", "main"]


@click.group()
@click.version_option(package_name="obs-core")
def cli() -> None:
    """obs: observability for Python web services."""


def main() -> None:
    """Entry point: load plugins, let them add commands, run.

    An `ObsError` is reported as one line: a `ConfigError` (a bad setting, also one a
    plugin refuses) is the user's error, exit 2 as for a bad command-line option; any
    other obs error exits 1.
    """
    try:
        call_hook("obs_register_commands", cli=cli)
        cli(prog_name="obs")
    except ObsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
