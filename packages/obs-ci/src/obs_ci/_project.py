"""What one file cannot show: whether the repository instruments a Flask app with obs-flask.

A blueprint's routes are registered on an app elsewhere (an app factory, a ``wsgi.py``), so
a blueprint module never instruments anything itself. obs-ci answers for the repository
once, and only when a changed route would otherwise be reported: ``git grep`` (or a folder
walk outside git) finds the Python files naming ``obs_flask``, and each is parsed to confirm
that it really instruments an app (``Observability(app)``, ``init_app``...). Test files and
excluded files never count.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from pathlib import Path

from obs_ci._context import FileContext
from obs_ci._files import NotSource, read_source
from obs_ci._git import GitError, git_grep

__all__ = ["Project"]

_MARKER = "obs_flask"


class Project:
    """The repository being checked, asked lazily and at most once per run."""

    def __init__(self, root: Path, *, in_git: bool, skip: Callable[[str], bool]) -> None:
        self.root = root
        self.in_git = in_git
        self._skip = skip

    @functools.cached_property
    def flask_instrumented_in(self) -> str | None:
        """The first service module (not a test) that instruments a Flask app, or None."""
        for path in self._candidates():
            if self._skip(path):
                continue
            if _instruments(self.root / path, path):
                return path
        return None

    def _candidates(self) -> Iterator[str]:
        if self.in_git:
            try:
                yield from git_grep(_MARKER, self.root)
            except GitError:
                return
            return
        marker = _MARKER.encode()
        for path in sorted(self.root.rglob("*.py")):
            relative = path.relative_to(self.root)
            if any(part.startswith(".") for part in relative.parts):
                continue
            try:
                if marker in read_source(path):
                    yield relative.as_posix()
            except (OSError, NotSource):
                continue


def _instruments(location: Path, path: str) -> bool:
    """Whether one file instruments a Flask app; a file that cannot tell (unreadable, not
    Python, too deep for the parser, or anything else going wrong) counts as not."""
    try:
        source = read_source(location).decode("utf-8")
        ctx = FileContext(path, source, ast.parse(source), None)
        ctx.walk({}, {})
    except Exception:  # an unchanged file must never fail the change being checked
        return False
    return ctx.instrumented
