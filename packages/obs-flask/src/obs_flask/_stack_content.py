"""What obs-flask contributes to the stack: the HTTP dashboard and alert rules.

Filled by the obs-stack work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from obs_core import hookimpl


@hookimpl
def obs_alert_rule_groups(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """The HTTP alert rules (not built yet)."""
    return None


@hookimpl
def obs_dashboards(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """The HTTP dashboard (not built yet)."""
    return None
