"""Which fields of each AST node type hold child nodes worth walking, computed once.

Identifiers, operators, load/store contexts and flags are left out, so the walk touches
only nodes a rule can care about. Fields are listed in reverse, ready for a stack.
"""

from __future__ import annotations

import ast

__all__ = ["CHILDREN"]

_SKIP_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "name",
        "id",
        "attr",
        "arg",
        "module",
        "level",
        "asname",
        "kind",
        "conversion",
        "is_async",
        "simple",
        "type_comment",
        "type_ignores",
        "tag",
        "rest",
        "kwd_attrs",
    }
)


def _child_fields(cls: type) -> tuple[str, ...]:
    if cls in (ast.Global, ast.Nonlocal, ast.Constant, ast.MatchSingleton):
        return ()  # names and values, never nodes
    fields: tuple[str, ...] = getattr(cls, "_fields", ())
    return tuple(reversed([f for f in fields if f not in _SKIP_FIELDS]))


CHILDREN: dict[type, tuple[str, ...]] = {
    cls: _child_fields(cls)
    for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.AST)
}
