"""Which files are service code, tooling, tests or excluded: the rule users can predict.

1. Excluded (``exclude``/``extend-exclude``, virtualenvs and build output by default) and
   tests (``test-paths``) come first; then ``service-paths`` and ``tooling-paths``.
2. An app root is a module that builds, runs or instruments a web app (a Flask app or
   blueprint, routes, an app factory, a WSGI/ASGI callable). Every module the roots reach
   through the repository's own imports (at any depth, package ``__init__`` files
   included) is service code: nothing the app imports is ever tooling.
3. Outside that reach, a command-line program (a ``__main__`` block, argparse, click,
   typer, fire, docopt, ``sys.argv``) is tooling, and so is what
   only tooling imports, and any module under a tooling folder (``scripts/``, ``tools/``,
   ``bin/``, ``deploy/``, ``migrations/``...).
4. Everything else is service code: a module nothing imports yet, a Celery task, a job a
   scheduler runs. When in doubt obs-ci checks.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from obs_ci._config import DEFAULT_EXCLUDE, CiConfig, first_match, skipped
from obs_ci._imports import ModuleFacts, module_facts

__all__ = [
    "CLASSES",
    "EXCLUDED",
    "SERVICE",
    "TEST",
    "TOOLING",
    "TOOLING_FOLDERS",
    "Classifier",
    "FileClass",
    "by_settings",
]

SERVICE, TOOLING, TEST, EXCLUDED = "service", "tooling", "test", "excluded"
CLASSES = (SERVICE, TOOLING, TEST, EXCLUDED)

#: Folders whose modules are tooling unless the app imports them.
TOOLING_FOLDERS = (
    "scripts",
    "script",
    "tools",
    "bin",
    "deploy",
    "deployment",
    "ops",
    "migrations",
    "alembic",
    "docs",
    "examples",
    "bench",
    "benchmarks",
)
_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "dodo.py", "__main__.py"})


@dataclass(frozen=True)
class FileClass:
    """A file's class (``service``, ``tooling``, ``test``, ``excluded``) and why."""

    kind: str
    reason: str


def by_settings(config: CiConfig, path: str) -> FileClass | None:
    """The class the settings give a path (excludes, tests, the two overrides), if any."""
    local = config.local(path)
    exclude_key = "the default exclude" if config.exclude == DEFAULT_EXCLUDE else "exclude"
    for key, patterns, kind in (
        (exclude_key, config.exclude, EXCLUDED),
        ("extend-exclude", config.extend_exclude, EXCLUDED),
        ("test-paths", config.test_paths, TEST),
        ("service-paths", config.service_paths, SERVICE),
        ("tooling-paths", config.tooling_paths, TOOLING),
    ):
        pattern = first_match(local, patterns)
        if pattern is not None:
            return FileClass(kind, f"matches {key} {pattern!r}")
    return None


class Classifier:
    """Classifies repository files; reads the repository's modules once, on first need."""

    def __init__(
        self, config: CiConfig, paths: Iterable[str], read: Callable[[str], str | None]
    ) -> None:
        self.config = config
        self._paths = [p for p in paths if p.endswith(".py")]
        self._read = read

    def classify(self, path: str) -> FileClass:
        """The class of one repo-relative path, with the reason."""
        return by_settings(self.config, path) or self._automatic(path)

    def _automatic(self, path: str) -> FileClass:
        service, tooling = self._reach
        if path in service:
            return FileClass(SERVICE, self._chain(service, path))
        facts = self._facts.get(path)
        if facts is None:  # not a module of the repository (a --files path outside it)
            text = self._read(path)
            facts = module_facts(text) if text is not None else None
        if facts is not None and facts.entry is not None:
            return FileClass(TOOLING, f"{facts.entry}, and no app module imports it")
        if path in tooling:
            return FileClass(TOOLING, f"imported only by tooling ({tooling[path]})")
        parts = path.split("/")
        folder = next((part for part in parts[:-1] if part in TOOLING_FOLDERS), None)
        if folder is not None:
            return FileClass(TOOLING, f"under {folder}/, and no app module imports it")
        if parts[-1] in _TOOLING_FILES:
            return FileClass(TOOLING, f"{parts[-1]} is a tool's entry, not service code")
        if not self._has_app:
            return FileClass(SERVICE, "no app module found in the repository: checked")
        return FileClass(SERVICE, "not imported by an app module, not a command: checked")

    def _chain(self, service: dict[str, str], path: str) -> str:
        facts = self._facts.get(path)
        if facts is not None and facts.app is not None:
            return facts.app
        steps = []
        current = path
        for _ in range(50):
            parent = service.get(current, "")
            if not parent:
                break
            steps.append(parent)
            current = parent
        root = steps[-1] if steps else path
        why = self._facts[root].app if root in self._facts else None
        via = f" via {steps[0]}" if len(steps) > 1 else ""
        return f"imported by {root} ({why}){via}"

    @functools.cached_property
    def _has_app(self) -> bool:
        """Whether any module of the repository builds or runs an app (asked once a run)."""
        return any(facts.app for facts in self._facts.values())

    @functools.cached_property
    def _facts(self) -> dict[str, ModuleFacts]:
        facts = {}
        for path in self._paths:
            if skipped(self.config, path):  # excluded files and tests stay out of the graph
                continue
            text = self._read(path)
            if text is not None:
                facts[path] = module_facts(text)
        return facts

    def locate(self, importer: str, qualified: str) -> tuple[str, str] | None:
        """The module file a dotted name (``shop.services.place``, ``.views.bp``) imported
        in `importer` lives in, and the rest of the name; None outside the repository."""
        return self._graph.locate(importer, qualified)

    @functools.cached_property
    def _graph(self) -> _Graph:
        return _Graph(self._facts)

    @functools.cached_property
    def _reach(self) -> tuple[dict[str, str], dict[str, str]]:
        """Service modules (each with the module that imported it) and tooling modules.

        Service: every module the app roots reach. Tooling: what command-line entries reach
        outside the service set, each with the entry that reaches it.
        """
        facts = self._facts
        edges = self._graph
        service: dict[str, str] = {path: "" for path, f in facts.items() if f.app is not None}
        queue = deque(service)
        while queue:
            current = queue.popleft()
            for target in edges.of(current):
                if target not in service:
                    service[target] = current
                    queue.append(target)
        tooling: dict[str, str] = {}
        for entry, f in facts.items():
            if f.entry is None or entry in service:
                continue
            queue = deque([entry])
            while queue:
                current = queue.popleft()
                for target in edges.of(current):
                    if target not in service and target not in tooling and target != entry:
                        tooling[target] = entry
                        queue.append(target)
        return service, tooling


