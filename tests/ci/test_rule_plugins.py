"""Rules from plugins: an installed third-party distribution, clashes, failures, listings."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from obs_ci import Rule, RuleLoadError, load_rules
from obs_ci.cli import cli
from obs_core import hookimpl
from obs_core.plugins import register

from tests.ci.conftest import Repo, run_obs_ci


def test_a_rule_from_an_installed_distribution_is_listed_and_runs(tmp_path: Path) -> None:
    listing = run_obs_ci("rules", "--json", cwd=tmp_path)
    assert listing.code == 0, listing
    rows = {row["code"]: row for row in json.loads(listing.out)}
    assert rows["TST101"]["plugin"] == "test_rules"
    assert rows["TST101"]["distribution"] == "obs-test-rules"
    assert rows["OBS101"]["plugin"] == "ci" and rows["OBS101"]["distribution"] == "obs-ci"

    (tmp_path / "worker.py").write_text("import time\n\ntime.sleep(3)\n")
    run = run_obs_ci("check", "--files", "worker.py", cwd=tmp_path)
    assert run.code == 1, run
    assert "worker.py:3:1: TST101 time.sleep() blocks a worker" in run.out


def test_rules_lists_every_rule_and_rule_explains_one(tmp_path: Path) -> None:
    listing = run_obs_ci("rules", cwd=tmp_path)
    for code in ("OBS001", "OBS002", "OBS101", "OBS201", "OBS202", "OBS301", "OBS401", "OBS501"):
        assert code in listing.out
    assert "[test_rules (obs-test-rules)]" in listing.out
    explained = run_obs_ci("rule", "OBS401", cwd=tmp_path)
    assert explained.code == 0
    assert "metric-name" in explained.out and "Example:" in explained.out
    assert "Histogram('latency_ms'" in explained.out
    unknown = run_obs_ci("rule", "OBS999", cwd=tmp_path)
    assert unknown.code == 2 and "unknown rule code 'OBS999'" in unknown.err


def test_a_rule_that_raises_is_an_internal_error_while_the_others_still_run(repo: Repo) -> None:
    repo.feature(
        {
            "app/jobs.py": """\
import time


def explode_here():
    print("still checked")
    time.sleep(1)
"""
        }
    )
    run = repo.check("check", "--format", "json")
    assert run.code == 2, run
    report = json.loads(run.out)
    assert [(e["code"], e["path"]) for e in report["errors"]] == [("TST901", "app/jobs.py")]
    message = report["errors"][0]["message"]
    assert "RuntimeError: obs-test-rules exploded on purpose at " in message, message
    assert re.search(r"\.py:\d+$", message), message  # where in the plugin it raised
    assert {f["code"] for f in report["findings"]} == {"OBS202", "TST101"}


class _Duplicate(Rule):
    code = "OBS101"
    name = "my-route-rule"
    summary = "Clashes with the built-in."


class _BadCode(Rule):
    code = "obs-1"
    name = "bad-code"


class _Provider:
    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = rules

    @hookimpl
    def obs_ci_rules(self) -> Sequence[Rule]:
        return self.rules


def test_a_code_clash_is_a_load_error_naming_both_plugins() -> None:
    register(_Provider([_Duplicate()]), name="acme_rules")
    with pytest.raises(RuleLoadError) as caught:
        load_rules()
    message = str(caught.value)
    assert "OBS101" in message and "ci (obs-ci)" in message and "acme_rules" in message

    # the command stops there: exit 2 and the same message, for listing and checking alike
    for args in (["rules"], ["check", "--files", "."]):
        run = CliRunner().invoke(cli, args)
        assert run.exit_code == 2, run.output
        assert "rule code OBS101 is defined twice" in run.stderr and "acme_rules" in run.stderr


def test_a_badly_shaped_code_is_a_load_error() -> None:
    register(_Provider([_BadCode()]), name="sloppy_rules")
    with pytest.raises(RuleLoadError, match=r"sloppy_rules.*'obs-1'"):
        load_rules()
