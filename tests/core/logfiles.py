"""Reading what obs wrote to a log file, for the logging tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_lines(path: Path) -> list[dict[str, Any]]:
    """Each JSON line of the file at ``path``, parsed."""
    return [json.loads(line) for line in path.read_text().splitlines()]
