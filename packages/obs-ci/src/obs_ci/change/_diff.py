"""Changed files and lines from a unified diff (git's or any other tool's)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from obs_ci._errors import DiffError

__all__ = ["DiffError", "DiffLines", "is_diff", "parse_unified_diff"]

_BINARY = re.compile(r"^Binary files .* and (.+) differ$")
_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_OCTAL = re.compile(r"[0-3][0-7]{2}")


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths (``"caf\\303\\251.py"``).

    Anything but one quoted name (optionally followed by a tab and a timestamp) is a
    `DiffError`: a diff naming ``"b/app" "x.py"`` describes no file obs-ci can find.
    """
    if not path.startswith('"'):
        return path
    raw = bytearray()
    index = 1
    while index < len(path):
        char = path[index]
        if char == '"':
            rest = path[index + 1 :]
            if rest and not rest.startswith("\t"):
                raise DiffError(f"text after the closing quote of {path!r}")
            return raw.decode("utf-8", errors="surrogateescape")
        if char == "\\":
            escape = path[index + 1 : index + 2]
            if escape in _ESCAPES:
                raw.append(_ESCAPES[escape])
                index += 2
                continue
            digits = path[index + 1 : index + 4]
            if not _OCTAL.fullmatch(digits):
                raise DiffError(f"unknown escape \\{escape} in {path!r}")
            raw.append(int(digits, 8))
            index += 4
            continue
        raw += char.encode("utf-8", errors="surrogateescape")
        index += 1
    raise DiffError(f"no closing quote in {path!r}")


def _new_path(line: str) -> str | None:
    target = line[4:].rstrip("\n")
    if "\t" in target and not target.startswith('"'):
        target = target.split("\t", 1)[0]
    target = _unquote(target)
    if target == "/dev/null":
        return None
    return target[2:] if target.startswith("b/") else target


def is_diff(text: str) -> bool:
    """Whether `text` has a diff header: ``diff ...``, ``--- `` then ``+++ ``, or git's
    ``Binary files ... differ``. Empty text, or text with none, is not a diff."""
    previous = ""
    for line in text.splitlines():
        if line.startswith("diff ") or _BINARY.match(line):
            return True
        if line.startswith("+++ ") and previous.startswith("--- "):
            return True
        previous = line
    return False


def _header_path(line: str, number: int) -> str | None:
    try:
        return _new_path(line)
    except DiffError as exc:
        raise DiffError(f"line {number} of the diff has a malformed file name: {exc}") from None


@dataclass(frozen=True)
class DiffLines:
    """One file's lines in a diff, sorted, in new-file numbering.

    `added` are the lines the change added or rewrote; `touched` adds to them, for each
    deletion, the line next to it, so the function around a deleted line counts as touched.
    """

    added: list[int]
    touched: list[int]


class _Hunk:
    """Where the parser is inside one ``@@ -a,b +c,d @@`` hunk."""

    def __init__(self, match: re.Match[str]) -> None:
        self.old_left = int(match.group(1) or 1)
        self.start = self.line = int(match.group(2))
        self.new_left = int(match.group(3) or 1)
        self.end = self.start + self.new_left

    @property
    def open(self) -> bool:
        return self.old_left > 0 or self.new_left > 0

    def deleted_next_to(self) -> int:
        """The new-file line a deleted line sat next to."""
        if self.end == self.start:  # a hunk that only deletes, after line `start`
            return max(self.start, 1)
        return self.line if self.line < self.end else self.line - 1


def parse_unified_diff(text: str) -> dict[str, DiffLines]:
    """Map each added or modified file of a unified diff to its changed lines.

    Hunk lengths are followed, so an added line that itself starts with ``++ `` is content,
    not a header; a blank line inside a hunk is context whose space a tool stripped.
    Deleted files are left out. A malformed file name raises `DiffError` naming its line.
    """
    changes: dict[str, tuple[set[int], set[int]]] = {}
    current: tuple[set[int], set[int]] | None = None
    hunk: _Hunk | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if hunk is not None and hunk.open:
            marker = line[:1]
            if marker == "+":
                if current is not None:
                    current[0].add(hunk.line)
                hunk.line += 1
                hunk.new_left -= 1
            elif marker == "-":
                if current is not None:
                    current[1].add(hunk.deleted_next_to())
                hunk.old_left -= 1
            elif marker in (" ", ""):
                hunk.line += 1
                hunk.old_left -= 1
                hunk.new_left -= 1
            continue
        if line.startswith("+++ "):
            path = _header_path(line, number)
            current = None if path is None else changes.setdefault(path, (set(), set()))
            continue
        match = _HUNK.match(line)
        if match:
            hunk = _Hunk(match)
            continue
        binary = _BINARY.match(line)
        if binary:
            path = _header_path("+++ " + binary.group(1), number)
            if path is not None:
                changes.setdefault(path, (set(), set()))[0].add(1)
            current = None
    return {
        path: DiffLines(sorted(added), sorted(added | deleted))
        for path, (added, deleted) in changes.items()
    }
