"""Built-in rules about the gate itself: unparsable files, strict hooks, Flask routes."""

from __future__ import annotations

import ast

from obs_ci._calls import delegates_to_hooks, instruments_app
from obs_ci._context import FileContext
from obs_ci._rule import Rule

__all__ = ["MissingHooks", "ParseError", "UnobservedRoute"]


class ParseError(Rule):
    """Reported by the engine for a changed file it cannot read as Python."""

    code = "OBS001"
    name = "parse-error"
    summary = (
        "A changed Python file cannot be checked (syntax error, not UTF-8, binary, too large, "
        "not a regular file)."
    )
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
        "span is invisible. A handler that calls a project function with hooks (followed "
        "three calls deep) is observed. Instrumenting the app covers every route: obs-flask "
        "(`Observability(app)`, `init_app`, `MetricsMiddleware`, `init_tracing`), "
        "OpenTelemetry (`FlaskInstrumentor().instrument_app(app)`, `.instrument()`, "
        "`OpenTelemetryMiddleware`), prometheus_flask_exporter (`PrometheusMetrics(app)`, "
        "`init_app`), request hooks (`@app.before_request`/`after_request`) or WSGI "
        "middleware with hooks, or a project function that does one of these with the app "
        "it is given. The rule is then silent: in the module that creates the app, and for "
        "blueprints and imported apps when any service module of the repository "
        "instruments an app."
    )
    example = (
        "@app.route('/orders/<int:order_id>')\n"
        "def get_order(order_id):          # OBS101: no hook in the handler\n"
        "    return jsonify(load(order_id))"
    )

    def begin_file(self, ctx: FileContext) -> None:
        #: Unobserved routes, each with whether it is on an app this module creates.
        self._pending: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]] = []

    def leave_FunctionDef(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext
    ) -> None:
        scope = ctx.scope
        if scope is None or scope.hooks:
            return
        owner = ctx.route_owner(node)
        if owner is not None:
            self._pending.append((node, ctx.role(owner) == "flask_app"))

    leave_AsyncFunctionDef = leave_FunctionDef

    def end_file(self, ctx: FileContext) -> None:
        pending = [(node, own) for node, own in self._pending if ctx.touched(node)]
        if not pending or instruments_app(ctx):
            return
        for node, own_app in pending:
            if delegates_to_hooks(ctx, node):
                continue
            # a blueprint's or an imported app's routes: covered if the repository
            # instruments an app (asked only now, once per run)
            if not own_app and ctx.project and ctx.project.instrumented_in:
                continue
            ctx.report(
                self,
                node,
                f"route handler `{node.name}` has no logging, metrics or tracing; add a hook "
                "or instrument the app with obs_flask.Observability(app)",
            )
