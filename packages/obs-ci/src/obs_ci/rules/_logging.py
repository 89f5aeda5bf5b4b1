"""Built-in rules about logs and errors: eager log formatting, print, swallowed exceptions."""

from __future__ import annotations

import ast

from obs_ci._context import FileContext
from obs_ci._rule import Rule

__all__ = ["LoggerFormat", "PrintCall", "SwallowedException"]

_BROAD = frozenset({"Exception", "BaseException"})


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _concatenates_text(node: ast.BinOp) -> bool:
    """Whether ``a + b + ...`` adds text anywhere along its left spine (walked in a loop)."""
    current: ast.expr = node
    while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
        if _is_text(current.left) or _is_text(current.right):
            return True
        current = current.left
    return False


def _eager_format(node: ast.AST) -> str | None:
    """How a log message is formatted before the logger sees it, if it is."""
    if isinstance(node, ast.JoinedStr):
        if any(isinstance(part, ast.FormattedValue) for part in node.values):
            return "an f-string"
        return None
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod) and _is_text(node.left):
            return "%-formatting"
        if _concatenates_text(node):
            return "concatenation"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and _is_text(node.func.value)
    ):
        return "str.format()"
    return None


class LoggerFormat(Rule):
    """A log call whose message is built eagerly instead of passing fields."""

    code = "OBS201"
    name = "log-message-formatting"
    summary = "A logger call's message is an f-string, %-formatted or concatenated."
    rationale = (
        "A message built before the call is formatted even when the level is off, breaks "
        "grouping of identical events, and buries fields in text; pass a constant message "
        "and the values as keyword arguments (structlog/obs) or `extra=` (stdlib)."
    )
    example = (
        "log.info(f'order {order_id} paid')        # OBS201\n"
        "log.info('order paid', order_id=order_id) # fine"
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        if ctx.hook_kind(node) != "logging" or not node.args:
            return
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else ""
        index = 1 if attr == "log" else 0
        if len(node.args) <= index:
            return
        how = _eager_format(node.args[index])
        if how is not None:
            ctx.report(
                self,
                node,
                f"log message built with {how}; use a constant message and pass values as "
                "fields (keyword arguments or extra=)",
            )


class PrintCall(Rule):
    """``print()`` in service code."""

    code = "OBS202"
    name = "print-call"
    summary = "`print()` in service code."
    rationale = (
        "print writes unstructured text with no level, logger name or trace id, and is lost "
        "or interleaved under gunicorn; use a logger."
    )
    example = "print('payment failed', order_id)   # OBS202: use log.error(...)"

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print" and "print" not in ctx.aliases:
            ctx.report(self, node, "print() in service code; use a logger")


def _is_broad(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(name, ast.Name) and name.id in _BROAD for name in names)


def _does_nothing(body: list[ast.stmt]) -> bool:
    return all(
        isinstance(stmt, ast.Pass | ast.Continue | ast.Break)
        or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        for stmt in body
    )


class SwallowedException(Rule):
    """An exception caught and dropped without a trace."""

    code = "OBS301"
    name = "swallowed-exception"
    summary = "An exception is swallowed: the handler neither logs, re-raises nor records it."
    rationale = (
        "A swallowed exception hides the failure from logs, traces and alerts. Flagged: a "
        "handler whose body does nothing (`pass`, `...`, `continue`), and a bare/`Exception`/"
        "`BaseException` handler that neither logs, re-raises nor records it on a span. "
        "A narrow handler with real handling code is ordinary control flow."
    )
    example = (
        "try:\n    charge(order)\nexcept Exception:   # OBS301\n    return None\n\n"
        "try:\n    charge(order)\nexcept Exception:\n    log.exception('charge failed')\n"
        "    raise"
    )

    def leave_ExceptHandler(self, node: ast.ExceptHandler, ctx: FileContext) -> None:
        scope = ctx.scope
        if scope is None or scope.raises or "logging" in scope.hooks or "tracing" in scope.hooks:
            return
        if _does_nothing(node.body):
            ctx.report(self, node, "exception swallowed: the handler does nothing")
        elif _is_broad(node):
            ctx.report(
                self,
                node,
                "broad exception handler neither logs, re-raises nor records it on a span",
            )
