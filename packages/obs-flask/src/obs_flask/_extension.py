"""`Observability`: the Flask extension (``init_app`` pattern) that wires the three pillars."""

from __future__ import annotations

import logging
from typing import Any

import obs_core
from flask import Flask, Request, Response, got_request_exception, request
from flask.logging import default_handler
from obs_core import ObsConfig
from obs_core.settings import boolean
from opentelemetry import trace
from prometheus_client import CollectorRegistry

from obs_flask._auto import instrument_libraries
from obs_flask._console import Console, ConsoleSettings
from obs_flask._endpoint import metrics_view
from obs_flask._http_metrics import UNMATCHED, HttpMetrics, http_metrics
from obs_flask._middleware import STATE_KEY, ObsMiddleware, Pillars, RequestState
from obs_flask._settings import PARSERS as HTTP_PARSERS
from obs_flask._settings import HttpSettings, load_http_settings

__all__ = ["Observability"]

INSTRUMENTATIONS = ("native", "opentelemetry")
_SETTINGS = ObsConfig.__dataclass_fields__.keys() | HTTP_PARSERS.keys()
"""Every setting `Observability` takes: obs-core's and obs-flask's HTTP ones."""


def _from_app_config(app: Flask) -> dict[str, Any]:
    """``OBS_SERVICE_NAME`` in ``app.config`` → ``service_name``, for every core or HTTP setting."""
    found = {}
    for key, value in app.config.items():
        if key.startswith("OBS_") and key[4:].lower() in _SETTINGS:
            found[key[4:].lower()] = value
    return found


class Observability:
    """Metrics, traces and JSON logs for a Flask app, in one line.

    ``Observability(app)`` or, with an application factory, ``obs = Observability()`` then
    ``obs.init_app(app)``. Settings: keyword arguments > ``app.config["OBS_*"]`` >
    environment > ``[tool.obs]`` > defaults. `instrumentation="opentelemetry"` creates the
    server spans with opentelemetry-instrumentation-flask instead of obs's own wrapper.
    `console=True` (or a `ConsoleSettings`) serves the local console under ``/_obs/``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        registry: CollectorRegistry | None = None,
        instrumentation: str = "native",
        console: bool | ConsoleSettings = False,
        **config: Any,
    ) -> None:
        if instrumentation not in INSTRUMENTATIONS:
            raise obs_core.ConfigError(
                "instrumentation", instrumentation, "one of " + ", ".join(INSTRUMENTATIONS)
            )
        self._registry = registry
        self._instrumentation = instrumentation
        self._kwargs = config
        self._console = console
        self.config: ObsConfig | None = None
        self.http: HttpSettings | None = None
        self.metrics: HttpMetrics | None = None
        self.console: Console | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Instrument `app`; a second call on the same app changes nothing."""
        if "obs" in app.extensions:
            return
        given = {**_from_app_config(app), **self._kwargs}
        unknown = sorted(given.keys() - _SETTINGS)
        if unknown:
            key = unknown[0]
            raise obs_core.ConfigError(
                key, given[key], "a keyword among " + ", ".join(sorted(_SETTINGS))
            )
        http = load_http_settings({k: given.pop(k) for k in list(given) if k in HTTP_PARSERS})
        config = obs_core.configure(**given)
        if config.service_name == "unknown_service":
            config.service_name = app.name
        settings = self._console or app.config.get("OBS_CONSOLE") or False
        if not isinstance(settings, ConsoleSettings):
            settings = boolean("console", settings)
        if settings:
            self.console = Console(settings if isinstance(settings, ConsoleSettings) else None)
            # a plugin like any other: its buffers join the provider and the log formatter
            name = f"obs-console-{id(self.console)}"
            obs_core.plugin_manager().register(self.console, name=name)
        self.config = obs_core.init(self._registry, config)
        self.http = http
        self.metrics = http_metrics(obs_core.get_registry(), http.http_duration_buckets)

        already_traced = getattr(app, "_is_instrumented_by_opentelemetry", False)
        if self._instrumentation == "opentelemetry" and not already_traced:
            from opentelemetry.instrumentation.flask import FlaskInstrumentor

            instrument = FlaskInstrumentor().instrument_app
            instrument(app, excluded_urls=",".join(http.http_exclude_paths))  # type: ignore[no-untyped-call]
            already_traced = True
        # A later FlaskInstrumentor().instrument_app(app) then sees the app as instrumented.
        app._is_instrumented_by_opentelemetry = True  # type: ignore[attr-defined]

        tracer = None
        if not config.sdk_disabled:
            instrument_libraries()
            if not already_traced:
                tracer = trace.get_tracer("obs_flask", obs_core.distribution_version("obs-flask"))
        access_log = None
        if config.log_stdlib:
            # app.logger, touched before setup, got Flask's stderr handler: lines would double
            app.logger.removeHandler(default_handler)
        if http.http_access_log:
            access_log = obs_core.get_logger("obs.access").info
            logging.getLogger("werkzeug").setLevel(logging.WARNING)

        pillars = Pillars(
            metrics=self.metrics,
            tracer=tracer,
            access_log=access_log,
            exclude=frozenset(http.http_exclude_paths),
        )
        app.wsgi_app = ObsMiddleware(app.wsgi_app, pillars)  # type: ignore[method-assign]
        if self.console is not None:  # in front: its requests are not the app's traffic
            app.wsgi_app = self.console.wsgi(app.wsgi_app, config, http, self.metrics)  # type: ignore[method-assign]
        app.before_request_funcs.setdefault(None, []).insert(0, self._before_request)
        if tracer is None and not config.sdk_disabled:
            app.after_request(_borrow_span)
        got_request_exception.connect(_on_exception, app, weak=False)
        if not any(rule.rule == http.metrics_path for rule in app.url_map.iter_rules()):
            app.add_url_rule(http.metrics_path, "obs_metrics", metrics_view(http))
        app.extensions["obs"] = self

    def _before_request(self) -> None:
        # one context look-up instead of one per attribute (~1 µs each through the proxy)
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        state: RequestState | None = req.environ.get(STATE_KEY)
        if state is None:
            return
        rule = req.url_rule
        route = state.route = rule.rule if rule is not None else UNMATCHED
        if self.metrics is not None:
            record = state.metrics = self.metrics.route(state.method, route)
            record.started()


def _borrow_span(response: Response) -> Response:
    """Keep the server span another instrumentation made, for exemplars and the access line."""
    state: RequestState | None = request.environ.get(STATE_KEY)
    if state is not None:
        state.borrowed = trace.get_current_span()
    return response


def _on_exception(sender: Flask, exception: BaseException, **extra: Any) -> None:
    state: RequestState | None = request.environ.get(STATE_KEY)
    if state is not None:
        state.exception = exception
