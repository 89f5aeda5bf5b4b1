"""Built-in rules about the gate itself: unparsable files, strict hooks, Flask routes."""

from __future__ import annotations

import ast

from obs_ci._context import FileContext
from obs_ci._model import Rule

__all__ = ["MissingHooks", "ParseError", "UnobservedRoute"]


class ParseError(Rule):
    """Reported by the engine for a changed file it cannot read as Python."""

    code = "OBS001"
    name = "parse-error"
    summary = "A changed Python file does not parse (syntax error, not UTF-8, binary)."
    rationale = (
        "A file obs-ci cannot parse cannot be checked; failing loudly beats passing a change "
        "nobody analysed."
    )
    example = "def handler(:\n    pass"


class MissingHooks(Rule):
    """Reported by the engine under ``--strict`` when a kind of hook is missing."""

    code = "OBS002"
    name = "missing-hook-kinds"
    summary = "Strict mode: the changed service code lacks metrics, tracing or logging."
    rationale = (
        "Teams that require all three pillars on every change turn on strict mode; comments, "
        "strings, docs and tests never count as hooks, and obs-flask's automatic route "
        "instrumentation does not either: only business hooks in the change do."
    )
    example = (
        "# a change adding only this fails strict mode: logging, but no metrics or tracing\n"
        "log.info('order placed', order_id=order.id)"
    )


class UnobservedRoute(Rule):
    """A new or changed Flask view with no hook, in a module that obs-flask does not cover."""

    code = "OBS101"
    name = "unobserved-route"
    summary = "A new or changed Flask route handler has no logging, metrics or tracing."
    rationale = (
        "Request handlers are where incidents show up; a handler with no log line, metric or "
        "span is invisible. Instrumenting the app with obs-flask (`Observability(app)`, "
        "`Observability().init_app(app)`, or the legacy `MetricsMiddleware(app)` / "
        "`init_tracing(app, ...)`) in the same module covers every route with RED metrics, "
        "server spans and access logs, so the rule is then silent."
    )
    example = (
        "@app.route('/orders/<int:order_id>')\n"
        "def get_order(order_id):          # OBS101: no hook in the handler\n"
        "    return jsonify(load(order_id))"
    )

    def begin_file(self, ctx: FileContext) -> None:
        self._pending: list[ast.FunctionDef | ast.AsyncFunctionDef] = []

    def leave_FunctionDef(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext
    ) -> None:
        scope = ctx.scope
        if scope is not None and not scope.hooks and ctx.is_route(node):
            self._pending.append(node)

    leave_AsyncFunctionDef = leave_FunctionDef

    def end_file(self, ctx: FileContext) -> None:
        if ctx.instrumented:
            return
        for node in self._pending:
            ctx.report(
                self,
                node,
                f"route handler `{node.name}` has no logging, metrics or tracing; add a hook "
                "or instrument the app with obs_flask.Observability(app)",
            )
