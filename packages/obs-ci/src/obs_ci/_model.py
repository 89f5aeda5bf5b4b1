"""What rules produce and the engine reads: `Finding`, `InternalError`, rule codes, hook kinds.

The bottom of obs-ci: it imports nothing of obs-ci, so every other module may use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "CODE_PATTERN",
    "HOOK_KINDS",
    "Finding",
    "InternalError",
    "RuleLike",
    "raised_at",
]

#: The shape every rule code must have, e.g. ``OBS101`` or ``ACME7``.
CODE_PATTERN = re.compile(r"[A-Z]{1,4}[0-9]{1,4}")

#: The three kinds of observability hook obs-ci recognises in code.
HOOK_KINDS = ("logging", "metrics", "tracing")


class RuleLike(Protocol):
    """What the walk reads of a rule (an `obs_ci.Rule`): its code and its name."""

    @property
    def code(self) -> str:
        """The rule's code, e.g. ``OBS101``."""

    @property
    def name(self) -> str:
        """The rule's name, e.g. ``unobserved-route``."""


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


def raised_at(exc: BaseException) -> str:
    """Where `exc` was raised (its innermost frame), as " at FILE:LINE"; "" when unknown."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return "" if tb is None else f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
