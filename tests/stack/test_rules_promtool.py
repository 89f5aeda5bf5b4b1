"""Every rendered alert has a `promtool test rules` unit test showing it firing and quiet.

The tests in ``promtool/`` run against the rule files obs-stack renders with default
settings, using the real promtool.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import require_binary
from tests.stack.conftest import Render

UNIT_TESTS = sorted((Path(__file__).parent / "promtool").glob("*.test.yml"))


def _rules_folder(render_stack: Render) -> Path:
    return render_stack("native") / "native"


def _promtool_test(folder: Path, unit_test: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_binary("promtool"), "test", "rules", unit_test],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("unit_test", UNIT_TESTS, ids=[p.name.split(".")[0] for p in UNIT_TESTS])
def test_promtool_unit_test_passes(unit_test: Path, render_stack: Render) -> None:
    require_binary("promtool")
    folder = _rules_folder(render_stack)
    shutil.copy(unit_test, folder / unit_test.name)
    result = _promtool_test(folder, unit_test.name)
    assert result.returncode == 0, result.stdout + result.stderr


def _error_share_case(errors_per_100: int, fires: bool) -> dict[str, Any]:
    series = 'http_requests_total{{job="app", method="GET", endpoint="/", status="{}"}}'
    return {
        "interval": "1m",
        "input_series": [
            {"series": series.format(200), "values": f"0+{100 - errors_per_100}x20"},
            {"series": series.format(500), "values": f"0+{errors_per_100}x20"},
        ],
        "alert_rule_test": [
            {
                "eval_time": "10m",
                "alertname": "High5xxErrorRate",
                "exp_alerts": [{"exp_labels": {"severity": "critical", "job": "app"}}]
                if fires
                else [],
            }
        ],
    }


def test_a_configured_threshold_moves_where_the_alert_fires(render_stack: Render) -> None:
    """With error_rate_threshold = 0.15 and a 1m for, 10 % errors stay quiet, 20 % fire."""
    require_binary("promtool")
    folder = render_stack("native", error_rate_threshold=0.15, error_rate_for="1m") / "native"
    rules = yaml.safe_load((folder / "rules/obs-http-alerts.rules.yml").read_text())
    for rule in rules["groups"][0]["rules"]:  # compare labels and timing, not the texts
        rule.pop("annotations", None)
    (folder / "rules/obs-http-alerts.rules.yml").write_text(yaml.safe_dump(rules))
    unit_test = {
        "rule_files": ["rules/obs-http-alerts.rules.yml"],
        "evaluation_interval": "1m",
        "tests": [_error_share_case(10, fires=False), _error_share_case(20, fires=True)],
    }
    (folder / "threshold.test.yml").write_text(yaml.safe_dump(unit_test))
    result = _promtool_test(folder, "threshold.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_quiet(render_stack: Render) -> None:
    alerts = set()
    for path in (_rules_folder(render_stack) / "rules").glob("*.rules.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            alerts |= {r["alert"] for r in group["rules"] if "alert" in r}
    firing: set[str] = set()
    quiet: set[str] = set()
    for unit_test in UNIT_TESTS:
        for case in yaml.safe_load(unit_test.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check["exp_alerts"] else quiet).add(check["alertname"])
    assert alerts - firing == set(), "alerts never shown firing"
    assert alerts - quiet == set(), "alerts never shown quiet"
