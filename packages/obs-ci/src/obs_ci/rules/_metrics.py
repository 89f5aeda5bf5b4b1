"""Built-in Prometheus rules: metric names, unbounded labels, metrics built per call."""

from __future__ import annotations

import ast
import re

from obs_ci._context import FileContext
from obs_ci._names import METRIC_TYPES
from obs_ci._rule import Rule

__all__ = ["MetricInFunction", "MetricName", "UnboundedLabel", "metric_type"]

_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_NON_BASE_UNITS = frozenset(
    {
        "ms",
        "msec",
        "millis",
        "milliseconds",
        "us",
        "usec",
        "microseconds",
        "ns",
        "nanoseconds",
        "minutes",
        "hours",
        "days",
        "kb",
        "mb",
        "gb",
        "kib",
        "mib",
        "gib",
        "kilobytes",
        "megabytes",
        "gigabytes",
        "percent",
    }
)
_ID_LIKE = re.compile(r"(?i)(^|_)(id|ids|uuid|guid|email|ip|token|session)$")
_SHOWN_LINKS = 4
_RAW_REQUEST = frozenset(
    {"path", "full_path", "url", "base_url", "url_root", "remote_addr", "query_string", "args"}
)


def metric_type(ctx: FileContext, call: ast.Call) -> str | None:
    """``Counter``, ``Histogram``... when the call constructs a prometheus-client metric."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr not in METRIC_TYPES:
        return None
    qualified = ctx.qualname(func)
    if qualified is None or not qualified.startswith("prometheus_client."):
        return None
    last = qualified.rpartition(".")[2]
    return last if last in METRIC_TYPES else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    return call.args[position] if len(call.args) > position else _keyword(call, name)


class MetricName(Rule):
    """Prometheus naming conventions, checked where the metric is constructed."""

    code = "OBS401"
    name = "metric-name"
    summary = "A Prometheus metric name breaks the conventions (_total, base units, snake_case)."
    rationale = (
        "Names are the API of a metric: counters end in `_total`, durations are in seconds "
        "and sizes in bytes (base units, never `_ms` or `_kb`), and names are snake_case so "
        "queries, dashboards and alerts stay predictable."
    )
    example = (
        "Counter('orders', 'Orders placed')                # OBS401: counter without _total\n"
        "Histogram('latency_ms', 'Request latency')        # OBS401: use _seconds"
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        kind = metric_type(ctx, node)
        if kind is None:
            return
        name = _text(_argument(node, 0, "name"))
        if name is None:
            return
        parts = [_text(_keyword(node, "namespace")), _text(_keyword(node, "subsystem")), name]
        full = "_".join(part for part in parts if part)
        unit = _text(_keyword(node, "unit"))
        if unit:
            full = f"{full}_{unit}"
        problems = []
        if not _SNAKE.fullmatch(full):
            problems.append("is not snake_case")
        units = sorted(set(full.lower().split("_")) & _NON_BASE_UNITS)
        if units:
            problems.append(f"uses non-base unit {units[0]!r} (use seconds, bytes or a ratio)")
        if kind == "Counter" and not full.endswith("_total"):
            problems.append("is a counter without the _total suffix")
        if problems:
            ctx.report(self, node, f"metric name {full!r} " + "; ".join(problems))


def _describe(node: ast.Attribute) -> str:
    """``user.id`` for a label value; a long chain keeps only its last links."""
    attrs: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute) and len(attrs) < _SHOWN_LINKS:
        attrs.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        attrs.append(current.id)
    elif isinstance(current, ast.Call) and isinstance(current.func, ast.Name):
        attrs.append(f"{current.func.id}()")
    else:
        attrs.append("(...)")
    return ".".join(reversed(attrs))


def _unbounded(expr: ast.AST) -> str | None:
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and _ID_LIKE.search(node.id):
            return node.id
        if isinstance(node, ast.Attribute):
            if _ID_LIKE.search(node.attr):
                return _describe(node)
            if (
                node.attr in _RAW_REQUEST
                and isinstance(node.value, ast.Name)
                and node.value.id == "request"
            ):
                return _describe(node)
    return None


class UnboundedLabel(Rule):
    """A label whose values are unbounded: ids, e-mails, raw paths."""

    code = "OBS402"
    name = "unbounded-label"
    summary = "A metric label is fed from an unbounded value (a user or order id, a raw path)."
    rationale = (
        "Every label value is a new time series; ids, e-mails and raw URLs grow without "
        "bound and take Prometheus down. Label by route template, status or type; put ids "
        "on spans and logs."
    )
    example = (
        "REQUESTS.labels(path=request.path).inc()      # OBS402: use the route template\n"
        "ORDERS.labels(user_id=user.id).inc()           # OBS402"
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "labels":
            if ctx.meaning(node)[0] != "metrics":
                return
            for value in [*node.args, *(kw.value for kw in node.keywords)]:
                culprit = _unbounded(value)
                if culprit is not None:
                    ctx.report(self, node, f"label value {culprit!r} is unbounded")
                    return
            return
        if metric_type(ctx, node) is None:
            return
        names = _argument(node, 2, "labelnames")
        if isinstance(names, ast.List | ast.Tuple):
            for element in names.elts:
                label = _text(element)
                if label is not None and _ID_LIKE.search(label):
                    ctx.report(self, node, f"label {label!r} takes unbounded values")
                    return


class MetricInFunction(Rule):
    """A metric built inside a function: registered again at every call."""

    code = "OBS403"
    name = "metric-in-function"
    summary = "A Prometheus metric is constructed inside a function body."
    rationale = (
        "Metrics register themselves on construction; building one per call raises "
        "`Duplicated timeseries` on the second call or leaks collectors. Define metrics at "
        "module level (passing `registry=` explicitly is allowed for factories and tests)."
    )
    example = (
        "def pay(order):\n"
        "    Counter('payments_total', 'Payments').inc()   # OBS403: move to module level"
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        kind = metric_type(ctx, node)
        if kind is None or _keyword(node, "registry") is not None:
            return
        function = ctx.function
        if function is not None:
            where = getattr(function, "name", "<lambda>")
            message = f"{kind} constructed inside `{where}`; define it at module level"
            ctx.report(self, node, message)
