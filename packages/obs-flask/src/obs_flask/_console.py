"""The local console: one page under its own path, served beside the app, off by default.

``Observability(app, console=True)`` adds a `Console`: a plugin (its ring buffers join
the tracer provider and the log formatter through the ordinary hooks) and a WSGI layer in
front of obs's middleware, so its own requests never reach the app, its metrics, spans
or access log. It answers loopback clients only unless `ConsoleSettings.allow` names
more, and sits behind ``/metrics``'s auth when that is set.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import orjson
from obs_core import ConfigError, LogSink, ObsConfig, hookimpl
from obs_core.traces import TraceFile, waterfall
from opentelemetry.sdk.trace import SpanProcessor
from werkzeug.wrappers import Response

from obs_flask._console_buffers import LogRing, SpanRing, to_span
from obs_flask._console_red import RedReader
from obs_flask._endpoint import authorizer
from obs_flask._http_metrics import UNMATCHED, HttpMetrics
from obs_flask._settings import HttpSettings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["Console", "ConsoleSettings"]

_STATIC = {
    "": ("index.html", "text/html; charset=utf-8"),
    "index.html": ("index.html", "text/html; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "style.css": ("style.css", "text/css; charset=utf-8"),
}
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}
_RECENT = 50


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the console lives, who may open it, and how much it remembers.

    `allow` adds client networks to loopback (e.g. ``("10.0.0.0/8",)``; ``("0.0.0.0/0",
    "::/0")`` for everyone). Memory: the last `spans` spans (about 3 KB each) and the last
    `logs` log records (each about the size of its JSON line).
    """

    path: str = "/_obs"
    allow: tuple[str, ...] = ()
    spans: int = 2000
    logs: int = 1000

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        try:
            return [ipaddress.ip_network(item, strict=False) for item in self.allow]
        except ValueError as exc:
            raise ConfigError("console allow", self.allow, f"IP networks ({exc})") from None


class Console:
    """The console's buffers, as a plugin (``obs_span_processors``, ``obs_log_enrichers``)."""

    def __init__(self, settings: ConsoleSettings | None = None) -> None:
        self.settings = settings = settings or ConsoleSettings()
        self.networks = settings.networks()  # a bad setting fails at setup, not on a request
        if not settings.path.strip("/"):
            raise ConfigError("console path", settings.path, "a path of its own, e.g. /_obs")
        self.spans = SpanRing(settings.spans)
        self.logs = LogRing(settings.logs)

    @hookimpl
    def obs_span_processors(self, config: ObsConfig) -> Sequence[SpanProcessor]:
        """The span ring, beside whatever exporters are configured."""
        return [self.spans]

    @hookimpl
    def obs_log_sinks(self, config: ObsConfig) -> Sequence[LogSink] | None:
        """A sink that writes nothing, when obs's own are off: records are formatted (and so
        reach the tap) only when some sink takes them."""
        if config.log_stdout or config.log_file:
            return None
        return [LogSink(_discard, config.log_level, "console")]

    @hookimpl
    def obs_log_enrichers(self, config: ObsConfig) -> Sequence[Callable[[dict[str, Any]], None]]:
        """The log ring's tap on every record obs writes (it adds no field)."""
        return [self.logs.keep]

    def wsgi(
        self,
        inner: WSGIApplication,
        config: ObsConfig,
        http: HttpSettings,
        metrics: HttpMetrics | None,
    ) -> ConsoleMiddleware:
        """The WSGI layer that serves the console in front of `inner`."""
        return ConsoleMiddleware(inner, self, config, http, metrics)


def _discard(message: str) -> None:
    """The console's placeholder sink."""


