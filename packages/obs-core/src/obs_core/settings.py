"""Settings machinery shared by obs's distributions and their plugins.

Each distribution owns its settings (obs-core the pillars', obs-flask the HTTP ones,
obs-stack ``[tool.obs.stack]``) and reads them with these parts, so every one refuses a
bad value with the same words (``invalid [tool.obs.stack] prometheus_port=-1: expected an
integer port from 1 to 65535``):

- `read_pyproject_table`: the one ``pyproject.toml`` reader (found, parsed once, cached);
- checks and parsers: each takes the setting's name (for the error) and a raw value and
  returns the value in its usable form or raises `ConfigError`;
- `gather`: keyword arguments > environment (``OBS_<NAME>``) > ``[tool.obs]`` for one
  distribution's parsers;
- `declared_names`: every ``[tool.obs]`` key an installed distribution reads, declared in
  the ``obs.settings`` entry-point group, so a typo is refused wherever it is read.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import metadata
from typing import Any

from obs_core._errors import ConfigError
from obs_core._pyproject import find_pyproject, forget_parsed, read_pyproject_table
from obs_core._runtime import on_reset

__all__ = [
    "SETTINGS_GROUP",
    "Parser",
    "boolean",
    "declared_names",
    "duration",
    "find_pyproject",
    "gather",
    "ip_address",
    "key_values",
    "lower",
    "milliseconds",
    "number",
    "number_list",
    "port",
    "ratio",
    "read_pyproject_table",
    "real",
    "string",
    "string_list",
    "table",
    "upper",
]

Parser = Callable[[str, object], Any]
SETTINGS_GROUP = "obs.settings"

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


# -- parsers of raw environment / TOML / keyword values ---------------------------------


def boolean(setting: str, raw: object) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off; an empty variable is false)."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(setting, raw, "true or false")


def real(setting: str, raw: object) -> float:
    """Any number but NaN."""
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(setting, raw, "a number") from None
    if math.isnan(value):
        raise ConfigError(setting, raw, "a number")
    return value


def milliseconds(setting: str, raw: object) -> float:
    """Milliseconds (OpenTelemetry's timeouts) as seconds."""
    return real(setting, raw) / 1000.0


def string(setting: str, raw: object) -> str:
    """A string (a number is read as its text), stripped."""
    if not isinstance(raw, str | int | float):
        raise ConfigError(setting, raw, "a string")
    return str(raw).strip()


def lower(setting: str, raw: object) -> str:
    """A string in lower case."""
    return string(setting, raw).lower()


def upper(setting: str, raw: object) -> str:
    """A string in upper case."""
    return string(setting, raw).upper()


def string_list(setting: str, raw: object) -> tuple[str, ...]:
    """A list of strings or a comma-separated string; blanks dropped."""
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise ConfigError(setting, raw, "a list of strings or a comma-separated string")
    return tuple(str(item).strip() for item in items if str(item).strip())


def number_list(setting: str, raw: object) -> tuple[float, ...]:
    """A list of numbers or a comma-separated string of them."""
    return tuple(real(setting, item) for item in string_list(setting, raw))


def key_values(setting: str, raw: object) -> dict[str, str]:
    """A table, or ``key=value`` pairs separated by commas (percent-decoded, as OTel's)."""
    if isinstance(raw, Mapping):
        return {str(k): str(v) for k, v in raw.items()}
    attrs = {}
    for part in str(raw).split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ConfigError(setting, raw, "comma-separated key=value pairs, e.g. team=loans")
        attrs[urllib.parse.unquote(key.strip())] = urllib.parse.unquote(value.strip())
    return attrs


def table(setting: str, raw: object) -> dict[str, Any]:
    """A TOML table."""
    if not isinstance(raw, Mapping):
        raise ConfigError(setting, raw, "a table")
    return dict(raw)


# -- layers --------------------------------------------------------------------------


@cache
def declared_names() -> frozenset[str]:
    """Every ``[tool.obs]`` key the installed distributions read.

    Each distribution declares its keys in the ``obs.settings`` entry-point group (an
    iterable of names, e.g. a mapping of parsers); one that fails to load declares none.
    """
    names: set[str] = set()
    for entry_point in metadata.entry_points(group=SETTINGS_GROUP):
        try:
            names.update(str(name) for name in entry_point.load())
        except Exception:
            continue
    return frozenset(names)


def gather(
    parsers: Mapping[str, Parser],
    kwargs: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    standard_env: Mapping[str, Iterable[tuple[str, Parser]]] | None = None,
    pyproject: str | os.PathLike[str] | None = None,
    refuse_unknown: bool = False,
) -> dict[str, Any]:
    """The values set for `parsers`' names: kwargs > environment > ``[tool.obs]``.

    The environment variable of ``name`` is ``OBS_<NAME>``, after the variables listed for
    it in `standard_env` (the first one set wins). A keyword that `parsers` lacks is
    refused; with `refuse_unknown`, so is a ``[tool.obs]`` key no installed distribution
    declares. Values left unset are absent, for the caller's defaults.
    """
    path, tool_obs = read_pyproject_table("obs", pyproject=pyproject)
    values: dict[str, Any] = {}
    for key, raw in tool_obs.items():
        name = key.replace("-", "_")
        if name in parsers:
            values[name] = parsers[name](f"[tool.obs] {key}", raw)
        elif refuse_unknown and name not in declared_names():
            known = sorted(set(parsers) | declared_names())
            raise ConfigError(f"[tool.obs] {key} in {path}", raw, "one of " + ", ".join(known))
    environ = os.environ if env is None else env
    standard = standard_env or {}
    for name, parser in parsers.items():
        for var, standard_parser in standard.get(name, ()):
            if environ.get(var, "").strip():
                values[name] = standard_parser(var, environ[var])
                break
        else:
            var = "OBS_" + name.upper()
            if var in environ:
                values[name] = parser(var, environ[var])
    for key, raw in (kwargs or {}).items():
        if key not in parsers:
            raise ConfigError(key, raw, "a keyword among " + ", ".join(sorted(parsers)))
        values[key] = raw if raw is None else parsers[key](key, raw)
    return values


def _forget() -> None:
    declared_names.cache_clear()
    forget_parsed()


on_reset("obs_core.settings", _forget)  # the caches above start empty after a reset
