"""What obs-flask contributes to the stack: the HTTP dashboard and alert rules.

obs-stack calls these hooks with its merged settings (defaults < ``[tool.obs.stack]`` <
flags). obs-stack always passes its own keys (``job``, ``runbook_base_url``,
``prometheus_datasource_uid``); the thresholds and objectives below belong to these
rules, so their defaults live here and obs-stack passes on whatever the user set. A key
no plugin reads is refused by obs-stack, so a misspelt threshold never silently keeps
its default. The dashboard is built with grafana-foundation-sdk, which obs-stack
installs: it is imported only when the stack asks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from obs_core import hookimpl
from obs_core import settings as checks

# The SRE workbook's multiwindow multi-burn-rate alerts: (severity, burn rate, long, short).
_BURN_WINDOWS = (
    ("critical", 14.4, "1h", "5m"),
    ("critical", 6.0, "6h", "30m"),
    ("warning", 1.0, "3d", "6h"),
)
_SLO_WINDOWS = ("5m", "30m", "1h", "6h", "3d")

# The settings these rules read, with their defaults (numbers, or Prometheus durations).
_THRESHOLDS: dict[str, float | str] = {
    "rate_window": "5m",
    "error_rate_threshold": 0.05,
    "error_rate_for": "2m",
    "latency_p95_threshold": 2.0,
    "latency_for": "5m",
    "exception_rate_threshold": 1.0,
    "exception_for": "2m",
    "service_down_for": "1m",
    "abnormal_rate_factor": 3.0,
    "abnormal_rate_min": 1.0,
    "abnormal_for": "10m",
    "slo_availability": 0.999,
    "slo_latency": 0.99,
    "slo_latency_seconds": 0.5,
}


_RATIOS = frozenset({"slo_availability", "slo_latency"})  # objectives: 0 < x < 1
_TABLE = "[tool.obs.stack]"  # where users set these; obs-stack hands them to the hooks


def _number(settings: Mapping[str, Any], key: str) -> float:
    """A threshold (>= 0), the SLO latency (> 0) or an objective (0 < x < 1)."""
    value = settings.get(key, _THRESHOLDS[key])
    setting = f"{_TABLE} {key}"
    if key in _RATIOS:
        return checks.ratio(setting, value)
    return checks.number(setting, value, exclusive=key == "slo_latency_seconds")


def _duration(settings: Mapping[str, Any], key: str) -> str:
    """A Prometheus duration greater than zero."""
    return checks.duration(f"{_TABLE} {key}", settings.get(key, _THRESHOLDS[key]))


def _le(seconds: float) -> str:
    """The ``le`` label prometheus-client writes for a bucket bound (``0.5``, ``1.0``)."""
    return repr(float(seconds))


# -- alert rules -----------------------------------------------------------------------


def _alert(
    settings: Mapping[str, Any],
    name: str,
    expr: str,
    duration: str | None,
    severity: str,
    summary: str,
    description: str,
) -> dict[str, Any]:
    rule: dict[str, Any] = {"alert": name, "expr": expr}
    if duration:
        rule["for"] = duration
    rule["labels"] = {"severity": severity}
    rule["annotations"] = {
        "summary": summary,
        "description": description,
        "runbook_url": f"{settings['runbook_base_url']}{name.lower()}",
    }
    return rule


def http_alert_rules(settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The five HTTP alerts the first users defined, with configurable thresholds."""
    w = _duration(settings, "rate_window")
    job = settings["job"]
    errors = _number(settings, "error_rate_threshold")
    latency = _number(settings, "latency_p95_threshold")
    exceptions = _number(settings, "exception_rate_threshold")
    factor = _number(settings, "abnormal_rate_factor")
    minimum = _number(settings, "abnormal_rate_min")
    rate = f"sum by (job) (rate(http_requests_total[{w}]))"
    baseline = "sum by (job) (rate(http_requests_total[1h]))"
    return [
        _alert(
            settings,
            "High5xxErrorRate",
            f'sum by (job) (rate(http_requests_total{{status=~"5.."}}[{w}])) / {rate} > {errors}',
            _duration(settings, "error_rate_for"),
            "critical",
            "{{ $labels.job }}: {{ $value | humanizePercentage }} of requests fail with 5xx",
            f"More than {errors:.0%} of HTTP requests to {{{{ $labels.job }}}} answered 5xx "
            f"over {w}.",
        ),
        _alert(
            settings,
            "HighRequestLatency",
            "histogram_quantile(0.95, sum by (job, le) "
            f"(rate(http_request_duration_seconds_bucket[{w}]))) > {latency}",
            _duration(settings, "latency_for"),
            "warning",
            "{{ $labels.job }}: p95 latency is {{ $value | humanizeDuration }}",
            f"The 95th percentile of HTTP request duration of {{{{ $labels.job }}}} is above "
            f"{latency} s over {w}.",
        ),
        _alert(
            settings,
            "ExceptionSpike",
            f"sum by (job) (rate(http_requests_exceptions_total[{w}])) > {exceptions}",
            _duration(settings, "exception_for"),
            "warning",
            "{{ $labels.job }}: {{ $value | humanize }} unhandled exceptions per second",
            f"Views of {{{{ $labels.job }}}} raise more than {exceptions} exceptions per second "
            f"over {w}.",
        ),
        _alert(
            settings,
            "ServiceDown",
            f'up{{job="{job}"}} == 0',
            _duration(settings, "service_down_for"),
            "critical",
            "{{ $labels.job }} on {{ $labels.instance }} is down",
            "Prometheus cannot scrape {{ $labels.instance }} of job {{ $labels.job }}.",
        ),
        _alert(
            settings,
            "AbnormalRequestRate",
            f"({rate} > {factor} * {baseline} or {rate} < {baseline} / {factor}) "
            f"and {baseline} > {minimum}",
            _duration(settings, "abnormal_for"),
            "warning",
            "{{ $labels.job }}: request rate is unusual ({{ $value | humanize }} req/s)",
            f"The request rate of {{{{ $labels.job }}}} over {w} is more than {factor}x above or "
            "below its average of the last hour.",
        ),
    ]


