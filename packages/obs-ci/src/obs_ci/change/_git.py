"""Git, asked for what changed: the merge base, the diff, untracked and matching files."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from obs_ci._errors import GitError
from obs_ci.change._diff import DiffError, DiffLines, parse_unified_diff

if TYPE_CHECKING:
    import subprocess

__all__ = [
    "GitChange",
    "GitError",
    "git_blobs",
    "git_change",
    "git_changes",
    "git_files",
    "git_grep",
    "git_root",
    "merge_base",
    "path_in_change",
]

_FETCH_HINT = (
    "fetch the history it needs: `git fetch --unshallow` or `git fetch --depth=200 origin "
    "<base branch>` (in GitHub Actions: actions/checkout with `fetch-depth: 0`), "
    "or pass the change with --diff FILE or --files"
)


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    import subprocess  # only where git runs: a --files run outside git never loads it

    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed; pass the change with --diff FILE or --files") from exc


def git_root(cwd: Path) -> Path | None:
    """The top of the git work tree containing `cwd`, or None outside git."""
    if not _maybe_in_git(cwd):
        return None  # git would only say so: spare the process (startup of --files)
    try:
        done = _git(["rev-parse", "--show-toplevel"], cwd)
    except GitError:
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def _maybe_in_git(cwd: Path) -> bool:
    """False only where git can find no work tree: no ``.git`` (folder or file) at or above
    `cwd` and none of git's variables pointing elsewhere."""
    if any(os.environ.get(name) for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")):
        return True
    folder = cwd.absolute()
    return any(os.path.lexists(parent / ".git") for parent in (folder, *folder.parents))


def _shallow(cwd: Path) -> bool:
    return _git(["rev-parse", "--is-shallow-repository"], cwd).stdout.strip() == "true"


def _exists(ref: str, cwd: Path) -> bool:
    return _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd).returncode == 0


def _default_base(cwd: Path) -> str:
    """The upstream, else origin/main, else main, else the remote's default (origin/HEAD).

    The remote copy of the branch itself (origin/feature for feature, which origin/HEAD is
    in a single-branch clone) is never a base: comparing with it would pass silently.
    """
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd).stdout.strip()
    for candidate in ("@{upstream}", "origin/main", "main", "origin/HEAD"):
        done = _git(["rev-parse", "--abbrev-ref", candidate], cwd)
        ref = done.stdout.strip()
        if done.returncode != 0 or not ref or ref.partition("/")[2] == branch:
            continue
        if _exists(ref, cwd):
            return ref
    shallow = " (this is a shallow clone)" if _shallow(cwd) else ""
    raise GitError(
        "cannot find a base to compare against: the branch has no upstream and none of "
        f"origin/main, main and origin/HEAD is another branch{shallow}. Pass --base REF, or "
        f"{_FETCH_HINT}"
    )


def merge_base(base: str | None, cwd: Path) -> str:
    """The merge base of `base` (or the default base) and HEAD; never guesses.

    Before a repository's first commit there is no HEAD and everything is new: the empty
    tree is the base (so the pre-commit hook works on a first commit too).
    """
    if shutil.which("git") is None:
        raise GitError("git is not on PATH: install git, or pass the change with --diff or --files")
    if git_root(cwd) is None:
        raise GitError(
            f"{cwd} is not inside a git repository, so there is no change to check; run in a "
            "clone, or pass the change with --diff FILE (or - for stdin) or --files PATHS"
        )
    if not _exists("HEAD", cwd):
        return _git(["hash-object", "-t", "tree", "/dev/null"], cwd).stdout.strip()
    ref = base or _default_base(cwd)
    if not _exists(ref, cwd):
        where = "this shallow clone does not have it" if _shallow(cwd) else "unknown revision"
        raise GitError(f"cannot resolve base {ref!r}: {where}; {_FETCH_HINT}")
    done = _git(["merge-base", ref, "HEAD"], cwd)
    if done.returncode != 0 or not done.stdout.strip():
        if _shallow(cwd):
            raise GitError(
                f"no merge base between {ref} and HEAD in this shallow clone; {_FETCH_HINT}"
            )
        raise GitError(f"{ref} and HEAD share no history; pass --base naming the branch you forked")
    return done.stdout.strip()


