"""OBS101 and the instrumentation a project already has, or the functions its routes call."""

from __future__ import annotations

import pytest

from tests.ci.conftest import Repo

ROUTES = """\
from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.get("/orders")
def list_orders():
    return "[]"
"""

FACTORY = """\
from flask import Flask
{imports}


def create_app():
    app = Flask(__name__)
{setup}
    from shop.views import bp

    app.register_blueprint(bp)
    return app
"""


def shop(repo: Repo, imports: str, setup: str, extra: dict[str, str] | None = None) -> None:
    repo.write("shop/__init__.py", FACTORY.format(imports=imports, setup=setup))
    for path, text in (extra or {}).items():
        repo.write(path, text)
    repo.commit("the app factory")


@pytest.mark.parametrize(
    ("imports", "setup"),
    [
        (
            "from opentelemetry.instrumentation.flask import FlaskInstrumentor",
            "    FlaskInstrumentor().instrument_app(app)",
        ),
        (
            "from opentelemetry.instrumentation.flask import FlaskInstrumentor",
            "    FlaskInstrumentor.instrument_app(app)",
        ),
        (
            "from opentelemetry.instrumentation.flask import FlaskInstrumentor",
            "    FlaskInstrumentor().instrument()",
        ),
        ("from prometheus_flask_exporter import PrometheusMetrics", "    PrometheusMetrics(app)"),
        (
            "from prometheus_flask_exporter import PrometheusMetrics\n"
            "metrics = PrometheusMetrics.for_app_factory()",
            "    metrics.init_app(app)",
        ),
        ("from obs_flask import Observability", "    Observability(app)"),
    ],
    ids=[
        "otel-instrument_app",
        "otel-classmethod",
        "otel-instrument",
        "prom",
        "prom-init_app",
        "obs",
    ],
)
def test_instrumented_apps_cover_their_routes(repo: Repo, imports: str, setup: str) -> None:
    shop(repo, imports, setup)
    repo.feature({"shop/views.py": ROUTES})
    run = repo.check("check")
    assert run.code == 0, run


def test_a_project_wrapper_of_the_instrumentation_counts(repo: Repo) -> None:
    wrapper = """\
    from opentelemetry.instrumentation.flask import FlaskInstrumentor


    def _tracing(app):
        FlaskInstrumentor().instrument_app(app)


    def init_observability(app):
        _tracing(app)
    """
    own_app = """\
    from flask import Flask

    from shop.observability import init_observability

    app = Flask(__name__)
    init_observability(app)


    @app.get("/ping")
    def ping():
        return "pong"
    """
    shop(repo, "", "    pass", {"shop/observability.py": wrapper})
    repo.feature({"shop/ping.py": own_app, "shop/views.py": ROUTES})
    run = repo.check("check")
    assert run.code == 0, run
    repo.write("shop/observability.py", wrapper.replace("    _tracing(app)\n", "    pass\n"))
    run = repo.check("check", "shop/ping.py")
    run.assert_findings("shop/ping.py:10:1: OBS101 route handler `ping`")


def test_request_hooks_that_record_metrics_cover_the_routes(repo: Repo) -> None:
    middleware = """\
    import time

    from flask import Flask, g, request
    from prometheus_client import Histogram

    LATENCY = Histogram("http_request_duration_seconds", "Latency", ["endpoint"])
    app = Flask(__name__)


    @app.before_request
    def start_timer():
        g.start = time.perf_counter()


    def record(response):
        LATENCY.labels(request.endpoint).observe(time.perf_counter() - g.start)
        return response


    app.after_request(record)


    @app.get("/ping")
    def ping():
        return "pong"
    """
    repo.feature({"shop/app.py": middleware})
    run = repo.check("check")
    assert run.code == 0, run
    repo.write("shop/app.py", middleware.replace("app.after_request(record)\n", ""))
    run = repo.check("check", "shop/app.py")
    run.assert_findings("shop/app.py:23:1: OBS101 route handler `ping`")


