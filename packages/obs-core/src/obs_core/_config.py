"""The pillars' configuration, from keyword arguments > environment > pyproject > defaults.

Every field can be set by keyword (its name), by ``[tool.obs]`` in the application's
``pyproject.toml`` (its name, dashes or underscores) and by the environment: the standard
``OTEL_*`` variable where OpenTelemetry defines one, ``OBS_<NAME>`` otherwise. Adapters
and tools own their settings (obs-flask the HTTP ones, obs-stack ``[tool.obs.stack]``)
and read them with the same machinery (`obs_core.settings`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from obs_core import settings as s
from obs_core._errors import ConfigError

__all__ = ["PARSERS", "ObsConfig", "configured_service_name", "load_config"]

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
    log_flush_interval: float = 0.0
    log_stdlib: bool = True
    redact_keys: tuple[str, ...] = DEFAULT_REDACT

    def validate(self) -> None:
        """Raise `ConfigError` for the first value obs cannot use."""
        for name in self.traces_exporter:
            _one_of("traces_exporter", name, TRACES_EXPORTERS)
        _one_of("sampler", self.sampler, SAMPLERS)
        if self.sampler_arg is not None and not 0.0 <= self.sampler_arg <= 1.0:
            raise ConfigError("sampler_arg", self.sampler_arg, "a number from 0 to 1")
        _one_of("otlp_protocol", self.otlp_protocol, OTLP_PROTOCOLS)
        _one_of("log_level", self.log_level, LOG_LEVELS)
        if not 0.0 <= self.log_flush_interval <= 60.0:
            raise ConfigError(
                "log_flush_interval",
                self.log_flush_interval,
                "seconds from 0 (each line written at once) to 60",
            )
        for name in ("otlp_timeout", "shutdown_timeout"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(name, value, "a positive number of seconds")

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


PARSERS: dict[str, s.Parser] = {
    "service_name": s.string,
    "service_version": s.string,
    "environment": s.string,
    "sdk_disabled": s.boolean,
    "traces_exporter": s.string_list,
    "traces_file": s.string,
    "otlp_endpoint": s.string,
    "otlp_traces_endpoint": s.string,
    "otlp_protocol": s.lower,
    "otlp_timeout": s.real,
    "sampler": s.lower,
    "sampler_arg": s.real,
    "resource_attributes": s.key_values,
    "console_export": s.boolean,
    "shutdown_timeout": s.real,
    "log_level": s.upper,
    "log_stdout": s.boolean,
    "log_file": s.string,
    "log_flush_interval": s.real,
    "log_stdlib": s.boolean,
    "redact_keys": s.string_list,
}

# Standard variables first: the first one set wins. Timeouts there are milliseconds.
_OTEL_ENV: dict[str, tuple[tuple[str, s.Parser], ...]] = {
    "service_name": (("OTEL_SERVICE_NAME", s.string),),
    "environment": (("ENVIRONMENT", s.string),),
    "sdk_disabled": (("OTEL_SDK_DISABLED", s.boolean),),
    "traces_exporter": (("OTEL_TRACES_EXPORTER", s.string_list),),
    "otlp_endpoint": (("OTEL_EXPORTER_OTLP_ENDPOINT", s.string),),
    "otlp_traces_endpoint": (("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", s.string),),
    "otlp_protocol": (
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", s.lower),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", s.lower),
    ),
    "otlp_timeout": (
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", s.milliseconds),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", s.milliseconds),
    ),
    "sampler": (("OTEL_TRACES_SAMPLER", s.lower),),
    "sampler_arg": (("OTEL_TRACES_SAMPLER_ARG", s.real),),
    "resource_attributes": (("OTEL_RESOURCE_ATTRIBUTES", s.key_values),),
    "console_export": (("OTEL_CONSOLE_EXPORT", s.boolean),),
}


def load_config(
    pyproject: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ObsConfig:
    """Build and validate the config: keyword arguments > environment > pyproject > defaults.

    `pyproject` defaults to the nearest ``pyproject.toml`` at or above the working
    directory; `env` defaults to ``os.environ``. A ``[tool.obs]`` key that no installed
    distribution reads is refused, naming the keys that are read.
    """
    values = s.gather(
        PARSERS, kwargs, env=env, standard_env=_OTEL_ENV, pyproject=pyproject, refuse_unknown=True
    )
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


def configured_service_name(
    pyproject: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> str | None:
    """The service name the user set (keyword aside), or None: what `load_config` would
    read, without building the rest of the config (obs-stack names its scrape job so)."""
    names = ("service_name", "resource_attributes")
    parsers = {name: PARSERS[name] for name in names}
    values = s.gather(parsers, env=env, standard_env=_OTEL_ENV, pyproject=pyproject)
    name = values.get("service_name") or values.get("resource_attributes", {}).get("service.name")
    return str(name) if name else None