def _ls_files(options: Sequence[str], paths: Sequence[str], cwd: Path) -> list[str]:
    """Repo-relative paths from ``git ls-files`` (NUL-separated, so any name survives)."""
    done = _git(["ls-files", "-z", "--full-name", *options, "--", *paths], cwd)
    if done.returncode != 0:
        raise GitError(f"git ls-files failed: {done.stderr.strip()}")
    return sorted({path for path in done.stdout.split("\0") if path})


def git_files(folder: str, cwd: Path) -> list[str]:
    """The files git tracks or would track (not ignored) under `folder`, repo-relative."""
    return _ls_files(["--cached", "--others", "--exclude-standard"], [folder], cwd)


def path_in_change(path: str, commit: str, cwd: Path) -> bool:
    """Whether a PATHS argument (relative to `cwd`) names a file or folder of the work
    tree (tracked or not ignored) or of the base `commit` (a file the change deleted)."""
    if _ls_files(["--cached", "--others", "--exclude-standard"], [path], cwd):
        return True
    done = _git(["ls-tree", "-r", "--name-only", commit, "--", path], cwd)
    return done.returncode == 0 and bool(done.stdout.strip())


def git_grep(text: str, cwd: Path) -> list[str]:
    """Repo-relative Python files, tracked or untracked but not ignored, containing `text`."""
    done = _git(
        ["grep", "-l", "-z", "-I", "-F", "--untracked", "--full-name", "-e", text, "--", "*.py"],
        cwd,
    )
    if done.returncode not in (0, 1):  # 1: nothing matched
        raise GitError(f"git grep failed: {done.stderr.strip()}")
    return sorted(path for path in done.stdout.split("\0") if path)


_RENAME = re.compile(r"^rename from (.*)\nrename to (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class GitChange:
    """The work tree's change against `commit` (the merge base), file by file."""

    commit: str
    head: str
    lines: dict[str, DiffLines | None]
    #: The old path of each renamed file, by its new path.
    renamed: dict[str, str] = field(default_factory=dict)


def git_changes(base: str | None, paths: Sequence[str], cwd: Path) -> dict[str, DiffLines | None]:
    """Changed lines of the work tree against the merge base of `base` and HEAD."""
    return git_change(base, paths, cwd).lines


def git_change(base: str | None, paths: Sequence[str], cwd: Path) -> GitChange:
    """Changed lines of the work tree against the merge base of `base` and HEAD.

    Files git does not track yet and does not ignore are new code too: they count whole
    (None), as they would once added, so a forgotten ``git add`` never hides a change.
    """
    commit = merge_base(base, cwd)
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd).stdout.strip()
    done = _git(
        [
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-relative",
            "--unified=0",
            "-M",
            commit,
            "--",
            *paths,
        ],
        cwd,
    )
    if done.returncode != 0:
        raise GitError(f"git diff failed: {done.stderr.strip()}")
    try:
        changes: dict[str, DiffLines | None] = dict(parse_unified_diff(done.stdout))
    except DiffError as exc:
        raise GitError(f"cannot read the output of git diff: {exc}") from exc
    # like `git diff`, without PATHS the whole work tree, even from a subfolder (":/")
    for path in _ls_files(["--others", "--exclude-standard"], paths or [":/"], cwd):
        changes.setdefault(path, None)
    renamed = {new: old for old, new in _RENAME.findall(done.stdout)}
    return GitChange(commit, head, changes, renamed)


def git_blobs(commit: str, paths: Sequence[str], cwd: Path) -> dict[str, bytes]:
    """The content of each path at `commit` (one ``git cat-file --batch``); absent ones left out."""
    import subprocess

    wanted = [p for p in paths if "\n" not in p]
    if not wanted:
        return {}
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=cwd,
            input="".join(f"{commit}:{p}\n" for p in wanted).encode("utf-8", "surrogateescape"),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        return {}
    out = done.stdout
    blobs: dict[str, bytes] = {}
    position = 0
    for path in wanted:
        end = out.find(b"\n", position)
        if end < 0:
            break
        header = out[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs[path] = out[position : position + size]
            position += size + 1
    return blobs
