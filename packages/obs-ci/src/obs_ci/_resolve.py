"""Name resolution for one file: what a name, an attribute chain or a call means.

`Resolver` keeps the import aliases and the roles of assigned names (``log =
logging.getLogger()`` makes ``log`` a logger) and answers, with a cache per call node,
what an expression is (its role) and what a call does (a hook kind, the role it returns).
`obs_ci.FileContext` is a `Resolver` that also walks the file.
"""

from __future__ import annotations

import ast

from obs_ci._model import HOOK_KINDS
from obs_ci._names import (
    CONVENTIONAL_METHODS,
    FUNCTIONS,
    INTERESTING_METHODS,
    METHODS,
    OBJECTS,
    ROUTE_METHODS,
    role_by_convention,
)

__all__ = ["NOTHING", "Resolver"]

#: The meaning of ordinary code: no hook kind, no role.
NOTHING: tuple[None, None] = (None, None)


class Resolver:
    """Names, roles and call meanings of one file, filled in as its walk goes."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.symbols: dict[str, str] = {}
        self._meanings: dict[int, tuple[str | None, str | None]] = {}
        self._convention: dict[str, str | None] = {}

    def qualname(self, expr: ast.AST) -> str | None:
        """The dotted name an expression refers to through the imports, if it does."""
        attrs: list[str] = []
        while expr.__class__ is ast.Attribute:
            attrs.append(expr.attr)
            expr = expr.value
        if expr.__class__ is not ast.Name:
            return None
        base = self.aliases.get(expr.id)
        if base is None or not attrs:
            return base
        attrs.append(base)
        return ".".join(reversed(attrs))

    def role(self, expr: ast.AST) -> str | None:
        """What an expression is: ``logger``, ``metric``, ``tracer``, ``span``, ``flask_app``.

        A chain (``a.b.c``, ``log.bind(x=1).info``) is resolved from its innermost link
        outwards in a loop, so a chain of any length costs no recursion.
        """
        spine: list[ast.AST] = []
        node = expr
        while True:
            cls = node.__class__
            if cls is ast.Attribute:
                spine.append(node)
                node = node.value  # type: ignore[attr-defined]
            elif cls is ast.Call and self._needs_receiver(node):  # type: ignore[arg-type]
                spine.append(node)
                node = node.func.value  # type: ignore[attr-defined]
            else:
                break
        role = self._leaf_role(node)
        qualified = self.aliases.get(node.id) if node.__class__ is ast.Name else None
        for link in reversed(spine):
            if link.__class__ is ast.Attribute:
                attr: str = link.attr
                qualified = None if qualified is None else f"{qualified}.{attr}"
                role = self._attribute_role(link, qualified, role)
            else:
                attr = link.func.attr  # type: ignore[attr-defined]
                qualified = None if qualified is None else f"{qualified}.{attr}"
                found = FUNCTIONS.get(qualified) if qualified is not None else None
                meaning = found if found is not None else _method_meaning(attr, role)
                self._meanings[id(link)] = meaning
                role, qualified = meaning[1], None
        return role

    def meaning(self, call: ast.Call) -> tuple[str | None, str | None]:
        """``(hook kind, role returned)`` of a call; ``(None, None)`` for ordinary code."""
        key = id(call)
        cached = self._meanings.get(key)
        if cached is None:
            if self._needs_receiver(call):
                self.role(call)  # resolves the chain and caches the meaning of its calls
                return self._meanings[key]
            cached = self._meanings[key] = self._plain_meaning(call)
        return cached

    def hook_kind(self, call: ast.Call) -> str | None:
        """``logging``, ``metrics``, ``tracing`` when the call is an observability hook."""
        kind = self.meaning(call)[0]
        return kind if kind in HOOK_KINDS else None

    def is_route(self, function: ast.AST) -> bool:
        """Whether a function is a Flask view: decorated with ``@app.route``/``@bp.get``..."""
        return self.route_owner(function) is not None

    def route_owner(self, function: ast.AST) -> ast.expr | None:
        """The app or blueprint a Flask view is declared on (``bp`` in ``@bp.get("/")``).

        ``.route(...)`` always declares a route; ``.get/.post/...`` do when the object is a
        Flask app or blueprint, or when the first argument is a URL rule (``"/orders"``).
        """
        for decorator in getattr(function, "decorator_list", ()):
            if decorator.__class__ is not ast.Call:
                continue
            target = decorator.func
            if not isinstance(target, ast.Attribute) or target.attr not in ROUTE_METHODS:
                continue
            if (
                target.attr == "route"
                or self.role(target.value) in ("flask_app", "blueprint")
                or _is_url_rule(decorator.args[0] if decorator.args else None)
            ):
                return target.value
        return None

    def _needs_receiver(self, call: ast.Call) -> bool:
        """Whether a call's meaning depends on the role of its receiver (not yet known)."""
        func = call.func
        return (
            func.__class__ is ast.Attribute
            and func.attr in INTERESTING_METHODS
            and id(call) not in self._meanings
        )

    def _plain_meaning(self, call: ast.Call) -> tuple[str | None, str | None]:
        """The meaning of a call that does not depend on its receiver's role."""
        func = call.func
        if func.__class__ is ast.Name:
            qualified = self.aliases.get(func.id)
            return NOTHING if qualified is None else FUNCTIONS.get(qualified, NOTHING)
        qualified = self.qualname(func)
        return NOTHING if qualified is None else FUNCTIONS.get(qualified, NOTHING)

    def _leaf_role(self, node: ast.AST) -> str | None:
        """The role of the innermost link of a chain: a name, or a call already resolved."""
        cls = node.__class__
        if cls is ast.Name:
            ident: str = node.id  # type: ignore[attr-defined]
            found = self.symbols.get(ident)
            if found is not None:
                return found
            qualified = self.aliases.get(ident)
            if qualified is not None and qualified in OBJECTS:
                return OBJECTS[qualified]
            return self._by_convention(ident)
        if cls is ast.Call:
            return self.meaning(node)[1]  # type: ignore[arg-type]
        return None

    def _attribute_role(self, node: ast.AST, qualified: str | None, base: str | None) -> str | None:
        """The role of ``value.attr`` given the qualified name and the role of ``value``."""
        attr: str = node.attr  # type: ignore[attr-defined]
        value: ast.AST = node.value  # type: ignore[attr-defined]
        if value.__class__ is ast.Name and value.id in ("self", "cls"):
            found = self.symbols.get(f"self.{attr}")
            if found is not None:
                return found
        if qualified is not None and qualified in OBJECTS:
            return OBJECTS[qualified]
        if base is not None:
            meaning = METHODS[base].get(attr)
            if meaning is not None and meaning[1] is not None:
                return meaning[1]
        return self._by_convention(attr)

    def _by_convention(self, identifier: str) -> str | None:
        try:
            return self._convention[identifier]
        except KeyError:
            role = self._convention[identifier] = role_by_convention(identifier)
            return role


def _method_meaning(attr: str, role: str | None) -> tuple[str | None, str | None]:
    """The meaning of calling method `attr` on an object of role `role` (None: unknown)."""
    if role is not None:
        found = METHODS[role].get(attr)
        if found is not None:
            return found
    if attr == "exception":
        return ("logging", None)
    return CONVENTIONAL_METHODS.get(attr, NOTHING) if role is None else NOTHING


def _is_url_rule(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value[:1] == "/"
