"""The `obs-stack` console script (filled by the obs-stack work)."""

from __future__ import annotations

import sys


def main() -> None:
    """Not built yet."""
    sys.exit("obs-stack is not built yet")