def test_an_uninstrumented_app_still_fails(repo: Repo) -> None:
    shop(repo, "", "    app.config['X'] = 1")
    repo.feature({"shop/views.py": ROUTES})
    run = repo.check("check")
    assert run.code == 1, run
    assert "shop/views.py:7:1: OBS101" in run.out


@pytest.mark.parametrize(
    ("service", "call", "observed"),
    [
        (
            "import logging\nlog = logging.getLogger(__name__)\n\n\n"
            "def load():\n    log.info('x')\n",
            "load()",
            True,
        ),
        (
            "from shop.deeper import load as inner\n\n\ndef load():\n    return inner()\n",
            "load()",
            True,
        ),
        ("def load():\n    return []\n", "load()", False),
    ],
    ids=["logs", "two-calls-deep", "no-hooks"],
)
def test_a_route_that_delegates_to_an_observed_function_is_observed(
    repo: Repo, service: str, call: str, observed: bool
) -> None:
    shop(repo, "", "    pass")
    deeper = (
        "from opentelemetry import trace\n\ntracer = trace.get_tracer(__name__)\n\n\n"
        "def load():\n    with tracer.start_as_current_span('load'):\n        return []\n"
    )
    routes = ROUTES.replace(
        "from flask import Blueprint\n",
        "from flask import Blueprint\n\nfrom shop.service import load\n",
    ).replace('return "[]"', f"return {call}")
    repo.feature({"shop/service.py": service, "shop/deeper.py": deeper, "shop/views.py": routes})
    run = repo.check("check")
    assert (run.code == 0) is observed, run
    if not observed:
        assert "OBS101 route handler `list_orders`" in run.out


def test_a_route_calling_a_logged_helper_in_its_module_is_observed(repo: Repo) -> None:
    routes = ROUTES + (
        "\n\nimport logging\n\nlog = logging.getLogger(__name__)\n\n\n"
        "def audit():\n    log.info('listed')\n\n\n"
        "@bp.get('/audited')\ndef audited():\n    audit()\n    return '[]'\n"
    )
    shop(repo, "", "    pass")
    repo.feature({"shop/views.py": routes})
    run = repo.check("check")
    assert run.code == 1, run
    assert "`list_orders`" in run.out and "`audited`" not in run.out


@pytest.mark.parametrize(
    "wrapper",
    [
        """\
        import time

        from flask import g
        from prometheus_client import Histogram

        LATENCY = Histogram("http_request_duration_seconds", "Latency")


        def init_metrics(app):
            @app.before_request
            def start():
                g.start = time.perf_counter()

            @app.after_request
            def record(response):
                LATENCY.observe(time.perf_counter() - g.start)
                return response
        """,
        """\
        import time

        from prometheus_client import Counter

        REQUESTS = Counter("http_requests_total", "Requests")


        class Counting:
            def __init__(self, wsgi_app):
                self.wsgi_app = wsgi_app

            def __call__(self, environ, start_response):
                REQUESTS.inc()
                return self.wsgi_app(environ, start_response)


        def init_metrics(app):
            app.wsgi_app = Counting(app.wsgi_app)
        """,
    ],
    ids=["request-hooks", "wsgi-middleware"],
)
def test_an_app_handed_to_a_metrics_wrapper_is_instrumented(repo: Repo, wrapper: str) -> None:
    flat_app = """\
    from flask import Flask

    from shop.metrics import init_metrics

    app = Flask(__name__)
    init_metrics(app)


    @app.get("/ping")
    def ping():
        return "pong"
    """
    repo.feature({"shop/metrics.py": wrapper, "shop/app.py": flat_app})
    run = repo.check("check")
    assert run.code == 0, run
    unwrapped = flat_app.replace("    init_metrics(app)\n", "")
    repo.write("shop/app.py", unwrapped)
    run = repo.check("check", "shop/app.py")
    assert run.code == 1, run
    assert "OBS101 route handler `ping`" in run.out
