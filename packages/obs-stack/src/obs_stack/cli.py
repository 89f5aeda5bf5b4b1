"""The `obs-stack` console script: render, validate, up, down."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from obs_core import ConfigError, ObsError

from obs_stack._docker import compose, docker_engine_problem
from obs_stack._native import INSTALL, down_native, up_native
from obs_stack._render import TARGETS, render
from obs_stack._settings import load_settings, parse_assignments
from obs_stack._validate import validate

__all__ = ["cli", "main"]

_SET_HELP = "Override a [tool.obs.stack] setting, e.g. --set error_rate_threshold=0.1 (repeatable)."


def _settings(assignments: tuple[str, ...], **flags: Any) -> dict[str, Any]:
    overrides = parse_assignments(assignments)
    overrides.update({key: value for key, value in flags.items() if value is not None})
    return load_settings(overrides)


F = TypeVar("F", bound=Callable[..., Any])

_directory = click.argument(
    "directory", default="obs-stack", type=click.Path(file_okay=False, path_type=Path)
)


def _setting_options(command: F) -> F:
    """--job, --targets and --set: the settings a user changes most from the command line."""
    command = click.option(
        "--set", "assignments", multiple=True, metavar="KEY=VALUE", help=_SET_HELP
    )(command)
    command = click.option("--targets", help="Comma-separated host:port list to scrape.")(command)
    return click.option("--job", help="Scrape job name (the service label).")(command)


@click.group()
def cli() -> None:
    """Provision Prometheus, Alertmanager, Grafana and Jaeger from the installed obs plugins."""


@cli.command("render")
@_directory
@click.option("--target", type=click.Choice(TARGETS), default="compose", show_default=True)
@_setting_options
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
@_directory
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


_NO_ENGINE = (
    "No Docker engine is reachable ({problem}).\n"
    "Run `obs-stack up --native` to start Debian's prometheus and prometheus-alertmanager on "
    "127.0.0.1 with the rendered configuration instead ({install})."
)


@cli.command("up")
@_directory
@click.option("--native", is_flag=True, help="Run Debian's prometheus and alertmanager, no Docker.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait until ready.")
@_setting_options
def up_command(
    directory: Path,
    native: bool,
    timeout: float,
    job: str | None,
    targets: str | None,
    assignments: tuple[str, ...],
) -> None:
    """Render the stack into DIRECTORY and start it (Docker Compose, or --native)."""
    settings = _settings(assignments, job=job, targets=targets)
    if native:
        procs = up_native(directory, settings, timeout=timeout)
        for proc in procs:
            click.echo(f"{proc.name:<13} {proc.url}  (pid {proc.pid}, log {proc.log})")
        click.echo(f"scraping {', '.join(settings['targets'])} as job {settings['job']!r}")
        click.echo("Grafana and Jaeger run with Docker only (obs-stack up)")
        click.echo(f"stop it with: obs-stack down {directory}")
        return
    problem = docker_engine_problem()
    if problem is not None:
        raise click.ClickException(_NO_ENGINE.format(problem=problem, install=INSTALL))
    render(directory, settings, "compose")
    sys.exit(compose(directory.resolve(), "up", "-d"))


@cli.command("down")
@_directory
def down_command(directory: Path) -> None:
    """Stop the stack `up` started from DIRECTORY (only the processes it recorded)."""
    stopped = down_native(directory)
    for proc in stopped:
        click.echo(f"stopped {proc.name} (pid {proc.pid})")
    if stopped:
        return
    if (directory / "docker-compose.yml").is_file() and docker_engine_problem() is None:
        sys.exit(compose(directory.resolve(), "down"))
    click.echo(f"nothing is running from {directory}")


def main() -> None:
    """Entry point of the `obs-stack` console script.

    An `ObsError` is reported as one line: a bad setting (`ConfigError`, also one a
    plugin refuses) exits 2 as a bad option does; a stack that cannot start or clashing
    plugin content exits 1.
    """
    try:
        sys.exit(cli.main(prog_name="obs-stack", standalone_mode=True))
    except ObsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
