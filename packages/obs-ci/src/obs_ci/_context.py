"""`FileContext`: one file's shared AST pass, with name resolution and hook recognition.

The walk visits every node once in source order, keeps (through its `Resolver`, in
``_resolve``) the import aliases and the roles of assigned names (``log =
logging.getLogger()`` makes ``log`` a logger), records which hook kinds each function
and ``except`` handler contains, and dispatches to every rule's ``visit_*``/``leave_*``
methods. A rule that raises is dropped for the rest of the file and reported as an
internal error; the other rules carry on.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from obs_ci._children import CHILDREN
from obs_ci._model import HOOK_KINDS, Finding, InternalError, RuleLike, raised_at
from obs_ci._names import FUNCTIONS, REQUEST_HOOKS
from obs_ci._resolve import NOTHING, Resolver

__all__ = ["FileContext", "Handlers", "Repository", "Scope"]

Handler = Callable[[Any, "FileContext"], None]
Handlers = dict[type, list[tuple[RuleLike, Handler]]]
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


class FileContext(Resolver):
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
        super().__init__()
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
        self._managed: set[int] = set()

    # -- what rules ask ---------------------------------------------------------------

    @property
    def function(self) -> ast.AST | None:
        """The innermost enclosing function or lambda node, if any."""
        scope = self._function_scope()
        return None if scope is None else scope.node

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

    def is_managed(self, call: ast.Call) -> bool:
        """Whether the call is the context expression of a ``with`` statement."""
        return id(call) in self._managed

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
        message = f"rule {rule.code} raised {type(exc).__name__}: {exc}{raised_at(exc)}"
        self.errors.append(InternalError(self.path, rule.code, message))
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
                kind = FUNCTIONS.get(qualified, NOTHING)[0] if qualified else None
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
