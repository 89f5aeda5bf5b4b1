"""What a change did to the code's meaning, not to its text.

The old and new versions of a file are parsed and their statements compared by AST
(``ast.dump`` without positions): comments, whitespace, quotes, line breaks, parentheses
and docstrings never differ there. Statement lists are aligned like a text diff; a
statement that is equal (or only moved) is unchanged; a function, class or block whose
header is equal is compared inside, so only the statements that really changed count.
A formatter's commit changes nothing.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

__all__ = ["declaration_lines", "meaningful_lines"]

_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
_DOC_OWNERS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def meaningful_lines(old_source: str, new_source: str) -> set[int] | None:
    """The new file's lines whose code differs in meaning from the old file's.

    None when either version does not parse (then the diff's lines are all there is).
    """
    try:
        old = _normalized(ast.parse(old_source))
        new = _normalized(ast.parse(new_source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    kept: set[int] = set()
    _compare_bodies(old.body, new.body, kept, 1)
    return kept


def _normalized(tree: ast.Module) -> ast.Module:
    """The tree without docstrings, one import statement per imported name."""
    for node in ast.walk(tree):
        if isinstance(node, _DOC_OWNERS) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:]
        for field in _BODIES:
            body = getattr(node, field, None)
            if isinstance(body, list) and any(_split_import(s) for s in body):
                setattr(node, field, [part for s in body for part in _split_import(s) or [s]])
    return tree


def _split_import(node: ast.AST) -> list[ast.stmt]:
    """``import a, b`` as ``import a`` and ``import b`` (how formatters differ); [] if one."""
    if not isinstance(node, ast.Import | ast.ImportFrom) or len(node.names) < 2:
        return []
    parts: list[ast.stmt] = []
    for alias in node.names:
        part = (
            ast.Import([alias])
            if isinstance(node, ast.Import)
            else ast.ImportFrom(node.module, [alias], node.level)
        )
        parts.append(ast.copy_location(part, node))
    return parts


def _start(node: ast.AST) -> int:
    line: int = getattr(node, "lineno", 1)
    for decorator in getattr(node, "decorator_list", ()):
        line = min(line, decorator.lineno)
    return line


def _span(node: ast.AST) -> range:
    start = _start(node)
    return range(start, (getattr(node, "end_lineno", None) or start) + 1)


def _name(node: ast.AST) -> str | None:
    return getattr(node, "name", None) if isinstance(node, _DOC_OWNERS) else None


def _compare_bodies(
    old: Sequence[ast.AST], new: Sequence[ast.AST], kept: set[int], anchor: int
) -> None:
    """Mark in `kept` the lines of `new` statements that differ from `old` ones."""
    from difflib import SequenceMatcher  # only when a modified file is compared (startup)

    old_keys = [ast.dump(node) for node in old]
    new_keys = [ast.dump(node) for node in new]
    opcodes = [
        op
        for op in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    # a statement that only moved (isort, a reordered function) did not change
    left = Counter(key for _, i1, i2, _, _ in opcodes for key in old_keys[i1:i2])
    moved = set()
    for _, _, _, j1, j2 in opcodes:
        for index in range(j1, j2):
            if left[new_keys[index]] > 0:
                left[new_keys[index]] -= 1
                moved.add(index)
    for _, i1, i2, j1, j2 in opcodes:
        olds = []
        for node, key in zip(old[i1:i2], old_keys[i1:i2], strict=True):
            if left[key] > 0:
                left[key] -= 1
                olds.append(node)
        for index in range(j1, j2):
            if index in moved:
                continue
            node = new[index]
            partner = next(
                (o for o in olds if o.__class__ is node.__class__ and _name(o) == _name(node)),
                None,
            )
            if partner is None:
                kept.update(_span(node))
                continue
            olds.remove(partner)
            _compare_nodes(partner, node, kept)
        if olds:  # statements removed here: the code around them changed
            if j1 < len(new):
                kept.add(_start(new[j1]))
            elif new:
                kept.add(getattr(new[-1], "end_lineno", None) or anchor)
            else:
                kept.add(anchor)


def _header(node: ast.AST) -> list[str]:
    return [
        ast.dump(value)
        if isinstance(value, ast.AST)
        else repr(value)
        if not isinstance(value, list)
        else repr([ast.dump(v) if isinstance(v, ast.AST) else v for v in value])
        for field, value in ast.iter_fields(node)
        if field not in _BODIES
    ]


def _compare_nodes(old: ast.AST, new: ast.AST, kept: set[int]) -> None:
    """Two statements of one kind (and name): compare the header, then each body."""
    line: int = getattr(new, "lineno", 1)
    if _header(old) != _header(new):
        first_body = min(
            (_start(child) for field in _BODIES for child in getattr(new, field, None) or ()),
            default=None,
        )
        end = first_body if first_body is not None and first_body > line else line + 1
        kept.update(range(_start(new), end))
    for field in _BODIES:
        old_body = getattr(old, field, None)
        new_body = getattr(new, field, None)
        if isinstance(old_body, list) and isinstance(new_body, list):
            _compare_bodies(old_body, new_body, kept, line)


def declaration_lines(tree: ast.Module) -> set[int]:
    """Lines of module- and class-level statements that declare rather than do: imports,
    docstrings, ``pass``, and constants (a name bound to a literal, ``__version__ = "1.2"``).

    ``--strict`` asks for hooks when a change adds code that does something; a version
    bump, a new constant or an import alone does nothing to observe.
    """
    lines: set[int] = set()
    bodies: list[list[ast.stmt]] = [tree.body]
    while bodies:
        for node in bodies.pop():
            if isinstance(node, ast.ClassDef):
                bodies.append(node.body)
            elif _declares(node):
                lines.update(_span(node))
    return lines


def _declares(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom | ast.Pass):
        return True
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        try:
            ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return False
        return True
    return False
