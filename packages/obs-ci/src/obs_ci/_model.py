"""The public rule contract: `Rule`, `Finding`, and the hook kinds rules reason about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from obs_ci._context import FileContext

__all__ = [
    "CODE_PATTERN",
    "HOOK_KINDS",
    "Finding",
    "InternalError",
    "Rule",
]

#: The shape every rule code must have, e.g. ``OBS101`` or ``ACME7``.
CODE_PATTERN = re.compile(r"[A-Z]{1,4}[0-9]{1,4}")

#: The three kinds of observability hook obs-ci recognises in code.
HOOK_KINDS = ("logging", "metrics", "tracing")


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


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place; lines and columns are 1-based."""

    path: str
    line: int
    column: int
    code: str
    message: str
    end_line: int = 0
    end_column: int = 0
    rule: str = field(default="", compare=False)
    plugin: str = field(default="", compare=False)
    #: The class of the file (``service``; see ``obs-ci check --show-files``).
    file_class: str = field(default="", compare=False)


@dataclass(frozen=True)
class InternalError:
    """A rule (or obs-ci itself) failed on a file; the run ends with exit code 2."""

    path: str
    code: str
    message: str
