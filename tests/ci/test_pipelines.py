"""The shipped GitHub Action, example workflow and pre-commit hook, validated and run."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci.conftest import OBS_CI, Repo

ROOT = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
UNOBSERVED = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
    '@app.get("/pay")\ndef pay():\n    return "paid"\n'
)


@pytest.mark.parametrize(
    ("schema", "document"),
    [
        ("vendor.github-workflows", ".github/workflows/observability.yml"),
        ("vendor.github-actions", "action.yml"),
    ],
)
def test_workflow_and_action_match_githubs_schemas(schema: str, document: str) -> None:
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(ROOT / document)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _step(name: str) -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    step: dict[str, Any] = next(s for s in action["runs"]["steps"] if s.get("name") == name)
    return step


def test_the_actions_check_step_annotates_writes_sarif_and_reports_the_exit_code(
    repo: Repo, tmp_path: Path
) -> None:
    repo.feature({"app/pay.py": UNOBSERVED})
    clone = tmp_path / "checkout"  # what actions/checkout with fetch-depth: 0 leaves
    repo.git("clone", "-q", f"file://{repo.path}", str(clone))
    repo.git("checkout", "-q", "feature", cwd=clone)
    outputs = tmp_path / "github_output"
    outputs.touch()
    env = {
        **repo.env,
        "PATH": f"{OBS_CI.parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_BASE_REF": "main",
        "GITHUB_OUTPUT": str(outputs),
        "BASE": "",
        "PATHS": "",
        "STRICT": "false",
        "SARIF": "obs-ci.sarif",
    }
    done = subprocess.run(
        ["bash", "-e", "-c", _step("Run obs-ci")["run"]],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "::error file=app/pay.py,line=7,col=1" in done.stdout
    assert outputs.read_text() == "exit-code=1\nsarif-exit-code=1\n"
    sarif = json.loads((clone / "obs-ci.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "OBS101"


def test_the_pre_commit_hook_checks_the_files_being_committed(repo: Repo) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "obs-ci")
    assert hook["language"] == "python" and hook["types"] == ["python"]
    command = shlex.split(hook["entry"])
    assert command[0] == "obs-ci"

    repo.write("app/pay.py", UNOBSERVED)
    repo.write("app/fine.py", "import logging\n\nlogging.info('fine')\n")
    repo.git("add", "-A")
    # pre-commit runs the entry with the staged file names appended
    flagged = repo.check(*command[1:], "app/pay.py", "app/fine.py")
    assert flagged.code == 1, flagged
    assert "app/pay.py:7:1: OBS101" in flagged.out
    clean = repo.check(*command[1:], "app/fine.py")
    assert clean.code == 0, clean


def test_the_pre_commit_hook_works_on_a_repositorys_first_commit(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    command = shlex.split(next(h for h in hooks if h["id"] == "obs-ci")["entry"])
    fresh = Repo(tmp_path / "fresh")
    fresh.path.mkdir()
    fresh.git("init", "-q", "-b", "main")
    fresh.write("app/pay.py", UNOBSERVED)
    fresh.git("add", "-A")  # no commit yet: HEAD does not exist
    run = fresh.check(*command[1:], "app/pay.py")
    assert run.code == 1, run
    assert "app/pay.py:7:1: OBS101" in run.out
