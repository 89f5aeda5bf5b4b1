"""The exceptions obs raises; users catch `ObsError`."""

from __future__ import annotations

__all__ = ["ConfigError", "ObsError", "PluginError"]


class ObsError(Exception):
    """Base class of every error obs raises on purpose."""


class ConfigError(ObsError, ValueError):
    """A setting has a value obs cannot use; the message names the setting and the fix."""

    def __init__(self, setting: str, value: object, accepted: str) -> None:
        self.setting = setting
        self.value = value
        self.accepted = accepted
        super().__init__(f"invalid {setting}={value!r}: expected {accepted}")


class PluginError(ObsError):
    """A plugin failed to import, register or validate against the hook specs."""
