"""The repository around the changed files: its modules, their classes, its instrumentation.

Everything here is asked lazily and answered at most once per run: the module list (git's
tracked and not-ignored files, or a walk outside git), each module's text, each module's
walk when a rule follows a call into it.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

from obs_ci._calls import instruments_app
from obs_ci._classify import SERVICE, Classifier, FileClass
from obs_ci._config import CiConfig, excluded
from obs_ci._context import FileContext
from obs_ci.change._files import NotSource, read_source
from obs_ci.change._git import GitError, git_files

__all__ = ["Project"]

#: Text that can only be in a module that instruments an app.
_INSTRUMENTATION = re.compile(
    r"obs_flask|FlaskInstrumentor|PrometheusMetrics|OpenTelemetryMiddleware|wsgi_app"
    r"|(?:before|after|teardown)_(?:app_)?request"
)


class Project:
    """The repository being checked, asked lazily and at most once per run."""

    def __init__(self, root: Path, *, in_git: bool, config: CiConfig) -> None:
        self.root = root
        self.in_git = in_git
        self.config = config
        self._texts: dict[str, str | None] = {}
        self._contexts: dict[str, FileContext | None] = {}

    def text(self, path: str) -> str | None:
        """A repo-relative file's text (undecodable bytes replaced), None if unreadable."""
        if path not in self._texts:
            try:
                data = read_source(self.root / path)
            except (OSError, NotSource):
                self._texts[path] = None
            else:
                self._texts[path] = None if b"\0" in data else data.decode("utf-8", "replace")
        return self._texts[path]

    def limit_to(self, paths: list[str]) -> None:
        """Take `paths` as the project's modules (outside git: the files given, no walk)."""
        self.__dict__["modules"] = [
            p for p in paths if p.endswith(".py") and not excluded(self.config, p)
        ]

    @functools.cached_property
    def modules(self) -> list[str]:
        """Every Python file of the repository that is not excluded."""
        return [p for p in self._python_files() if not excluded(self.config, p)]

    def _python_files(self) -> Iterator[str]:
        if self.in_git:
            try:
                yield from (p for p in git_files(":/", self.root) if p.endswith(".py"))
            except GitError:
                return
            return
        for path in sorted(self.root.rglob("*.py")):
            relative = path.relative_to(self.root)
            if not any(part.startswith(".") for part in relative.parts):
                yield relative.as_posix()

    @functools.cached_property
    def classifier(self) -> Classifier:
        """The classifier over the repository's modules."""
        return Classifier(self.config, self.modules, self.text)

    def classify(self, path: str) -> FileClass:
        """A changed file's class (service, tooling, test, excluded) and why."""
        return self.classifier.classify(path)

    def context(self, path: str) -> FileContext | None:
        """One module walked with no rules (for what a rule asks of other modules)."""
        if path not in self._contexts:
            ctx = None
            text = self.text(path)
            if text is not None:
                try:
                    ctx = FileContext(path, text, ast.parse(text), None, None, self)
                    ctx.walk({}, {})
                except Exception:  # an unchanged module must never fail the change
                    ctx = None
            self._contexts[path] = ctx
        return self._contexts[path]

    def function_module(self, importer: str, qualified: str) -> tuple[FileContext, str] | None:
        """The module context defining `qualified` (as `importer` imports it) and the name
        inside it (``place_order``, ``OrderService.place``); None outside the repository."""
        found = self.classifier.locate(importer, qualified)
        if found is None:
            return None
        ctx = self.context(found[0])
        return None if ctx is None else (ctx, found[1])

    @functools.cached_property
    def instrumented_in(self) -> str | None:
        """The first service module that instruments a web app, or None.

        Instrumented: obs-flask, OpenTelemetry's Flask/WSGI instrumentation,
        prometheus_flask_exporter, request hooks or WSGI middleware with hooks; directly or
        in a project function (a wrapper the app factory calls). Tests, tooling and
        excluded files never count.
        """
        for path in self.modules:
            text = self.text(path)
            if text is None or not _INSTRUMENTATION.search(text):
                continue
            if self.classify(path).kind != SERVICE:
                continue
            ctx = self.context(path)
            if ctx is not None and _instruments(ctx):
                return path
        return None


def _instruments(ctx: FileContext) -> bool:
    """Whether a module instruments its app; one obs-ci cannot follow counts as not."""
    try:
        return instruments_app(ctx)
    except Exception:  # an unchanged module must never fail the change being checked
        return False
