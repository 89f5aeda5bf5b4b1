"""The errors obs-ci raises on purpose; all derive from `obs_core.ObsError`.

The CLI turns any of them into one line on stderr and exit code 2; an application that
drives obs-ci catches `obs_core.ObsError` (or one of these) the same way.
"""

from __future__ import annotations

from obs_core import ConfigError as CoreConfigError
from obs_core import ObsError

__all__ = ["ConfigError", "DiffError", "GitError", "InputError", "NotSource", "RuleLoadError"]


class ConfigError(CoreConfigError):
    """A ``[tool.obs-ci]`` setting or rule selection obs-ci cannot use; the message names it.

    It is obs-core's `ConfigError` (also a `ValueError`) with obs-ci's own wording.
    """

    def __init__(self, message: str) -> None:
        ObsError.__init__(self, message)  # obs-ci words its messages itself
        self.setting = "[tool.obs-ci]"
        self.value = None
        self.accepted = ""


class RuleLoadError(ObsError):
    """A plugin's rules cannot be used: bad code, duplicate code, or the hook raised."""


class InputError(ObsError):
    """The change cannot be read from what was given; the message says why."""


class GitError(ObsError):
    """The change cannot be determined; the message says how to fix it."""


class DiffError(ObsError, ValueError):
    """The text is not a unified diff obs-ci can follow; the message says where."""


class NotSource(ObsError):
    """The path exists but is not something obs-ci reads as source; the message says why."""
