"""The `obs-ci` console script: check, rules, rule CODE; exit 0 clean, 1 findings, 2 errors."""

from __future__ import annotations

import dataclasses
import io
import sys
import warnings
from pathlib import Path
from typing import BinaryIO, NoReturn, TextIO

import click
from obs_core import ObsError, find_pyproject

from obs_ci._config import load_config, selected_codes
from obs_ci._engine import Engine, Result
from obs_ci._errors import GitError, InputError
from obs_ci._project import Project
from obs_ci._registry import LoadedRule, load_rules
from obs_ci.change._git import git_root, path_in_change
from obs_ci.change._inputs import explicit_files, from_diff, git_input, relative
from obs_ci.report import render, render_text

__all__ = ["cli", "main"]

FORMATS = ("text", "json", "sarif", "github", "markdown")


def _fail(message: str) -> NoReturn:
    click.echo(f"obs-ci: error: {message}", err=True)
    sys.exit(2)


def _rules() -> list[LoadedRule]:
    try:
        return load_rules()
    except ObsError as exc:
        _fail(str(exc))


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="obs-ci")
def cli() -> None:
    """A CI gate that fails changes whose service code lacks observability."""


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--base", help="Compare with the merge base of this ref (default: upstream).")
@click.option("--diff", "diff_file", type=click.File("rb"), help="A unified diff file, or -.")
@click.option("--files", is_flag=True, help="PATHS are files checked whole (no git needed).")
@click.option("--strict", is_flag=True, default=None, help="Require metrics, tracing and logging.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (ALL).")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option(
    "--show-files",
    is_flag=True,
    help="List each changed Python file with its class and why, then exit (checks nothing).",
)
def check(
    paths: tuple[str, ...],
    base: str | None,
    diff_file: BinaryIO | None,
    files: bool,
    strict: bool | None,
    fmt: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    show_files: bool,
) -> None:
    """Check the changed Python code: against git, a diff (--diff) or whole files (--files)."""
    if diff_file is not None and files:
        _fail("use one of --diff and --files")
    if base is not None and (diff_file is not None or files):
        _fail("--base is for comparing with git; it does not go with --diff or --files")
    if diff_file is not None and paths:
        _fail("--diff takes no PATHS: the diff says which files changed")
    if files and not paths:
        _fail("--files needs PATHS")
    cwd = Path.cwd()
    top = git_root(cwd)
    root = top or cwd
    engine = _engine(cwd, top, strict, _split(select), _split(ignore))
    try:
        if files:
            changed = explicit_files(paths, root, in_git=top is not None)
            if top is None and engine.project is not None:
                # no repository: the files given are the whole project (never a walk of cwd)
                engine.project.limit_to([c.path for c in changed])
        elif diff_file is not None:
            changed = from_diff(_diff_text(diff_file), root)
            if not changed:
                click.echo(
                    "obs-ci: warning: the diff adds or modifies no file; nothing to check", err=True
                )
        else:
            changed, change = git_input(base, paths, cwd, root)
            _check_paths(paths, change.commit, cwd)
            if change.commit == change.head and not change.lines:
                click.echo(
                    f"obs-ci: warning: the base ({base or 'the default base'}) is HEAD itself "
                    "and nothing is uncommitted, so there is no change to check; pass --base "
                    "naming the branch this work started from",
                    err=True,
                )
    except ObsError as exc:  # InputError, GitError...: one line, exit 2
        _fail(str(exc))
    if show_files:
        _show_files(engine, [c.path for c in changed])
        return
    result = engine.run(changed)
    kinds = {c.kind for c in result.classes.values()}
    if kinds == {"excluded"}:
        click.echo(
            f"obs-ci: warning: every changed Python file ({len(result.classes)}) is excluded "
            "(exclude, extend-exclude or the default excludes): nothing was checked",
            err=True,
        )
    _emit(result, fmt, output)
    sys.exit(result.exit_code)


def _diff_text(stream: BinaryIO) -> str:
    """A diff as text: UTF-8, with other bytes (a Latin-1 line, a raw file name) kept."""
    try:
        return stream.read().decode("utf-8", errors="surrogateescape")
    except OSError as exc:
        _fail(f"cannot read the diff: {exc.strerror or exc}")


