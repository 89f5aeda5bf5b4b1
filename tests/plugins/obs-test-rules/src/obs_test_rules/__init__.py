"""obs-ci test rules from a third-party distribution: one useful, one that breaks on purpose."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from obs_ci import FileContext, Rule
from obs_core import hookimpl

__all__ = ["ExplodingRule", "SleepInHandler", "obs_ci_rules"]


class SleepInHandler(Rule):
    """``time.sleep`` in service code blocks a worker."""

    code = "TST101"
    name = "sleep-call"
    summary = "`time.sleep()` blocks a worker thread."
    rationale = "A sleeping request handler holds a worker; use a timeout or a queue."
    example = "time.sleep(5)   # TST101"

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        if ctx.qualname(node.func) == "time.sleep":
            ctx.report(self, node, "time.sleep() blocks a worker")


class ExplodingRule(Rule):
    """Raises on any function named ``explode_here``: tests isolate rule failures."""

    code = "TST901"
    name = "explodes-on-purpose"
    summary = "Raises on functions named explode_here (a test of failure isolation)."

    def visit_FunctionDef(self, node: ast.FunctionDef, ctx: FileContext) -> None:
        if node.name == "explode_here":
            raise RuntimeError("obs-test-rules exploded on purpose")


@hookimpl
def obs_ci_rules() -> Sequence[Rule]:
    """The test distribution's rules."""
    return [SleepInHandler(), ExplodingRule()]
