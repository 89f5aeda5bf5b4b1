"""`[tool.obs-ci]` in pyproject.toml: rule selection, per-file ignores, excludes, strict."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obs_core.settings import read_pyproject_table

from obs_ci._errors import ConfigError

__all__ = [
    "DEFAULT_EXCLUDE",
    "DEFAULT_TEST_PATHS",
    "CiConfig",
    "ConfigError",
    "excluded",
    "file_ignores",
    "first_match",
    "load_config",
    "matches",
    "selected_codes",
    "skipped",
]

DEFAULT_TEST_PATHS = ("tests/", "test/", "test_*.py", "*_test.py", "tests.py", "conftest.py")
#: Folders no one means to check, at any depth (ruff's defaults): virtualenvs, caches,
#: version control, build output, vendored packages.
DEFAULT_EXCLUDE = tuple(
    f"{name}/"
    for name in (
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".git-rewrite",
        ".hg",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".nox",
        ".pants.d",
        ".pyenv",
        ".pytest_cache",
        ".pytype",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        ".vscode",
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    )
)
_KEYS = (
    "select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "strict",
    "test-paths",
    "service-paths",
    "tooling-paths",
)


@dataclass(frozen=True)
class CiConfig:
    """The settings of one run (config file merged with command-line options)."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    strict: bool = False
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    service_paths: tuple[str, ...] = ()
    tooling_paths: tuple[str, ...] = ()
    source: str = "defaults"
    #: The config file's folder, relative to the repository root ("" at the root): paths
    #: in `exclude`, `per-file-ignores` and `test-paths` are relative to it, as in ruff.
    folder: str = ""

    def local(self, path: str) -> str:
        """A repo-relative path as the settings see it: relative to the config's folder."""
        prefix = f"{self.folder}/" if self.folder else ""
        return path[len(prefix) :] if prefix and path.startswith(prefix) else path


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"[tool.obs-ci] {key} must be a list of strings, not {value!r}")
    return tuple(value)


def load_config(pyproject: Path | None) -> CiConfig:
    """Read `[tool.obs-ci]` with obs-core's pyproject reader; an unreadable file, unknown
    keys and wrong types are a `ConfigError`."""
    if pyproject is None:
        return CiConfig()
    # obs's one pyproject reader: an unreadable file is its ConfigError, worded as for [tool.obs]
    _, tool = read_pyproject_table(pyproject=pyproject)
    table = tool.get("obs-ci") if isinstance(tool, dict) else None
    if table is None:
        return CiConfig()
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.obs-ci] must be a table of settings in {pyproject}")
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in _KEYS:
            raise ConfigError(
                f"unknown key {raw_key!r} in [tool.obs-ci] of {pyproject}; known keys: "
                + ", ".join(_KEYS)
            )
        values[key] = value
    per_file = values.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError("[tool.obs-ci] per-file-ignores must be a table of glob = [codes]")
    strict = values.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"[tool.obs-ci] strict must be true or false, not {strict!r}")
    return CiConfig(
        select=_strings("select", values.get("select", ["ALL"])),
        ignore=_strings("ignore", values.get("ignore", [])),
        per_file_ignores={
            glob: _strings(f"per-file-ignores {glob!r}", codes) for glob, codes in per_file.items()
        },
        exclude=_strings("exclude", values.get("exclude", list(DEFAULT_EXCLUDE))),
        extend_exclude=_strings("extend-exclude", values.get("extend-exclude", [])),
        strict=strict,
        test_paths=_strings("test-paths", values.get("test-paths", list(DEFAULT_TEST_PATHS))),
        service_paths=_strings("service-paths", values.get("service-paths", [])),
        tooling_paths=_strings("tooling-paths", values.get("tooling-paths", [])),
        source=str(pyproject),
    )


def _check_selectors(selectors: Iterable[str], codes: Sequence[str], where: str) -> None:
    for selector in selectors:
        if selector == "ALL":
            continue
        if not any(code.startswith(selector) for code in codes):
            raise ConfigError(f"unknown rule code or prefix {selector!r} in {where}")


def selected_codes(
    codes: Sequence[str], select: Sequence[str], ignore: Sequence[str], where: str
) -> set[str]:
    """Codes enabled by ruff-like prefix matching: selected by a prefix, not ignored."""
    _check_selectors(select, codes, where)
    _check_selectors(ignore, codes, where)
    chosen = {c for c in codes if any(s == "ALL" or c.startswith(s) for s in select)}
    return {c for c in chosen if not any(s == "ALL" or c.startswith(s) for s in ignore)}


def first_match(path: str, patterns: Iterable[str]) -> str | None:
    """The first pattern a repo-relative POSIX path matches: a glob, a folder at any depth
    (``tests/``), a name, or a path prefix; None when none does."""
    name = path.rpartition("/")[2]
    for pattern in patterns:
        if pattern.endswith("/"):
            if path.startswith(pattern) or f"/{pattern}" in f"/{path}":
                return pattern
        elif (
            fnmatch.fnmatchcase(path, pattern)
            or fnmatch.fnmatchcase(name, pattern)
            or path.startswith(pattern.rstrip("/") + "/")
        ):
            return pattern
    return None


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether a repo-relative POSIX path matches a glob, a folder (``tests/``) or a name."""
    return first_match(path, patterns) is not None


def excluded(config: CiConfig, path: str) -> bool:
    """Whether `exclude` or `extend-exclude` leaves a file out."""
    local = config.local(path)
    return matches(local, config.exclude) or matches(local, config.extend_exclude)


def skipped(config: CiConfig, path: str) -> bool:
    """Whether obs-ci leaves a file alone: not Python, excluded, or a test."""
    return (
        not path.endswith(".py")
        or excluded(config, path)
        or matches(config.local(path), config.test_paths)
    )


def file_ignores(config: CiConfig, path: str, codes: Sequence[str]) -> set[str]:
    """Codes switched off for one file by per-file-ignores."""
    ignored: set[str] = set()
    local = config.local(path)
    for pattern, prefixes in config.per_file_ignores.items():
        if matches(local, [pattern]):
            ignored.update(c for c in codes if any(p == "ALL" or c.startswith(p) for p in prefixes))
    return ignored