def _check_paths(paths: tuple[str, ...], commit: str, cwd: Path) -> None:
    """Every PATHS argument must name something of the change's tree: a typo never passes."""
    for path in paths:
        try:
            found = path_in_change(path, commit, cwd)
        except GitError as exc:
            raise InputError(str(exc)) from exc
        if not found:
            raise InputError(
                f"{path} matches no file of this repository (neither in the work tree nor at "
                "the base); check the path"
            )


def _show_files(engine: Engine, paths: list[str]) -> None:
    """``path: class (reason)`` for each changed Python file, like ruff's --show-files."""
    for path in paths:
        if path.endswith(".py"):
            file_class = engine.classify(path)
            click.echo(f"{path}: {file_class.kind} ({file_class.reason})")


def _engine(
    cwd: Path, top: Path | None, strict: bool | None, select: list[str], ignore: list[str]
) -> Engine:
    """The engine for `[tool.obs-ci]` and the command line; a bad setting is exit 2.

    `top` is the git work tree's top (None outside git), where the repository is asked
    what one file cannot show.
    """
    rules = _rules()
    codes = [loaded.rule.code for loaded in rules]
    try:
        pyproject = find_pyproject(cwd)
        config = load_config(pyproject)
        if pyproject is not None and top is not None:
            folder = relative(pyproject.parent, top)
            config = dataclasses.replace(config, folder="" if folder == "." else folder)
        if strict:
            config = dataclasses.replace(config, strict=True)
        selected_codes(codes, select, ignore, "the command line")
        # --select replaces the configured select and ignore; --ignore adds to them
        chosen, ignored = (select, []) if select else (config.select, config.ignore)
        enabled = selected_codes(codes, chosen, [*ignored, *ignore], config.source)
        for pattern, prefixes in config.per_file_ignores.items():
            selected_codes(codes, [], prefixes, f"per-file-ignores {pattern!r}")
        project = Project(top or cwd, in_git=top is not None, config=config)
        return Engine(rules, config, enabled, project)
    except ObsError as exc:  # ConfigError, RuleLoadError: one line, exit 2
        _fail(str(exc))


def _emit(result: Result, fmt: str, output: str | None) -> None:
    """Print the report, or write it to `output` and print the text summary."""
    report = render(result, fmt)
    if output is None:
        click.echo(report, nl=False)
        return
    try:
        Path(output).write_text(report, encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    if fmt != "text":
        click.echo(render_text(result), nl=False)


@cli.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_rules(as_json: bool) -> None:
    """List every rule: code, name, summary and the plugin that provides it."""
    rules = _rules()
    if as_json:
        import json

        rows = [
            {
                "code": r.rule.code,
                "name": r.rule.name,
                "summary": r.rule.summary,
                "plugin": r.plugin,
                "distribution": r.distribution,
            }
            for r in rules
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r.rule.name) for r in rules), default=4)
    for r in rules:
        click.echo(f"{r.rule.code:<8}{r.rule.name:<{width + 2}}{r.rule.summary}  [{r.source}]")


@cli.command("rule")
@click.argument("code")
def explain_rule(code: str) -> None:
    """Explain one rule, with an example."""
    for loaded in _rules():
        rule = loaded.rule
        if rule.code == code.upper():
            click.echo(f"{rule.code} {rule.name}  (from {loaded.source})\n")
            click.echo(f"{rule.summary}\n")
            if rule.rationale:
                click.echo(f"Why: {rule.rationale}\n")
            if rule.example:
                click.echo("Example:\n")
                click.echo("\n".join(f"    {line}" for line in rule.example.splitlines()))
            return
    _fail(f"unknown rule code {code!r}; `obs-ci rules` lists them")


def _warn(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    click.echo(f"obs-ci: warning: {message}", err=True)


def main() -> None:
    """Entry point of the `obs-ci` console script; an unexpected crash is exit 2, never 1."""
    warnings.showwarning = _warn
    if isinstance(sys.stdout, io.TextIOWrapper):  # file names are bytes: print them as such
        sys.stdout.reconfigure(errors="surrogateescape")
    try:
        cli(standalone_mode=True)
    except ObsError as exc:  # an error obs-ci meant to raise: its message is the fix
        _fail(str(exc))
    except Exception as exc:  # exit 1 would read as "findings": a crash must not
        import traceback  # only on a crash (startup)

        traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc}")
