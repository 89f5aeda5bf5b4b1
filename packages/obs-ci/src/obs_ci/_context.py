"""`FileContext`: one file's shared AST pass, with name resolution and hook recognition.

The walk visits every node once in source order, keeps the import aliases and the roles
of assigned names (``log = logging.getLogger()`` makes ``log`` a logger), records which
hook kinds each function and ``except`` handler contains, and dispatches to every rule's
``visit_*``/``leave_*`` methods. A rule that raises is dropped for the rest of the file
and reported as an internal error; the other rules carry on.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from obs_ci._children import CHILDREN
from obs_ci._model import HOOK_KINDS, Finding, InternalError, RuleLike
from obs_ci._names import (
    CONVENTIONAL_METHODS,
    FUNCTIONS,
    INTERESTING_METHODS,
    METHODS,
    OBJECTS,
    REQUEST_HOOKS,
    ROUTE_METHODS,
    role_by_convention,
)

__all__ = ["FileContext", "Handlers", "Repository", "Scope"]

Handler = Callable[[Any, "FileContext"], None]
Handlers = dict[type, list[tuple[RuleLike, Handler]]]
_NOTHING: tuple[None, None] = (None, None)
_SCOPE_TYPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)


class _Leave:
    __slots__ = ("node",)

    def __init__(self, node: ast.AST) -> None:
        self.node = node


class Scope:
    """A module, class, function, lambda or ``except`` handler being walked."""

    __slots__ = ("hooks", "instruments", "is_function", "node", "parent", "raises")

    def __init__(self, node: ast.AST, parent: Scope | None, is_function: bool) -> None:
        self.node = node
        self.parent = parent
        self.is_function = is_function
        self.hooks: set[str] = set()
        self.raises = False
        #: Whether the scope instruments an app (``FlaskInstrumentor().instrument_app``...).
        self.instruments = False


class Repository(Protocol):
    """What a file's walk may ask of the repository around it (obs-ci's `Project`)."""

    def function_module(self, importer: str, qualified: str) -> tuple[FileContext, str] | None:
        """The module defining `qualified` as `importer` imports it, and the name inside it."""

    @property
    def instrumented_in(self) -> str | None:
        """The first service module that instruments a web app, or None."""


class FileContext:
    """What rules see of one file: its tree, changed lines, names, scopes and findings."""

    def __init__(
        self,
        path: str,
        source: str,
        tree: ast.Module,
        changed: Sequence[int] | None,
        plugins: dict[str, str] | None = None,
        project: Repository | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        #: Sorted changed line numbers; None when the whole file counts as changed.
        self.changed = changed
        self.aliases: dict[str, str] = {}
        self.symbols: dict[str, str] = {}
        self.scope: Scope | None = None
        #: Hook kinds of calls on changed lines (for the strict gate).
        self.changed_hooks: set[str] = set()
        #: True once the file instruments a web app: obs-flask, OpenTelemetry's Flask or
        #: WSGI instrumentation, prometheus_flask_exporter, or request hooks with hooks.
        self.instrumented = False
        #: Functions and methods (``Class.method``) by name, with what their scope holds.
        self.functions: dict[str, Scope] = {}
        #: What the file hands to the app to run around requests: functions registered with
        #: ``app.before_request(fn)``... and WSGI middleware (``app.wsgi_app = M(...)``).
        #: Each with the function it is registered in (None at module level).
        self.observers: list[tuple[ast.expr, Scope | None]] = []
        self.findings: list[Finding] = []
        self.errors: list[InternalError] = []
        #: The repository, for what this file cannot show; None when checking text alone.
        self.project = project
        self._plugins = plugins or {}
        self._meanings: dict[int, tuple[str | None, str | None]] = {}
        self._managed: set[int] = set()
        self._convention: dict[str, str | None] = {}

    # -- what rules ask ---------------------------------------------------------------

    @property
    def function(self) -> ast.AST | None:
        """The innermost enclosing function or lambda node, if any."""
        scope = self.scope
        while scope is not None:
            if scope.is_function:
                return scope.node
            scope = scope.parent
        return None

    def touched(self, node: ast.AST) -> bool:
        """Whether the change touched any line of this node (decorators included)."""
        changed = self.changed
        if changed is None:
            return True
        start: int = getattr(node, "lineno", 1)
        for decorator in getattr(node, "decorator_list", ()):
            start = min(start, decorator.lineno)
        end: int = getattr(node, "end_lineno", None) or start
        index = bisect.bisect_left(changed, start)
        return index < len(changed) and changed[index] <= end

    def report(self, rule: RuleLike, node: ast.AST, message: str) -> None:
        """Record a finding at `node` if the change touched it."""
        if not self.touched(node):
            return
        line: int = getattr(node, "lineno", 1)
        column: int = getattr(node, "col_offset", 0) + 1
        self.findings.append(
            Finding(
                path=self.path,
                line=line,
                column=column,
                code=rule.code,
                message=message,
                end_line=getattr(node, "end_lineno", None) or line,
                end_column=(getattr(node, "end_col_offset", None) or column - 1) + 1,
                rule=rule.name,
                plugin=self._plugins.get(rule.code, ""),
            )
        )

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

    def is_managed(self, call: ast.Call) -> bool:
        """Whether the call is the context expression of a ``with`` statement."""
        return id(call) in self._managed

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

    # -- the walk ---------------------------------------------------------------------

    def walk(self, visit: Handlers, leave: Handlers) -> None:
        """Visit every node once, dispatching to the engine and then to the rules."""
        self._visit = visit
        self._leave_handlers = leave
        stack: list[Any] = [self.tree]
        pop, push, extend = stack.pop, stack.append, stack.extend
        children, engine = CHILDREN, _ENGINE
        while stack:
            node = pop()
            if node is None:
                continue
            cls = node.__class__
            if cls is _Leave:
                self._leave(node.node)
                continue
            pre = engine.get(cls)
            if pre is not None:
                pre(self, node)
                if cls in _SCOPE_TYPES or cls is ast.ExceptHandler:
                    push(_Leave(node))
            handlers = self._visit.get(cls)
            if handlers is not None:
                self._dispatch(handlers, node)
            for name in children[cls]:
                value = getattr(node, name)
                if value.__class__ is list:
                    extend(reversed(value))
                elif value is not None:
                    push(value)

    def fail(self, rule: RuleLike, exc: BaseException) -> None:
        """Drop a rule for the rest of this file and record the internal error."""
        where = ""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        self.errors.append(
            InternalError(
                self.path, rule.code, f"rule {rule.code} raised {type(exc).__name__}: {exc}{where}"
            )
        )
        self._visit = _without(self._visit, rule)
        self._leave_handlers = _without(self._leave_handlers, rule)

    def _dispatch(self, handlers: list[tuple[RuleLike, Handler]], node: ast.AST) -> None:
        """Call each rule's handler on `node`; a rule that raises is failed, not fatal."""
        for rule, handler in handlers:
            try:
                handler(node, self)
            except Exception as exc:
                self.fail(rule, exc)

    def _leave(self, node: ast.AST) -> None:
        handlers = self._leave_handlers.get(node.__class__)
        if handlers is not None:
            self._dispatch(handlers, node)
        scope = self.scope
        if scope is not None:
            if node.__class__ in _DEF_TYPES:
                self._defined(node, scope)
            self.scope = scope.parent

    def _defined(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        self.functions[node.name] = scope
        parent = scope.parent
        if parent is not None and parent.node.__class__ is ast.ClassDef:
            self.functions[f"{parent.node.name}.{node.name}"] = scope
        if scope.hooks:
            for decorator in node.decorator_list:
                if decorator.__class__ is ast.Attribute and decorator.attr in REQUEST_HOOKS:
                    self.instrumented = True
                    self._instruments(parent)

    def _function_scope(self) -> Scope | None:
        scope = self.scope
        while scope is not None and not scope.is_function:
            scope = scope.parent
        return scope

    def _instruments(self, scope: Scope | None) -> None:
        """Mark the scopes up to the enclosing function as instrumenting an app."""
        while scope is not None:
            scope.instruments = True
            if scope.is_function:
                break
            scope = scope.parent

    # -- the engine's own bookkeeping ---------------------------------------------------

    def _enter_scope(self, node: ast.AST) -> None:
        self.scope = Scope(node, self.scope, isinstance(node, _FUNCTION_TYPES))
        for decorator in getattr(node, "decorator_list", ()):
            if decorator.__class__ is not ast.Call:  # calls are visited as any call
                qualified = self.qualname(decorator)
                kind = FUNCTIONS.get(qualified, _NOTHING)[0] if qualified else None
                if kind in HOOK_KINDS:
                    self._record(kind, decorator)

    def _on_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.partition(".")[0]
                self.aliases[root] = root

    def _on_import_from(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        dot = "." if node.module else ""  # `from . import x` is `.x`, `from .. import x` `..x`
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{module}{dot}{alias.name}"

    def _on_assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        value = node.value
        if value is None:
            return
        if value.__class__ is ast.Call and isinstance(node, ast.Assign):
            for target in node.targets:
                if target.__class__ is ast.Attribute and target.attr == "wsgi_app":
                    self.observers.append((value.func, self._function_scope()))
        role = self.role(value) if value.__class__ is ast.Call else None
        if role is None and value.__class__ in (ast.Name, ast.Attribute):
            role = self.role(value)
        if role is None:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            self._bind(target, role)

    def _bind(self, target: ast.AST, role: str) -> None:
        if isinstance(target, ast.Name):
            self.symbols[target.id] = role
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in ("self", "cls")
        ):
            self.symbols[f"self.{target.attr}"] = role

    def _on_with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            expr = item.context_expr
            self._managed.add(id(expr))
            if item.optional_vars is not None and expr.__class__ is ast.Call:
                role = self.role(expr)
                if role is not None:
                    self._bind(item.optional_vars, role)

    def _on_call(self, node: ast.Call) -> None:
        func = node.func
        if (func.attr if func.__class__ is ast.Attribute else getattr(func, "id", "")) == "abort":
            self._on_raise(node)  # Flask's abort(404) raises an HTTP error: not swallowing
        if func.__class__ is ast.Attribute and func.attr in REQUEST_HOOKS and node.args:
            self.observers.append((node.args[0], self._function_scope()))
        kind = self.meaning(node)[0]
        if kind is None:
            return
        if kind == "instrumentation":
            self.instrumented = True
            self._instruments(self.scope)
            return
        self._record(kind, node)

    def _record(self, kind: str, node: ast.AST) -> None:
        scope = self.scope
        while scope is not None:
            scope.hooks.add(kind)
            if scope.is_function:
                break
            scope = scope.parent
        if self.changed is None or self.touched(node):
            self.changed_hooks.add(kind)

    def _on_raise(self, node: ast.Raise | ast.Call) -> None:
        scope = self.scope
        while scope is not None and not scope.is_function:
            scope.raises = True
            scope = scope.parent

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
            return _NOTHING if qualified is None else FUNCTIONS.get(qualified, _NOTHING)
        qualified = self.qualname(func)
        return _NOTHING if qualified is None else FUNCTIONS.get(qualified, _NOTHING)

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
    return CONVENTIONAL_METHODS.get(attr, _NOTHING) if role is None else _NOTHING


def _is_url_rule(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value[:1] == "/"


def _without(handlers: Handlers, rule: RuleLike) -> Handlers:
    return {cls: [pair for pair in pairs if pair[0] is not rule] for cls, pairs in handlers.items()}


_ENGINE: dict[type, Callable[[FileContext, Any], None]] = {
    ast.Module: FileContext._enter_scope,
    ast.FunctionDef: FileContext._enter_scope,
    ast.AsyncFunctionDef: FileContext._enter_scope,
    ast.ClassDef: FileContext._enter_scope,
    ast.Lambda: FileContext._enter_scope,
    ast.ExceptHandler: FileContext._enter_scope,
    ast.Import: FileContext._on_import,
    ast.ImportFrom: FileContext._on_import_from,
    ast.Assign: FileContext._on_assign,
    ast.AnnAssign: FileContext._on_assign,
    ast.With: FileContext._on_with,
    ast.AsyncWith: FileContext._on_with,
    ast.Call: FileContext._on_call,
    ast.Raise: FileContext._on_raise,
}
