"""obs-flask's HTTP settings: the /metrics endpoint, its auth, RED metrics and access logs.

Set like every obs setting, by keyword to `Observability`, ``app.config["OBS_<NAME>"]``,
the ``OBS_<NAME>`` environment variable or ``[tool.obs]`` (in that order of precedence),
read with obs-core's shared machinery (`obs_core.settings`), so errors read the same.
Light: importing it loads no pillar, so it can declare its keys to obs-core's pyproject
check (the ``obs.settings`` entry point).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from obs_core import ConfigError
from obs_core import settings as s

__all__ = ["DEFAULT_BUCKETS", "PARSERS", "HttpSettings", "load_http_settings"]

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

PARSERS: dict[str, s.Parser] = {
    "metrics_path": s.string,
    "metrics_bearer_token": s.string,
    "metrics_basic_auth": s.string,
    "http_exclude_paths": s.string_list,
    "http_duration_buckets": s.number_list,
    "http_access_log": s.boolean,
}


@dataclass(frozen=True)
class HttpSettings:
    """What obs-flask serves and records for each request."""

    metrics_path: str = "/metrics"
    metrics_bearer_token: str | None = field(default=None, repr=False)
    metrics_basic_auth: str | None = field(default=None, repr=False)
    http_exclude_paths: tuple[str, ...] = ("/metrics", "/health", "/healthz", "/livez", "/readyz")
    http_duration_buckets: tuple[float, ...] = DEFAULT_BUCKETS
    http_access_log: bool = True

    def __post_init__(self) -> None:
        buckets = list(self.http_duration_buckets)
        if not buckets or buckets != sorted(set(buckets)):
            raise ConfigError(
                "http_duration_buckets", self.http_duration_buckets, "increasing numbers"
            )
        if self.metrics_basic_auth is not None and ":" not in self.metrics_basic_auth:
            raise ConfigError("metrics_basic_auth", "***", "'user:password'")


def load_http_settings(
    kwargs: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    pyproject: str | os.PathLike[str] | None = None,
) -> HttpSettings:
    """The HTTP settings: `kwargs` > environment > ``[tool.obs]`` > defaults."""
    values = s.gather(PARSERS, kwargs, env=env, pyproject=pyproject)
    return HttpSettings(**{key: value for key, value in values.items() if value is not None})
