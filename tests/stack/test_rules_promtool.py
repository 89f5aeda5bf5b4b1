"""Every rendered alert has a `promtool test rules` unit test showing it firing and quiet.

The tests in ``promtool/`` run against the rule files obs-stack renders with default
settings, using the real promtool.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_binary
from tests.stack.conftest import Render

UNIT_TESTS = sorted((Path(__file__).parent / "promtool").glob("*.test.yml"))


def _rules_folder(render_stack: Render) -> Path:
    return render_stack("native") / "native"


@pytest.mark.parametrize("unit_test", UNIT_TESTS, ids=[p.name.split(".")[0] for p in UNIT_TESTS])
def test_promtool_unit_test_passes(unit_test: Path, render_stack: Render) -> None:
    promtool = require_binary("promtool")
    folder = _rules_folder(render_stack)
    shutil.copy(unit_test, folder / unit_test.name)
    result = subprocess.run(
        [promtool, "test", "rules", unit_test.name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
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
