"""A third-party-style stack plugin: a business dashboard panel and an alert rule.

It reads the demo's business counter ``loans_approved_total``, as a team that owns a
lending service would publish its own view and alert next to obs-flask's HTTP ones. Its
own setting ``no_loans_for`` (obs-stack does not know it) reaches it from
``[tool.obs.stack]`` like obs-flask's thresholds do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from obs_core import hookimpl

LOANS_RATE = "sum(rate(loans_approved_total[$__rate_interval]))"


@hookimpl
def obs_dashboards(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    datasource = {"type": "prometheus", "uid": settings["prometheus_datasource_uid"]}
    return [
        {
            "uid": "obs-test-business",
            "title": "Lending (test plugin)",
            "tags": ["obs", "business"],
            "schemaVersion": 39,
            "time": {"from": "now-1h", "to": "now"},
            "templating": {"list": []},
            "panels": [
                {
                    "id": 1,
                    "type": "timeseries",
                    "title": "Loans approved per second",
                    "datasource": datasource,
                    "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                    "targets": [{"refId": "A", "expr": LOANS_RATE, "datasource": datasource}],
                }
            ],
        }
    ]


@hookimpl
def obs_alert_rule_groups(settings: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    return [
        {
            "name": "obs-test-business",
            "rules": [
                {
                    "alert": "NoLoansApproved",
                    "expr": "sum(rate(loans_approved_total[30m])) == 0",
                    "for": str(settings.get("no_loans_for", "30m")),
                    "labels": {"severity": "warning"},
                    "annotations": {
                        "summary": "No loan was approved in 30 minutes",
                        "description": "loans_approved_total has not grown for 30 minutes.",
                        "runbook_url": f"{settings['runbook_base_url']}noloansapproved",
                    },
                }
            ],
        }
    ]
