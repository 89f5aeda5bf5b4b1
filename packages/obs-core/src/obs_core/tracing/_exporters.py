"""Exporters and sampler named by the config (the built-in plugin's tracing answers)."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)

from obs_core._config import ObsConfig
from obs_core.tracing._otlp_file import OTLPJsonFileSpanExporter

__all__ = ["build_exporters", "build_sampler", "otlp_traces_endpoint"]

_DEFAULT_GRPC = "http://localhost:4317"
_DEFAULT_HTTP = "http://localhost:4318"
_PROTOCOLS = {"otlp_proto_grpc": "grpc", "otlp_proto_http": "http/protobuf"}


def otlp_traces_endpoint(config: ObsConfig, protocol: str) -> str:
    """Where OTLP traces go: the per-signal endpoint as given, else the base endpoint.

    For http/protobuf the base endpoint gets ``/v1/traces`` appended, as the OTLP exporter
    specification says; gRPC uses it as it is.
    """
    if config.otlp_traces_endpoint:
        return config.otlp_traces_endpoint
    if protocol == "grpc":
        return config.otlp_endpoint or _DEFAULT_GRPC
    return (config.otlp_endpoint or _DEFAULT_HTTP).rstrip("/") + "/v1/traces"


def _otlp_exporter(config: ObsConfig, protocol: str) -> SpanExporter:
    endpoint = otlp_traces_endpoint(config, protocol)
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
            OTLPSpanExporter as GrpcExporter,
        )

        return GrpcExporter(endpoint=endpoint, timeout=config.otlp_timeout)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
        OTLPSpanExporter as HttpExporter,
    )

    return HttpExporter(endpoint=endpoint, timeout=config.otlp_timeout)


def build_exporters(config: ObsConfig) -> list[SpanExporter]:
    """One exporter per name in ``traces_exporter`` (no duplicates), console when asked."""
    names = list(dict.fromkeys(config.traces_exporter))
    if config.console_export and "console" not in names:
        names.append("console")
    exporters: list[SpanExporter] = []
    protocols: set[str] = set()
    for name in names:
        if name in ("otlp", "otlp_proto_grpc", "otlp_proto_http"):
            protocol = _PROTOCOLS.get(name, config.otlp_protocol)
            if protocol not in protocols:
                protocols.add(protocol)
                exporters.append(_otlp_exporter(config, protocol))
        elif name == "console":
            exporters.append(ConsoleSpanExporter())
        elif name == "file":
            exporters.append(OTLPJsonFileSpanExporter(config.traces_file))
    return exporters


def build_sampler(config: ObsConfig) -> Sampler:
    """The sampler named by ``sampler`` (OpenTelemetry's names), ratio ``sampler_arg``."""
    ratio = 1.0 if config.sampler_arg is None else config.sampler_arg
    root: Sampler
    name = config.sampler.removeprefix("parentbased_")
    if name == "always_on":
        root = ALWAYS_ON
    elif name == "always_off":
        root = ALWAYS_OFF
    else:
        root = TraceIdRatioBased(ratio)
    return ParentBased(root) if config.sampler.startswith("parentbased_") else root
