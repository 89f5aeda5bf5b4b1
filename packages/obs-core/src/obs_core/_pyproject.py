"""The one reader of ``pyproject.toml`` for obs: find it, parse it once, hand out tables.

Light on purpose (stdlib only, no pillar import), so every obs distribution and its
plugins read ``[tool.obs]`` and its sub-tables the same way and with the same errors.
"""

from __future__ import annotations

import copy
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from obs_core._errors import ConfigError

__all__ = ["find_pyproject", "forget_parsed", "read_pyproject_table"]


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=32)
def _parsed(path: Path, stamp: tuple[int, int]) -> dict[str, Any]:
    """The parsed file; `stamp` (mtime, size) makes an edited file parse again."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:  # not UTF-8, too
        raise ConfigError(str(path), "unreadable", f"a valid pyproject.toml ({exc})") from None


def forget_parsed() -> None:
    """Drop the parsed files (`obs_core.testing.reset()` calls it)."""
    _parsed.cache_clear()


def read_pyproject_table(
    *table: str, pyproject: str | os.PathLike[str] | None = None
) -> tuple[Path | None, dict[str, Any]]:
    """The table ``[tool.<table...>]`` of `pyproject` (default: the nearest one above the
    working directory) and the file it came from; an absent file or table is ``{}``.

    ``read_pyproject_table("obs")`` is ``[tool.obs]``, ``("obs", "stack")`` is
    ``[tool.obs.stack]``. An unreadable file or a key that is not a table is a `ConfigError`.
    """
    path = Path(pyproject) if pyproject is not None else find_pyproject(Path.cwd())
    if path is None:
        return None, {}
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(str(path), "unreadable", f"a valid pyproject.toml ({exc})") from None
    node: Any = _parsed(path.resolve(), (info.st_mtime_ns, info.st_size)).get("tool", {})
    for depth, key in enumerate(table):
        node = node.get(key, {}) if isinstance(node, dict) else node
        if not isinstance(node, dict):
            name = "[tool." + ".".join(table[: depth + 1]) + "]"
            raise ConfigError(f"{name} in {path}", node, "a table")
    return path, copy.deepcopy(node)
