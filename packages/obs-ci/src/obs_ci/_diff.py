"""Changed files and lines from a unified diff (git's or any other tool's)."""

from __future__ import annotations

import ast
import re

__all__ = ["parse_unified_diff"]

_BINARY = re.compile(r"^Binary files .* and (.+) differ$")
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths (``"caf\\303\\251.py"``)."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = ast.literal_eval("b" + path)
        return str(raw.decode("utf-8", errors="surrogateescape"))
    return path


def _new_path(line: str) -> str | None:
    target = line[4:].rstrip("\n")
    if "\t" in target and not target.startswith('"'):
        target = target.split("\t", 1)[0]
    target = _unquote(target)
    if target == "/dev/null":
        return None
    return target[2:] if target.startswith("b/") else target


def parse_unified_diff(text: str) -> dict[str, list[int]]:
    """Map each added or modified file to its sorted changed lines (new-file numbering).

    Deleted files are left out; a hunk that only deletes marks the line it deleted after,
    so the function around it counts as touched.
    """
    changes: dict[str, set[int]] = {}
    current: set[int] | None = None
    line_no = start = end = 0
    for line in text.splitlines():
        if line.startswith("+++ "):
            path = _new_path(line)
            current = None if path is None else changes.setdefault(path, set())
            continue
        if line.startswith("--- ") or line.startswith("diff "):
            continue
        binary = _BINARY.match(line)
        if binary:
            path = _new_path("+++ " + binary.group(1))
            if path is not None:
                changes.setdefault(path, set()).add(1)
            current = None
            continue
        match = _HUNK.match(line)
        if match:
            start = line_no = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            end = start + count
            continue
        if current is None or not line:
            continue
        marker = line[0]
        if marker == "+":
            current.add(line_no)
            line_no += 1
        elif marker == " ":
            line_no += 1
        elif marker == "-":
            if end == start:  # a hunk that only deletes, after line `start`
                current.add(max(start, 1))
            else:
                current.add(line_no if line_no < end else line_no - 1)
    return {path: sorted(lines) for path, lines in changes.items()}
