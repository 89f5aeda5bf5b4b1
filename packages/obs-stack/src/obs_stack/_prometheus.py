"""prometheus.yml and rule files from the gathered content."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from obs_stack._content import StackContent

__all__ = ["prometheus_config", "rule_files", "to_container_host"]

_LOCAL = re.compile(r"^(?P<scheme>[a-z]+://)?(127\.0\.0\.1|localhost)(?P<rest>[:/].*)?$")


def to_container_host(address: str) -> str:
    """A host-local address as seen from a container (``host.docker.internal``)."""
    match = _LOCAL.match(address)
    if match is None:
        return address
    return f"{match['scheme'] or ''}host.docker.internal{match['rest'] or ''}"


def _rule_file_name(group_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", group_name).strip("-") + ".rules.yml"


def rule_files(content: StackContent) -> dict[str, dict[str, Any]]:
    """One rule file per group, named after it."""
    return {_rule_file_name(g["name"]): {"groups": [g]} for g in content.rule_groups}


def prometheus_config(
    content: StackContent,
    settings: Mapping[str, Any],
    *,
    alertmanager: str,
    self_address: str,
    in_container: bool,
) -> dict[str, Any]:
    """prometheus.yml: global intervals, Alertmanager, rule files, every scrape config."""
    scrapes = [copy.deepcopy(s) for s in content.scrape_configs]
    if in_container:
        for scrape in scrapes:
            for static in scrape.get("static_configs", []):
                static["targets"] = [to_container_host(t) for t in static.get("targets", [])]
    jobs = {s["job_name"] for s in scrapes}
    for job, target in (("prometheus", self_address), ("alertmanager", alertmanager)):
        if job not in jobs:
            scrapes.append({"job_name": job, "static_configs": [{"targets": [target]}]})
    return {
        "global": {
            "scrape_interval": settings["scrape_interval"],
            "evaluation_interval": settings["evaluation_interval"],
        },
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "rule_files": ["rules/*.rules.yml"],
        "scrape_configs": scrapes,
    }
