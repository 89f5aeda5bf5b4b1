"""The built-in rules on real code: what each flags, and what it must leave alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from obs_ci import ChangedFile, CiConfig, Engine, Finding, load_rules

FLASK = """\
import logging

from flask import Flask, request

app = Flask(__name__)
"""


def codes_in(tmp_path: Path, source: str, *, strict: bool = False) -> list[str]:
    """Run the built-in rules over `source` as one whole changed file."""
    return [f"{f.code}:{f.line}" for f in check(tmp_path, source, strict=strict)]


def check(tmp_path: Path, source: str, *, strict: bool = False) -> list[Finding]:
    rules = [loaded for loaded in load_rules() if loaded.plugin == "ci"]
    engine = Engine(rules, CiConfig(strict=strict), {r.rule.code for r in rules})
    path = tmp_path / "service.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return list(engine.run([ChangedFile("service.py", path, None)]).findings)


ROUTE = (
    FLASK
    + """

@app.route("/orders")
def orders():
    {body}
    return "ok"
"""
)


@pytest.mark.parametrize(
    ("setup", "body"),
    [
        ("from loguru import logger", 'logger.info("listed")'),
        ("import structlog\nlog = structlog.get_logger()", 'log.info("listed", n=1)'),
        ("from obs_core import get_logger\nlog = get_logger(__name__)", 'log.info("listed")'),
        ("log = logging.getLogger(__name__)", 'log.exception("listing failed")'),
        ("", 'app.logger.warning("listed")'),
        (
            "from prometheus_client import Histogram\nH = Histogram('orders_seconds', 'd')",
            "H.observe(1)",
        ),
        (
            "from prometheus_client import Gauge\nG = Gauge('orders_open', 'd', ['kind'])",
            "G.labels('x').set(2)",
        ),
        ("from shop.metrics import ORDERS", "ORDERS.inc()"),
        ("from shop import metrics", "metrics.LATENCY.labels('orders').observe(0.2)"),
        ("from obs_core import add_span_attributes", "add_span_attributes(orders=3)"),
        ("from opentelemetry import trace", "trace.get_current_span().set_attribute('n', 1)"),
        (
            "from opentelemetry import trace\ntracer = trace.get_tracer(__name__)",
            "with tracer.start_as_current_span('orders'): pass",
        ),
    ],
)
def test_hooks_are_recognised_by_meaning(tmp_path: Path, setup: str, body: str) -> None:
    source = ROUTE.replace("{body}", body).replace("app = Flask", f"{setup}\napp = Flask")
    assert codes_in(tmp_path, source) == []


@pytest.mark.parametrize(
    "body",
    [
        "# logger.info('listed')",
        "note = 'logger.info(listed) and REQUESTS.inc()'",
        "import math; math.log(2)",
        "import collections; collections.Counter('abc').update('d')",
        "request.args.get('x')",
    ],
    ids=["comment", "string", "math.log", "collections.Counter", "plain-code"],
)
def test_comments_strings_and_lookalikes_are_not_hooks(tmp_path: Path, body: str) -> None:
    assert codes_in(tmp_path, ROUTE.replace("{body}", body)) == ["OBS101:9"]


def test_decorator_hooks_observe_a_route_and_blueprints_are_routes(tmp_path: Path) -> None:
    source = """\
    from flask import Blueprint
    from obs_core import track_function_metrics
    from opentelemetry import trace

    bp = Blueprint("b", __name__)
    tracer = trace.get_tracer(__name__)

    @bp.get("/a")
    @track_function_metrics("a")
    def a():
        return "a"

    @bp.post("/b")
    @tracer.start_as_current_span("b")
    def b():
        return "b"

    @bp.delete("/c")
    def c():
        return "c"

    @bp.put("/d")
    @track_function_metrics
    def d():
        return "d"

    def helper():
        return "not a route"
    """
    assert codes_in(tmp_path, source) == ["OBS101:19"]


@pytest.mark.parametrize(
    "instrument",
    [
        "from obs_flask import Observability\nObservability(app)",
        "from obs_flask import Observability\nObservability().init_app(app)",
        "from obs_flask import MetricsMiddleware\napp.wsgi_app = MetricsMiddleware(app)",
        "from obs_flask import init_tracing\ninit_tracing(app, service_name='shop')",
    ],
)
def test_an_app_instrumented_by_obs_flask_covers_its_routes(
    tmp_path: Path, instrument: str
) -> None:
    source = ROUTE.replace("{body}", "pass") + "\n" + instrument + "\n"
    assert codes_in(tmp_path, source) == []
    # instrumentation is not a business hook: strict mode still wants all three kinds
    assert codes_in(tmp_path, source, strict=True) == [
        "OBS002:5"
    ]  # the first line that does something: app = Flask(...)


@pytest.mark.parametrize(
    ("call", "flagged"),
    [
        ('log.info(f"order {order_id} paid")', True),
        ('log.info("order %s paid" % order_id)', True),
        ('log.info("order " + str(order_id) + " paid")', True),
        ('log.info("order {} paid".format(order_id))', True),
        ('logging.log(logging.INFO, f"order {order_id}")', True),
        ('logger.error(f"failed {order_id}")', True),
        ('log.info("order %s paid", order_id)', False),
        ('log.info("order paid", extra={"order_id": order_id})', False),
        ('log.info(f"constant f-string")', False),
        ('print(f"{order_id}") if False else None', False),
    ],
)
def test_log_messages_are_not_formatted_eagerly(tmp_path: Path, call: str, flagged: bool) -> None:
    source = f"""\
    import logging
    from loguru import logger

    log = logging.getLogger(__name__)
    order_id = 3
    {call}
    """
    found = [c for c in codes_in(tmp_path, source) if c.startswith("OBS201")]
    assert found == (["OBS201:6"] if flagged else [])


def test_print_is_flagged_unless_it_is_not_the_builtin(tmp_path: Path) -> None:
    assert codes_in(tmp_path, "print('hi')\n") == ["OBS202:1"]
    assert codes_in(tmp_path, "from rich import print\nprint('hi')\n") == []


@pytest.mark.parametrize(
    ("handler", "flagged"),
    [
        ("except ValueError:\n    pass", True),
        ("except Exception:\n    return None", True),
        ("except:\n    value = 0", True),
        ("except Exception:\n    log.exception('charge failed')", False),
        ("except Exception:\n    cleanup()\n    raise", False),
        ("except Exception as exc:\n    trace.get_current_span().record_exception(exc)", False),
        ("except KeyError:\n    value = 0", False),
    ],
)
def test_swallowed_exceptions(tmp_path: Path, handler: str, flagged: bool) -> None:
    source = (
        "import logging\nfrom opentelemetry import trace\nlog = logging.getLogger()\n\n"
        "def charge():\n    try:\n        pay()\n" + textwrap.indent(handler, "    ") + "\n"
    )
    assert codes_in(tmp_path, source) == (["OBS301:8"] if flagged else [])


@pytest.mark.parametrize(
    ("construct", "message"),
    [
        ("Counter('orders', 'd')", "counter without the _total suffix"),
        ("Histogram('latency_ms', 'd')", "non-base unit 'ms'"),
        ("Gauge('payload_kb', 'd')", "non-base unit 'kb'"),
        ("Counter('OrdersPlaced_total', 'd')", "is not snake_case"),
        ("Counter('placed', 'd', namespace='orders')", "'orders_placed' is a counter without"),
        ("Counter('orders_total', 'd')", None),
        ("Histogram('request_duration_seconds', 'd')", None),
        ("Summary('payload', 'd', unit='bytes')", None),
    ],
)
def test_metric_names_follow_prometheus_conventions(
    tmp_path: Path, construct: str, message: str | None
) -> None:
    source = f"from prometheus_client import Counter, Gauge, Histogram, Summary\nM = {construct}\n"
    findings = [f for f in check(tmp_path, source) if f.code == "OBS401"]
    if message is None:
        assert findings == []
    else:
        assert len(findings) == 1 and message in findings[0].message


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ("C = Counter('orders_total', 'd', ['user_id'])", True),
        ("C.labels(request.path).inc()", True),
        ("C.labels(customer=order.customer_id).inc()", True),
        ("C.labels(order_id).inc()", True),
        ("C.labels(route=request.url_rule.rule, status='200').inc()", False),
        ("C.labels('card').inc()", False),
    ],
)
def test_labels_must_stay_bounded(tmp_path: Path, code: str, flagged: bool) -> None:
    source = (
        "from flask import request\nfrom prometheus_client import Counter\n"
        "C = Counter('payments_total', 'd', ['kind'])\n"
        f"{code}\n"
    )
    assert [c for c in codes_in(tmp_path, source) if c.startswith("OBS402")] == (
        ["OBS402:4"] if flagged else []
    )


def test_metrics_are_built_once_at_module_level(tmp_path: Path) -> None:
    source = """\
    from prometheus_client import CollectorRegistry, Counter

    PAID = Counter("paid_total", "d")

    def pay():
        Counter("pay_calls_total", "d").inc()

    def isolated():
        return Counter("isolated_total", "d", registry=CollectorRegistry())
    """
    assert codes_in(tmp_path, source) == ["OBS403:6"]


def test_spans_started_without_with_must_be_ended(tmp_path: Path) -> None:
    source = """\
    from opentelemetry import trace

    tracer = trace.get_tracer(__name__)

    def leaks():
        span = tracer.start_span("leaks")
        work()

    def discards():
        tracer.start_span("discarded")

    def ends():
        span = tracer.start_span("ends")
        try:
            work()
        finally:
            span.end()

    def managed():
        with tracer.start_span("managed"):
            work()

    def hands_over():
        span = tracer.start_span("returned")
        return span
    """
    assert codes_in(tmp_path, source) == ["OBS501:6", "OBS501:10"]


def test_a_broad_handler_that_aborts_with_an_http_error_does_not_swallow(tmp_path: Path) -> None:
    source = """\
    from flask import abort


    def token_user(header):
        try:
            return header.split(" ", 1)[1]
        except Exception:
            abort(401, description="Invalid authorization header")


    def quiet(header):
        try:
            return header.split(" ", 1)[1]
        except Exception:
            return None
    """
    assert codes_in(tmp_path, source) == ["OBS301:14"]
