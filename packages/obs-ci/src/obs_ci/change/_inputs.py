"""Where the changed files come from: git against a base, a unified diff, or explicit paths."""

from __future__ import annotations

import os
from pathlib import Path

from obs_ci._engine import ChangedFile
from obs_ci._errors import InputError
from obs_ci.change._diff import DiffError, is_diff, parse_unified_diff
from obs_ci.change._files import read_source
from obs_ci.change._git import GitChange, GitError, git_blobs, git_change, git_files
from obs_ci.change._meaning import meaningful_lines

__all__ = ["InputError", "explicit_files", "from_diff", "from_git", "git_input", "relative"]


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
        # lexists: a symlink to a device is still a file to report, a deleted one is not
        return [ChangedFile(p, root / p) for p in paths if os.path.lexists(root / p)]
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
    """The work tree's changes against the merge base of `base` and HEAD, in meaning."""
    return git_input(base, paths, cwd, root)[0]


def git_input(
    base: str | None, paths: tuple[str, ...], cwd: Path, root: Path
) -> tuple[list[ChangedFile], GitChange]:
    """The changed files, narrowed to what changed in meaning, and git's view of the change."""
    try:
        change = git_change(base, paths, cwd)
    except GitError as exc:
        raise InputError(str(exc)) from exc
    changed = [ChangedFile.from_diff_lines(p, root / p, ln) for p, ln in change.lines.items()]
    return _in_meaning(changed, change, root), change


def _in_meaning(changed: list[ChangedFile], change: GitChange, root: Path) -> list[ChangedFile]:
    """Each modified Python file's lines, kept only where the code changed in meaning.

    Comments, formatting and docstrings are not changes (see `obs_ci.change._meaning`); a file
    whose old or new version does not parse keeps the diff's lines.
    """
    modified = [c for c in changed if c.lines is not None and c.path.endswith(".py")]
    olds = {c.path: change.renamed.get(c.path, c.path) for c in modified}
    blobs = git_blobs(change.commit, sorted(set(olds.values())), root) if modified else {}
    narrowed = []
    for item in changed:
        old = blobs.get(olds.get(item.path, ""))
        if old is None:
            narrowed.append(item)
            continue
        try:
            new_source = read_source(item.location).decode("utf-8")
            kept = meaningful_lines(old.decode("utf-8"), new_source)
        except Exception:  # a file obs-ci cannot compare (any reason) keeps the diff's lines
            kept = None
        if kept is None:
            narrowed.append(item)
            continue
        added = item.added if item.added is not None else item.lines or ()
        narrowed.append(
            ChangedFile(item.path, item.location, sorted(kept), sorted(kept.intersection(added)))
        )
    return narrowed
