"""The `obs-ci` console script (filled by the obs-ci work)."""

from __future__ import annotations

import sys


def main() -> None:
    """Not built yet."""
    sys.exit("obs-ci is not built yet")
