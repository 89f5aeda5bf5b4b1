"""SARIF 2.1.0: stable ruleIds, repo-relative URIs, partial fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Any
from urllib.parse import quote

from obs_core import distribution_version

from obs_ci._engine import Result
from obs_ci._model import Finding

__all__ = ["SARIF_SCHEMA", "render_sarif", "sarif_log"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    """A repo-relative URI: the file name's bytes percent-encoded, whatever their encoding
    (``caf\\xe9.py`` is ``caf%E9.py``)."""
    return quote(os.fsencode(path))


def _fingerprints(findings: list[Finding]) -> list[str]:
    """Stable across line moves: the code, the path and the message, then ``:n`` to tell
    apart the same problem found n times in a file (code scanning merges equal prints)."""
    seen: Counter[str] = Counter()
    prints = []
    for finding in findings:
        raw = f"{finding.code}\0{finding.path}\0{finding.message}".encode(errors="surrogateescape")
        digest = hashlib.sha256(raw).hexdigest()[:32]
        seen[digest] += 1
        prints.append(f"{digest}:{seen[digest]}")
    return prints


def sarif_log(result: Result) -> dict[str, Any]:
    """The SARIF log as a dict."""
    rules = [loaded.rule for loaded in result.rules]
    index = {rule.code: position for position, rule in enumerate(rules)}
    version = distribution_version("obs-ci") or "0"
    descriptors = []
    for loaded in result.rules:
        rule = loaded.rule
        descriptors.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary or rule.name},
                "fullDescription": {"text": rule.rationale or rule.summary or rule.name},
                "help": {"text": f"{rule.rationale}\n\nExample:\n{rule.example}".strip()},
                "defaultConfiguration": {"level": "error"},
                "properties": {"plugin": loaded.source},
            }
        )
    results = []
    for finding, fingerprint in zip(result.findings, _fingerprints(result.findings), strict=True):
        entry: dict[str, Any] = {
            "ruleId": finding.code,
            "level": "error",
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": _uri(finding.path),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {
                            "startLine": finding.line,
                            "startColumn": finding.column,
                            "endLine": max(finding.end_line, finding.line),
                        },
                    }
                }
            ],
            "partialFingerprints": {"obsCi/v1": fingerprint},
            "properties": {"fileClass": finding.file_class},
        }
        if finding.code in index:
            entry["ruleIndex"] = index[finding.code]
        results.append(entry)
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "descriptor": {"id": error.code},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(error.path), "uriBaseId": "%SRCROOT%"}
                    }
                }
            ],
        }
        for error in result.errors
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "obs-ci",
                        "version": version,
                        "informationUri": "https://pypi.org/project/obs-ci/",
                        "rules": descriptors,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }


def render_sarif(result: Result) -> str:
    """The SARIF log as text."""
    return json.dumps(sarif_log(result), indent=2) + "\n"