def _slo_ratios() -> dict[str, str]:
    return {
        "errors": 'sum by (job) (rate(http_requests_total{{status=~"5.."}}[{w}])) '
        "/ sum by (job) (rate(http_requests_total[{w}]))",
        "slow": "1 - (sum by (job) "
        '(rate(http_request_duration_seconds_bucket{{le="{le}"}}[{w}])) '
        "/ sum by (job) (rate(http_request_duration_seconds_count[{w}])))",
    }


def slo_recording_rules(settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Error and slow-request ratios over every window the burn-rate alerts read."""
    le = _le(_number(settings, "slo_latency_seconds"))
    return [
        {"record": f"job:http_requests_{kind}:ratio_rate{w}", "expr": template.format(w=w, le=le)}
        for kind, template in _slo_ratios().items()
        for w in _SLO_WINDOWS
    ]


def _burn_expr(kind: str, budget: float, windows: Sequence[tuple[str, float, str, str]]) -> str:
    parts = [
        f"(job:http_requests_{kind}:ratio_rate{long} > {rate} * {budget:g} "
        f"and job:http_requests_{kind}:ratio_rate{short} > {rate} * {budget:g})"
        for _, rate, long, short in windows
    ]
    return " or ".join(parts)


def slo_alert_rules(settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Page on a fast burn (14.4x over 1h/5m, 6x over 6h/30m), ticket on 1x over 3d/6h."""
    availability = _number(settings, "slo_availability")
    latency = _number(settings, "slo_latency")
    threshold = _number(settings, "slo_latency_seconds")
    fast = [w for w in _BURN_WINDOWS if w[0] == "critical"]
    slow = [w for w in _BURN_WINDOWS if w[0] == "warning"]
    objectives = (
        ("Availability", "errors", 1 - availability, f"{availability:.3%} of requests succeed"),
        ("Latency", "slow", 1 - latency, f"{latency:.2%} of requests finish in {threshold} s"),
    )
    rules = []
    for name, kind, budget, objective in objectives:
        for speed, windows, severity in (("Fast", fast, "critical"), ("Slow", slow, "warning")):
            rules.append(
                _alert(
                    settings,
                    f"{name}SLO{speed}Burn",
                    _burn_expr(kind, budget, windows),
                    None,
                    severity,
                    f"{{{{ $labels.job }}}} burns its {name.lower()} error budget "
                    + ("fast" if speed == "Fast" else "slowly"),
                    f"Objective: {objective}. At this burn rate the 30-day error budget "
                    + ("runs out within days." if speed == "Fast" else "runs out this month."),
                )
            )
    return rules


@hookimpl
def obs_alert_rule_groups(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """The HTTP alerts and the SLO burn-rate alerts with their recording rules."""
    return [
        {"name": "obs-http-alerts", "rules": http_alert_rules(settings)},
        {"name": "obs-http-slo-recording", "rules": slo_recording_rules(settings)},
        {"name": "obs-http-slo-alerts", "rules": slo_alert_rules(settings)},
    ]


# -- dashboard -------------------------------------------------------------------------

_SEL = 'job=~"$job", instance=~"$instance", endpoint=~"$endpoint"'


def http_dashboard(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The HTTP dashboard: the seven panels users expect, filtered by job/instance/endpoint."""
    from grafana_foundation_sdk.builders import dashboard as db
    from grafana_foundation_sdk.builders import heatmap, piechart, table, timeseries
    from grafana_foundation_sdk.builders import prometheus as prom
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models.dashboard import DataSourceRef, VariableRefresh
    from grafana_foundation_sdk.models.prometheus import PromQueryFormat

    ds = DataSourceRef(type_val="prometheus", uid=settings["prometheus_datasource_uid"])

    def query(expr: str, legend: str, ref: str, exemplar: bool = False) -> prom.Dataquery:
        q = prom.Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(ds)
        return q.exemplar(True) if exemplar else q

    def variable(name: str, source: str) -> db.QueryVariable:
        return (
            db.QueryVariable(name)
            .label(name)
            .datasource(ds)
            .query(f"label_values({source}, {name})")
            .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
            .include_all(True)
            .all_value(".*")
            .multi(True)
        )

    requests = f"http_requests_total{{{_SEL}}}"
    buckets = f"http_request_duration_seconds_bucket{{{_SEL}}}"
    ratio = (
        '(sum(rate(http_requests_total{{status=~"{c}..", {s}}}[$__rate_interval])) or vector(0))'
    )
    total = f"sum(rate({requests}[$__rate_interval]))"
    quantile = "histogram_quantile({q}, sum by (le) (rate({b}[$__rate_interval])))"

    built = (
        db.Dashboard("HTTP service")
        .uid("obs-http")
        .description("RED metrics of services instrumented by obs-flask")
        .tags(["obs", "http"])
        .refresh("30s")
        .time("now-1h", "now")
        .with_variable(variable("job", "http_requests_total"))
        .with_variable(variable("instance", 'http_requests_total{job=~"$job"}'))
        .with_variable(
            variable("endpoint", 'http_requests_total{job=~"$job", instance=~"$instance"}')
        )
        .with_panel(
            timeseries.Panel()
            .id(1)
            .title("Request rate")
            .unit("reqps")
            .datasource(ds)
            .with_target(query(total, "total", "A"))
            .with_target(
                query(
                    f"sum by (endpoint) (rate({requests}[$__rate_interval]))", "{{endpoint}}", "B"
                )
            )
            .span(12)
            .height(8)
        )
        .with_panel(
            timeseries.Panel()
            .id(2)
            .title("Latency p50 / p95 / p99")
            .description("Exemplars link each point to its trace in Jaeger")
            .unit("s")
            .datasource(ds)
            .with_target(query(quantile.format(q=0.5, b=buckets), "p50", "A", exemplar=True))
            .with_target(query(quantile.format(q=0.95, b=buckets), "p95", "B", exemplar=True))
            .with_target(query(quantile.format(q=0.99, b=buckets), "p99", "C", exemplar=True))
            .span(12)
            .height(8)
        )
        .with_panel(
            timeseries.Panel()
            .id(3)
            .title("Error ratio (4xx, 5xx)")
            .unit("percentunit")
            .datasource(ds)
            .with_target(query(f"{ratio.format(c=4, s=_SEL)} / {total}", "4xx", "A"))
            .with_target(query(f"{ratio.format(c=5, s=_SEL)} / {total}", "5xx", "B"))
            .span(12)
            .height(8)
        )
        .with_panel(
            table.Panel()
            .id(4)
            .title("Top endpoints")
            .datasource(ds)
            .with_target(
                query(
                    f"topk(10, sum by (method, endpoint) (increase({requests}[$__range])))",
                    "{{method}} {{endpoint}}",
                    "A",
                )
                .instant()
                .format(PromQueryFormat.TABLE)
            )
            .span(12)
            .height(8)
        )
        .with_panel(
            timeseries.Panel()
            .id(5)
            .title("Exception rate by type")
            .unit("ops")
            .datasource(ds)
            .with_target(
                query(
                    "sum by (exception_type) "
                    f"(rate(http_requests_exceptions_total{{{_SEL}}}[$__rate_interval]))",
                    "{{exception_type}}",
                    "A",
                )
            )
            .span(12)
            .height(8)
        )
        .with_panel(
            piechart.Panel()
            .id(6)
            .title("Status codes")
            .datasource(ds)
            .with_target(
                query(
                    f"sum by (status) (increase({requests}[$__range]))", "{{status}}", "A"
                ).instant()
            )
            .span(12)
            .height(8)
        )
        .with_panel(
            heatmap.Panel()
            .id(7)
            .title("Request duration heatmap")
            .datasource(ds)
            .with_target(
                query(f"sum by (le) (increase({buckets}[$__rate_interval]))", "{{le}}", "A").format(
                    PromQueryFormat.HEATMAP
                )
            )
            .span(24)
            .height(9)
        )
        .build()
    )
    model: dict[str, Any] = json.loads(json.dumps(built, cls=JSONEncoder))
    return model


@hookimpl
def obs_dashboards(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    """The HTTP dashboard, when grafana-foundation-sdk (an obs-stack dependency) is there."""
    try:
        return [http_dashboard(settings)]
    except ImportError:
        return None
