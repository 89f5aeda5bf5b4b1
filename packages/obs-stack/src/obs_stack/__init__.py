"""obs-stack: not built yet; see the project's open issue for obs-stack."""

from __future__ import annotations

__all__: list[str] = []
