"""obs-ci: not built yet; see the project's open issue for obs-ci."""

from __future__ import annotations

__all__: list[str] = []
