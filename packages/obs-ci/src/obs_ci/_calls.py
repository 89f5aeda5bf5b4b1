"""Following calls into the project's own functions, a bounded number of steps.

A route that calls ``place_order()`` (defined in the same module, or imported from the
repository) which logs is observed; an app handed to ``setup_telemetry(app)`` which calls
``FlaskInstrumentor().instrument_app(app)`` is instrumented. obs-ci follows at most
`MAX_DEPTH` calls deep and looks at most `MAX_LOOKUPS` functions per question.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from obs_ci._context import FileContext, Scope

__all__ = ["MAX_DEPTH", "delegates_to_hooks", "instruments_app"]

MAX_DEPTH = 3
MAX_LOOKUPS = 64

Want = Callable[["FileContext", "Scope"], bool]


def _has_hooks(ctx: FileContext, scope: Scope) -> bool:
    return bool(scope.hooks)


def _observes(ctx: FileContext, observer: ast.expr) -> bool:
    """Whether a registered request hook or middleware has hooks or instruments."""
    return any(s.hooks or s.instruments for _, s in _targets(ctx, observer))


def _instruments(ctx: FileContext, scope: Scope) -> bool:
    """Whether a function instruments an app: directly, or by registering request hooks
    or middleware with hooks on it."""
    return scope.instruments or any(
        where is scope and _observes(ctx, observer) for observer, where in ctx.observers
    )


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    for child in ast.walk(node):
        if child.__class__ is ast.Call:
            yield child


def _targets(ctx: FileContext, func: ast.expr) -> list[tuple[FileContext, Scope]]:
    """The functions a callee expression names: a local function or class (its methods),
    or one imported from the repository."""
    name: str | None = None
    qualified: str | None = None
    if isinstance(func, ast.Name):
        name = func.id
        qualified = ctx.aliases.get(func.id)
    elif isinstance(func, ast.Attribute):
        qualified = ctx.qualname(func)
        if qualified is None and isinstance(func.value, ast.Name):
            name = f"{func.value.id}.{func.attr}"
    if qualified is None and name is not None:
        return _named(ctx, name)
    if qualified is None or ctx.project is None:
        return []
    found = ctx.project.function_module(ctx.path, qualified)
    return [] if found is None else _named(found[0], found[1])


def _named(ctx: FileContext, name: str) -> list[tuple[FileContext, Scope]]:
    scope = ctx.functions.get(name)
    if scope is not None:
        return [(ctx, scope)]
    prefix = f"{name}."
    return [(ctx, s) for key, s in ctx.functions.items() if key.startswith(prefix)]


def _reaches(ctx: FileContext, calls: Iterator[ast.Call], want: Want, depth: int) -> bool:
    seen: set[int] = set()
    frontier = [(ctx, call) for call in calls]
    for _ in range(depth):
        following: list[tuple[FileContext, ast.Call]] = []
        for owner, call in frontier:
            for target_ctx, scope in _targets(owner, call.func):
                if id(scope) in seen or len(seen) >= MAX_LOOKUPS:
                    continue
                seen.add(id(scope))
                if want(target_ctx, scope):
                    return True
                following += [(target_ctx, c) for c in _calls(scope.node)]
        frontier = following
    return False


def delegates_to_hooks(ctx: FileContext, function: ast.AST) -> bool:
    """Whether a function calls a project function that has hooks (bounded depth)."""
    return _reaches(ctx, _calls(function), _has_hooks, MAX_DEPTH)


def instruments_app(ctx: FileContext) -> bool:
    """Whether the module instruments its app: itself, through request hooks or WSGI
    middleware with hooks, or by handing the app to a project function that does."""
    if ctx.instrumented:
        return True
    if any(_observes(ctx, observer) for observer, _ in ctx.observers):
        return True
    handed = (
        call
        for call in _calls(ctx.tree)
        if any(ctx.role(arg) == "flask_app" for arg in call.args)
        or any(ctx.role(kw.value) == "flask_app" for kw in call.keywords)
    )
    return _reaches(ctx, handed, _instruments, MAX_DEPTH)