class _Graph:
    """Import edges between the repository's modules, resolved as Python would find them."""

    def __init__(self, facts: dict[str, ModuleFacts]) -> None:
        self.facts = facts
        self.files = set(facts)
        self.packages = {p.rpartition("/")[0] for p in facts if p.endswith("/__init__.py")}
        self._cache: dict[str, list[str]] = {}

    def of(self, path: str) -> list[str]:
        found = self._cache.get(path)
        if found is None:
            found = self._cache[path] = sorted(set(self._targets(path)) - {path})
        return found

    def _roots(self, path: str) -> list[str]:
        """Folders absolute imports start from: the top, and non-package ancestors."""
        folder = path.rpartition("/")[0]
        roots = []
        while folder:
            if folder not in self.packages:
                roots.append(folder + "/")
            folder = folder.rpartition("/")[0]
        roots.append("")
        return roots

    def _module(self, base: str, dotted: str) -> list[str]:
        """The files of module `dotted` under `base`, package ``__init__`` files included."""
        parts = [p for p in dotted.split(".") if p]
        found = []
        for depth in range(1, len(parts) + 1):
            stem = base + "/".join(parts[:depth])
            for candidate in (f"{stem}/__init__.py", f"{stem}.py"):
                if candidate in self.files:
                    found.append(candidate)
                    break
            else:
                if depth == len(parts) or f"{stem}/" not in self._folders:
                    break
        return found

    @functools.cached_property
    def _folders(self) -> set[str]:
        folders = set()
        for path in self.files:
            parts = path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folders.add("/".join(parts[:depth]) + "/")
        return folders

    def locate(self, importer: str, qualified: str) -> tuple[str, str] | None:
        dots = len(qualified) - len(qualified.lstrip("."))
        parts = qualified[dots:].split(".")
        bases = [_relative_base(importer, dots)] if dots else self._roots(importer)
        for base in bases:
            for cut in range(len(parts) - 1, 0, -1):
                stem = base + "/".join(parts[:cut])
                for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
                    if candidate in self.files:
                        return candidate, ".".join(parts[cut:])
        package = f"{bases[0]}__init__.py"
        return (package, ".".join(parts)) if dots and package in self.files else None

    def _targets(self, path: str) -> Iterable[str]:
        roots = self._roots(path)
        for dots, module, names in self.facts[path].imports:
            if dots:
                base = _relative_base(path, dots)
                if module:
                    yield from self._module(base, module)
                    base += module.replace(".", "/") + "/"
                for name in names:
                    yield from self._module(base, name)
                continue
            for root in roots:
                found = self._module(root, module)
                if found or f"{root}{module.replace('.', '/')}/" in self._folders:
                    yield from found
                    for name in names:
                        yield from self._module(root, f"{module}.{name}")[len(found) :]
                    break


def _relative_base(path: str, dots: int) -> str:
    """The folder (``shop/views/``, "" at the top) a relative import with `dots` dots in
    module `path` starts from."""
    base = path.rpartition("/")[0]
    for _ in range(dots - 1):
        base = base.rpartition("/")[0]
    return f"{base}/" if base else ""