def _client_allowed(
    address: str, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or any(ip in network for network in networks)


def _loopback_host(host: str) -> bool:
    """Whether the Host header names this machine (a DNS-rebinding page's would not)."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8000
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, _HEADERS, content_type="application/json")


def _text(body: str, status: int, extra: dict[str, str] | None = None) -> Response:
    return Response(body + "\n", status, {**_HEADERS, **(extra or {})}, content_type="text/plain")


class ConsoleMiddleware:
    """Serves ``<path>/...``; every other request goes to the app untouched."""

    def __init__(
        self,
        inner: WSGIApplication,
        console: Console,
        config: ObsConfig,
        http: HttpSettings,
        metrics: HttpMetrics | None,
    ) -> None:
        self.inner = inner
        self.console = console
        self.config = config
        self.prefix = "/" + console.settings.path.strip("/")
        self._networks = console.networks
        self._auth = authorizer(http)
        self._red = RedReader(metrics) if metrics is not None else None
        self._file_exporter = "file" in config.traces_exporter and not config.sdk_disabled
        package = resources.files("obs_flask") / "console"
        self._static = {
            name: (package.joinpath(file).read_bytes(), kind)
            for name, (file, kind) in _STATIC.items()
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(self.prefix):
            return self.inner(environ, start_response)
        rest = path[len(self.prefix) :]
        if rest == "":
            where = environ.get("SCRIPT_NAME", "") + self.prefix + "/"
            response = Response(status=308, headers={**_HEADERS, "Location": where})
        elif rest.startswith("/"):
            response = self._answer(environ, rest[1:])
        else:  # e.g. /_obsolete: not ours
            return self.inner(environ, start_response)
        return response(environ, start_response)

    def _answer(self, environ: WSGIEnvironment, rest: str) -> Response:
        if not _client_allowed(environ.get("REMOTE_ADDR", ""), self._networks):
            return _text("obs console: loopback clients only (see ConsoleSettings.allow)", 403)
        if not self._networks and not _loopback_host(environ.get("HTTP_HOST", "localhost")):
            return _text("obs console: open it as localhost or 127.0.0.1", 403)
        if self._auth is not None and not self._auth(environ.get("HTTP_AUTHORIZATION")):
            challenged = {"WWW-Authenticate": self._auth.challenge}
            return _text("obs console: authorization required", 401, challenged)
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return _text("obs console: read only", 405, {"Allow": "GET, HEAD"})
        if rest in self._static:
            body, kind = self._static[rest]
            return Response(body, 200, _HEADERS, content_type=kind)
        if rest == "api/overview":
            return _json(self.overview())
        if rest.startswith("api/traces/"):
            found = self.trace(rest[len("api/traces/") :].lower())
            if found is None:
                return _json({"error": "no such trace in the console's memory or trace file"}, 404)
            return _json(found)
        return _text("obs console: no such page", 404)

    # -- the data ------------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        """Routes with their RED figures and the last requests."""
        window, routes = self._red.routes() if self._red is not None else (0.0, [])
        settings = self.console.settings
        return {
            "service": self.config.service_name,
            "window_s": round(window, 1),
            "routes": routes,
            "requests": [_request(span) for span in self.console.spans.roots(_RECENT)],
            "tracing": not self.config.sdk_disabled,
            "traces_file": self.config.traces_file if self._file_exporter else None,
            "limits": {"spans": settings.spans, "logs": settings.logs},
        }

    def trace(self, trace_id: str) -> dict[str, Any] | None:
        """One trace's waterfall and its log lines; from memory, else from the trace file."""
        if not trace_id or len(trace_id) > 32 or any(c not in "0123456789abcdef" for c in trace_id):
            return None
        trace_id = trace_id.zfill(32)
        spans = [to_span(span) for span in self.console.spans.trace(trace_id)]
        source = "memory"
        if not spans and self._file_exporter:
            try:
                spans = list(TraceFile(self.config.traces_file).spans(trace_id))  # whole id
            except OSError:
                spans = []
            source = "file"
        logs = self.console.logs.with_trace(trace_id)
        if not spans and not logs:
            return None
        return {"trace_id": trace_id, "source": source, "spans": waterfall(spans), "logs": logs}


def _request(span: ReadableSpan) -> dict[str, Any]:
    attributes = span.attributes or {}
    status = attributes.get("http.response.status_code", attributes.get("http.status_code"))
    start, end = span.start_time or 0, span.end_time or 0
    return {
        "trace_id": format(span.context.trace_id, "032x"),
        "name": span.name,
        "method": attributes.get("http.request.method", attributes.get("http.method", "")),
        "route": attributes.get("http.route", UNMATCHED),
        "path": attributes.get("url.path", attributes.get("http.target", "")),
        "status": status,
        "duration_ms": round((end - start) / 1e6, 3),
        "start_unix_ms": start // 1_000_000,
        "error": span.status.status_code.value == 2,
    }
