"""Installed distributions' versions, read from their metadata only when asked."""

from __future__ import annotations

from importlib import metadata

__all__ = ["distribution_version"]


def distribution_version(dist: str, default: str | None = "0") -> str | None:
    """The installed version of `dist`, or `default` where it has no metadata (a source tree)."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return default
