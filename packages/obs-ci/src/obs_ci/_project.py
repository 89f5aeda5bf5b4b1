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
            try:
                source = (self.root / path).read_text(encoding="utf-8")
                ctx = FileContext(path, source, ast.parse(source), None)
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
                continue
            ctx.walk({}, {})
            if ctx.instrumented:
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
                if marker in path.read_bytes():
                    yield relative.as_posix()
            except OSError:
                continue
