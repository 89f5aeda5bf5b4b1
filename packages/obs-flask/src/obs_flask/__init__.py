"""obs-flask: not built yet; see the project's open issue for obs-flask."""

from __future__ import annotations

__all__: list[str] = []
