"""Checks for setting values, shared by obs's distributions and their plugins.

Each check returns the value in its usable form or raises `ConfigError` naming the
setting, the value and what is accepted, so every distribution refuses a bad value with
the same words (``invalid [tool.obs.stack] prometheus_port=-1: expected an integer port
from 1 to 65535``).
"""

from __future__ import annotations

import ipaddress
import math
import re

from obs_core._errors import ConfigError

__all__ = ["duration", "ip_address", "number", "port", "ratio"]

# Prometheus's duration syntax: units from years down to milliseconds, each at most once,
# largest first (https://prometheus.io/docs/prometheus/latest/configuration/configuration/).
_DURATION = re.compile(r"((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?")


def _real(setting: str, value: object, accepted: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(setting, value, accepted)
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(setting, value, accepted) from None
    if not math.isfinite(number):
        raise ConfigError(setting, value, accepted)
    return number


def number(setting: str, value: object, *, minimum: float = 0.0, exclusive: bool = False) -> float:
    """A finite number at or above `minimum` (above it when `exclusive`); not a boolean."""
    accepted = f"a number {'>' if exclusive else '>='} {minimum:g}"
    result = _real(setting, value, accepted)
    if result < minimum or (exclusive and result == minimum):
        raise ConfigError(setting, value, accepted)
    return result


def ratio(setting: str, value: object) -> float:
    """A number strictly between 0 and 1 (an SLO such as 0.999)."""
    accepted = "a number between 0 and 1 (exclusive), such as 0.999"
    result = _real(setting, value, accepted)
    if not 0 < result < 1:
        raise ConfigError(setting, value, accepted)
    return result


def port(setting: str, value: object) -> int:
    """A TCP port: an integer from 1 to 65535 (a string of digits is read as one)."""
    accepted = "an integer port from 1 to 65535"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(setting, value, accepted)
    text = str(value).strip()
    if not re.fullmatch(r"\d+", text) or not 1 <= int(text) <= 65535:
        raise ConfigError(setting, value, accepted)
    return int(text)


def duration(setting: str, value: object) -> str:
    """A Prometheus duration greater than zero (``15s``, ``5m``, ``1h30m``)."""
    accepted = "a Prometheus duration greater than 0, such as 15s, 5m or 1h30m"
    text = value.strip() if isinstance(value, str) else ""
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(int(n) for n in match.groups()[1::2] if n):
        raise ConfigError(setting, value, accepted)
    return text


def ip_address(setting: str, value: object) -> str:
    """An IPv4 or IPv6 address (``127.0.0.1``, ``0.0.0.0``, ``::1``)."""
    accepted = "an IP address such as 127.0.0.1 or 0.0.0.0"
    try:
        return str(ipaddress.ip_address(str(value).strip() if isinstance(value, str) else ""))
    except ValueError:
        raise ConfigError(setting, value, accepted) from None
