"""The `obs-stack` console script: render, validate, up, down."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from obs_core import ConfigError

from obs_stack._render import TARGETS, render
from obs_stack._settings import load_settings, parse_assignments
from obs_stack._validate import validate

__all__ = ["cli", "main"]

_SET_HELP = "Override a [tool.obs.stack] setting, e.g. --set error_rate_threshold=0.1 (repeatable)."


def _settings(assignments: tuple[str, ...], **flags: Any) -> dict[str, Any]:
    overrides = parse_assignments(assignments)
    overrides.update({key: value for key, value in flags.items() if value is not None})
    try:
        return load_settings(overrides)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@click.group()
def cli() -> None:
    """Provision Prometheus, Alertmanager, Grafana and Jaeger from the installed obs plugins."""


@cli.command("render")
@click.argument("directory", default="obs-stack", type=click.Path(file_okay=False, path_type=Path))
@click.option("--target", type=click.Choice(TARGETS), default="compose", show_default=True)
@click.option("--job", help="Scrape job name (the service label).")
@click.option("--targets", help="Comma-separated host:port list to scrape.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help=_SET_HELP)
def render_command(
    directory: Path, target: str, job: str | None, targets: str | None, assignments: tuple[str, ...]
) -> None:
    """Write the stack's configuration files into DIRECTORY (default ./obs-stack)."""
    settings = _settings(assignments, job=job, targets=targets)
    for path in render(directory, settings, target):
        click.echo(f"wrote {path}")


def _problem_lines(detail: str) -> list[str]:
    """A tool's output without its success chatter."""
    lines = [line.strip() for line in detail.splitlines()]
    return [line for line in lines if line and not line.startswith(("SUCCESS", "Checking"))]


@cli.command("validate")
@click.argument("directory", default="obs-stack", type=click.Path(file_okay=False, path_type=Path))
def validate_command(directory: Path) -> None:
    """Check the files in DIRECTORY with promtool, amtool, the Compose spec and Grafana rules."""
    checks = validate(directory)
    for check in checks:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}")
        if not check.ok:
            for line in _problem_lines(check.detail):
                click.echo(f"      {line}")
    failed = sum(not check.ok for check in checks)
    if failed:
        raise click.ClickException(f"{failed} of {len(checks)} checks failed")
    click.echo(f"all {len(checks)} checks passed")


def main() -> None:
    """Entry point of the `obs-stack` console script."""
    sys.exit(cli.main(prog_name="obs-stack", standalone_mode=True))
