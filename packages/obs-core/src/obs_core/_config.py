"""One typed configuration object, from keyword arguments > environment > pyproject > defaults.

Every field can be set by keyword (its name), by ``[tool.obs]`` in the application's
``pyproject.toml`` (its name, dashes or underscores) and by the environment: the standard
``OTEL_*`` variable where OpenTelemetry defines one, ``OBS_<NAME>`` otherwise.
"""

from __future__ import annotations

import math
import os
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from obs_core._errors import ConfigError

__all__ = ["ObsConfig", "find_pyproject", "load_config"]

TRACES_EXPORTERS = ("otlp", "otlp_proto_grpc", "otlp_proto_http", "console", "file", "none")
SAMPLERS = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)
OTLP_PROTOCOLS = ("grpc", "http/protobuf")
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DEFAULT_REDACT = ("password", "passwd", "token", "authorization", "api_key", "apikey", "secret")


@dataclass
class ObsConfig:
    """Settings for every pillar; plugins may adjust them in `obs_configure`."""

    service_name: str = "unknown_service"
    service_version: str | None = None
    environment: str | None = None
    sdk_disabled: bool = False

    traces_exporter: tuple[str, ...] = ("file",)
    traces_file: str = ".obs/traces.jsonl"
    otlp_endpoint: str | None = None
    otlp_traces_endpoint: str | None = None
    otlp_protocol: str = "grpc"
    otlp_timeout: float = 10.0
    sampler: str = "parentbased_always_on"
    sampler_arg: float | None = None
    resource_attributes: dict[str, str] = field(default_factory=dict)
    console_export: bool = False
    shutdown_timeout: float = 2.0

    log_level: str = "INFO"
    log_stdout: bool = True
    log_file: str | None = None
    log_stdlib: bool = True
    redact_keys: tuple[str, ...] = DEFAULT_REDACT

    metrics_path: str = "/metrics"
    metrics_bearer_token: str | None = None
    metrics_basic_auth: str | None = None
    http_exclude_paths: tuple[str, ...] = ("/metrics", "/health", "/healthz", "/livez", "/readyz")
    http_duration_buckets: tuple[float, ...] = DEFAULT_BUCKETS
    http_access_log: bool = True

    stack: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise `ConfigError` for the first value obs cannot use."""
        for name in self.traces_exporter:
            _one_of("traces_exporter", name, TRACES_EXPORTERS)
        _one_of("sampler", self.sampler, SAMPLERS)
        if self.sampler_arg is not None and not 0.0 <= self.sampler_arg <= 1.0:
            raise ConfigError("sampler_arg", self.sampler_arg, "a number from 0 to 1")
        _one_of("otlp_protocol", self.otlp_protocol, OTLP_PROTOCOLS)
        _one_of("log_level", self.log_level, LOG_LEVELS)
        for name in ("otlp_timeout", "shutdown_timeout"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(name, value, "a positive number of seconds")
        buckets = list(self.http_duration_buckets)
        if not buckets or buckets != sorted(set(buckets)):
            raise ConfigError(
                "http_duration_buckets", self.http_duration_buckets, "increasing numbers"
            )
        if self.metrics_basic_auth is not None and ":" not in self.metrics_basic_auth:
            raise ConfigError("metrics_basic_auth", "***", "'user:password'")
        if not isinstance(self.stack, dict):
            raise ConfigError("stack", self.stack, "a table ([tool.obs.stack])")

    def resource(self) -> dict[str, str]:
        """Resource attributes obs sets itself, merged under the configured ones."""
        attrs = {"service.name": self.service_name}
        if self.service_version:
            attrs["service.version"] = self.service_version
        if self.environment:
            attrs["deployment.environment"] = self.environment
        attrs.update(self.resource_attributes)
        return attrs


def _one_of(setting: str, value: object, accepted: tuple[str, ...]) -> None:
    if value not in accepted:
        raise ConfigError(setting, value, "one of " + ", ".join(accepted))


# -- parsers: each takes the setting name (for errors) and a raw env/toml value --------


def _bool(setting: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(setting, raw, "true or false")


def _float(setting: str, raw: object) -> float:
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(setting, raw, "a number") from None
    if math.isnan(value):
        raise ConfigError(setting, raw, "a number")
    return value


def _millis(setting: str, raw: object) -> float:
    return _float(setting, raw) / 1000.0


def _str(setting: str, raw: object) -> str:
    if not isinstance(raw, str | int | float):
        raise ConfigError(setting, raw, "a string")
    return str(raw).strip()


def _lower(setting: str, raw: object) -> str:
    return _str(setting, raw).lower()


def _upper(setting: str, raw: object) -> str:
    return _str(setting, raw).upper()


def _str_tuple(setting: str, raw: object) -> tuple[str, ...]:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise ConfigError(setting, raw, "a list of strings or a comma-separated string")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _float_tuple(setting: str, raw: object) -> tuple[float, ...]:
    return tuple(_float(setting, item) for item in _str_tuple(setting, raw))


def _resource(setting: str, raw: object) -> dict[str, str]:
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


def _table(setting: str, raw: object) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigError(setting, raw, "a table")
    return dict(raw)


_PARSERS: dict[str, Callable[[str, object], Any]] = {
    "service_name": _str,
    "service_version": _str,
    "environment": _str,
    "sdk_disabled": _bool,
    "traces_exporter": _str_tuple,
    "traces_file": _str,
    "otlp_endpoint": _str,
    "otlp_traces_endpoint": _str,
    "otlp_protocol": _lower,
    "otlp_timeout": _float,
    "sampler": _lower,
    "sampler_arg": _float,
    "resource_attributes": _resource,
    "console_export": _bool,
    "shutdown_timeout": _float,
    "log_level": _upper,
    "log_stdout": _bool,
    "log_file": _str,
    "log_stdlib": _bool,
    "redact_keys": _str_tuple,
    "metrics_path": _str,
    "metrics_bearer_token": _str,
    "metrics_basic_auth": _str,
    "http_exclude_paths": _str_tuple,
    "http_duration_buckets": _float_tuple,
    "http_access_log": _bool,
    "stack": _table,
}

# Standard variables first: the first one set wins. Timeouts there are milliseconds.
_OTEL_ENV: dict[str, tuple[tuple[str, Callable[[str, object], Any]], ...]] = {
    "service_name": (("OTEL_SERVICE_NAME", _str),),
    "environment": (("ENVIRONMENT", _str),),
    "sdk_disabled": (("OTEL_SDK_DISABLED", _bool),),
    "traces_exporter": (("OTEL_TRACES_EXPORTER", _str_tuple),),
    "otlp_endpoint": (("OTEL_EXPORTER_OTLP_ENDPOINT", _str),),
    "otlp_traces_endpoint": (("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", _str),),
    "otlp_protocol": (
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", _lower),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", _lower),
    ),
    "otlp_timeout": (
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", _millis),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", _millis),
    ),
    "sampler": (("OTEL_TRACES_SAMPLER", _lower),),
    "sampler_arg": (("OTEL_TRACES_SAMPLER_ARG", _float),),
    "resource_attributes": (("OTEL_RESOURCE_ATTRIBUTES", _resource),),
    "console_export": (("OTEL_CONSOLE_EXPORT", _bool),),
}


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, parser in _PARSERS.items():
        for var, otel_parser in _OTEL_ENV.get(name, ()):
            if env.get(var, "").strip():
                values[name] = otel_parser(var, env[var])
                break
        else:
            var = "OBS_" + name.upper()
            if var in env and name != "stack":
                values[name] = parser(var, env[var])
    return values


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _from_pyproject(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), "unreadable", f"a valid pyproject.toml ({exc})") from None
    table = data.get("tool", {}).get("obs", {})
    values: dict[str, Any] = {}
    for key, raw in table.items():
        name = key.replace("-", "_")
        if name not in _PARSERS:
            raise ConfigError(
                f"[tool.obs] {key} in {path}", raw, "one of " + ", ".join(sorted(_PARSERS))
            )
        values[name] = _PARSERS[name](f"[tool.obs] {key}", raw)
    return values


def _from_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in kwargs.items():
        if key not in _PARSERS:
            raise ConfigError(key, raw, "a keyword among " + ", ".join(sorted(_PARSERS)))
        values[key] = raw if raw is None else _PARSERS[key](key, raw)
    return values


def load_config(
    pyproject: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ObsConfig:
    """Build and validate the config: keyword arguments > environment > pyproject > defaults.

    `pyproject` defaults to the nearest ``pyproject.toml`` at or above the working
    directory; `env` defaults to ``os.environ``.
    """
    environ = os.environ if env is None else env
    path = Path(pyproject) if pyproject is not None else find_pyproject(Path.cwd())
    values = _from_pyproject(path)
    from_env = _from_env(environ)
    values.update(from_env)
    values.update(_from_kwargs(kwargs))

    attrs = values.get("resource_attributes", {})
    if "service_name" not in values and "service.name" in attrs:
        values["service_name"] = attrs["service.name"]
    if "traces_exporter" not in values:
        has_endpoint = values.get("otlp_endpoint") or values.get("otlp_traces_endpoint")
        values["traces_exporter"] = ("otlp",) if has_endpoint else ("file",)

    known = {f.name for f in fields(ObsConfig)}
    config = ObsConfig(**{k: v for k, v in values.items() if k in known})
    config.validate()
    return config
