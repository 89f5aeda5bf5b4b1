"""The public rule contract: `Rule`, the class every obs-ci rule subclasses."""

from __future__ import annotations

from typing import ClassVar

from obs_ci._context import FileContext

__all__ = ["Rule"]


class Rule:
    """An obs-ci rule; subclass it and return instances from the `obs_ci_rules` hook.

    Class attributes describe the rule (``obs-ci rules`` and ``obs-ci rule CODE`` show them).
    Behaviour comes from optional methods, all called during one shared AST pass per file:

    - ``visit_<NodeType>(self, node, ctx)`` when the walk enters a node of that type
      (``visit_Call``, ``visit_FunctionDef``, ``visit_ExceptHandler`` ...);
    - ``leave_<NodeType>(self, node, ctx)`` after its children, for ``Module``,
      ``FunctionDef``, ``AsyncFunctionDef``, ``ClassDef``, ``Lambda`` and ``ExceptHandler``;
    - ``begin_file(self, ctx)`` / ``end_file(self, ctx)`` around each file.

    ``ctx`` is an `obs_ci.FileContext`: it resolves names (``ctx.qualname``), classifies
    calls as hooks (``ctx.hook_kind``), knows the enclosing scopes and reports findings
    (``ctx.report(self, node, message)``). Operator and load/store context nodes are not
    visited on their own. Instances are shared across files: keep per-file state in
    ``begin_file``.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    rationale: ClassVar[str] = ""
    example: ClassVar[str] = ""

    def begin_file(self, ctx: FileContext) -> None:
        """Called before the walk of each file (reset per-file state here)."""

    def end_file(self, ctx: FileContext) -> None:
        """Called after the walk of each file (report what only the whole file shows)."""
