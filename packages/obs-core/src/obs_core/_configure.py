"""The config every pillar starts from: loaded, then adjusted by the plugins."""

from __future__ import annotations

from typing import Any

from obs_core._config import ObsConfig, load_config
from obs_core._hookcall import call_hook

__all__ = ["configure"]


def configure(**kwargs: Any) -> ObsConfig:
    """Load the config (kwargs > env > pyproject > defaults) and let plugins adjust it."""
    config = load_config(**kwargs)
    call_hook("obs_configure", config=config)
    config.validate()
    return config
