"""Where the changed files come from: git against a base, a unified diff, or explicit paths."""

from __future__ import annotations

from pathlib import Path

from obs_ci._diff import DiffError, is_diff, parse_unified_diff
from obs_ci._engine import ChangedFile
from obs_ci._git import GitError, git_changes, git_files

__all__ = ["InputError", "explicit_files", "from_diff", "from_git", "relative"]


class InputError(Exception):
    """The change cannot be read from what was given; the message says why."""


def relative(path: Path, root: Path) -> str:
    """`path` relative to `root` as POSIX, or as given when it lies outside."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _folder_files(folder: Path, root: Path, in_git: bool) -> list[ChangedFile]:
    """The Python files of a folder: those git tracks or would track, else all but hidden."""
    if in_git:
        try:
            listed = git_files(str(folder), Path.cwd())
        except GitError as exc:
            raise InputError(str(exc)) from exc
        paths = [p for p in listed if p.endswith(".py")]
        return [ChangedFile(p, root / p) for p in paths if (root / p).is_file()]
    found = [
        f
        for f in sorted(folder.rglob("*.py"))
        if not any(part.startswith(".") for part in f.relative_to(folder).parts)
    ]
    return [ChangedFile(relative(f, root), f) for f in found]


def explicit_files(paths: tuple[str, ...], root: Path, *, in_git: bool) -> list[ChangedFile]:
    """PATHS checked whole; a folder stands for its Python files, a missing path is an error."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += _folder_files(path, root, in_git)
        elif path.exists():
            files.append(ChangedFile(relative(path, root), path))
        else:
            raise InputError(f"{raw} does not exist")
    return files


def from_diff(text: str, root: Path) -> list[ChangedFile]:
    """The files of a unified diff, read from the work tree the diff must describe.

    Text without a diff header (empty stdin, an error message, anything else) is an
    error, never "nothing changed": a failed ``git diff`` upstream must not pass.
    """
    if not is_diff(text):
        what = "is empty" if not text.strip() else "has no diff header"
        raise InputError(
            f"the diff {what} (no `diff --git`, or `--- a/FILE` then `+++ b/FILE`); pass "
            "the output of `git diff` (if it failed, its error is above; use `set -o "
            "pipefail`), or let obs-ci ask git with --base REF"
        )
    try:
        diff = parse_unified_diff(text)
    except DiffError as exc:
        raise InputError(str(exc)) from exc
    changed = [ChangedFile.from_diff_lines(p, root / p, lines) for p, lines in diff.items()]
    absent = [c.path for c in changed if c.path.endswith(".py") and not c.location.exists()]
    if absent:
        raise InputError(
            f"the diff names {', '.join(absent)}, which is not in the work tree at {root}; "
            "run obs-ci at the root of the checkout the diff was taken from"
        )
    return changed


def from_git(base: str | None, paths: tuple[str, ...], cwd: Path, root: Path) -> list[ChangedFile]:
    """The work tree's changes against the merge base of `base` and HEAD."""
    try:
        lines = git_changes(base, paths, cwd)
    except GitError as exc:
        raise InputError(str(exc)) from exc
    return [ChangedFile.from_diff_lines(p, root / p, ln) for p, ln in lines.items()]
