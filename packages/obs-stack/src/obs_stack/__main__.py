"""``python -m obs_stack``: the `obs-stack` command."""

from __future__ import annotations

from obs_stack.cli import main

main()
