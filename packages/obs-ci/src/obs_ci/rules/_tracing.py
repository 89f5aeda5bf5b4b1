"""Built-in tracing rule: spans started and never ended."""

from __future__ import annotations

import ast

from obs_ci._context import FileContext
from obs_ci._rule import Rule

__all__ = ["UnendedSpan"]


def _is_start_span(ctx: FileContext, node: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "start_span"
        and ctx.role(node.func.value) == "tracer"
    )


class UnendedSpan(Rule):
    """``tracer.start_span()`` outside ``with`` whose span is never ended."""

    code = "OBS501"
    name = "unended-span"
    summary = "A span is started with `start_span` outside `with` and never ended."
    rationale = (
        "A span that is never ended is never exported and leaks memory in the processor; "
        "use `with tracer.start_as_current_span(...)`, or call `span.end()` (in a finally)."
    )
    example = (
        "span = tracer.start_span('charge')      # OBS501: no span.end()\n"
        "charge(order)\n\n"
        "with tracer.start_as_current_span('charge'):\n    charge(order)"
    )

    def begin_file(self, ctx: FileContext) -> None:
        self._open: list[dict[str, ast.AST]] = [{}]

    def visit_FunctionDef(self, node: ast.AST, ctx: FileContext) -> None:
        self._open.append({})

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, node: ast.AST, ctx: FileContext) -> None:
        self._report(ctx, self._open.pop())

    leave_AsyncFunctionDef = leave_FunctionDef

    def end_file(self, ctx: FileContext) -> None:
        for scope in self._open:
            self._report(ctx, scope)

    def _report(self, ctx: FileContext, scope: dict[str, ast.AST]) -> None:
        for name, node in scope.items():
            ctx.report(self, node, f"span `{name}` is started with start_span and never ended")

    def visit_Expr(self, node: ast.Expr, ctx: FileContext) -> None:
        if _is_start_span(ctx, node.value):
            ctx.report(self, node, "span started with start_span and discarded: never ended")

    def visit_Assign(self, node: ast.Assign, ctx: FileContext) -> None:
        if _is_start_span(ctx, node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._open[-1][target.id] = node

    def _close(self, expr: ast.AST) -> None:
        if isinstance(expr, ast.Name):
            self._open[-1].pop(expr.id, None)

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "end":
            self._close(func.value)
        elif isinstance(func, ast.Attribute | ast.Name) and (
            getattr(func, "attr", None) == "use_span" or getattr(func, "id", None) == "use_span"
        ):
            for arg in node.args:
                self._close(arg)

    def visit_With(self, node: ast.With | ast.AsyncWith, ctx: FileContext) -> None:
        for item in node.items:
            self._close(item.context_expr)

    visit_AsyncWith = visit_With

    def visit_Return(self, node: ast.Return, ctx: FileContext) -> None:
        if node.value is not None:
            self._close(node.value)
