"""Names a package loads on first use (PEP 562), so importing it stays light."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, names: Mapping[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return a package's `__getattr__` and `__dir__` loading each name from its module.

    `names` maps a public name to the module that defines it; a loaded name is cached in
    the package, so the import runs once. obs-flask and obs-stack use this to keep their
    plugin modules free of Flask and OpenTelemetry for tools that never need them.
    """
    namespace = import_module(package).__dict__
    listed = set(public)

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | listed)

    return __getattr__, __dir__
