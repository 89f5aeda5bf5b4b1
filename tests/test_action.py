"""action.yml: installs outside the pull request's checkout, never hides a missing SARIF report,
and passes actionlint and zizmor. Its steps' scripts run here for real, with bash, pip
and obs-ci, as the runner would run them."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "observability.yml"


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return loaded


def step(name: str) -> dict[str, Any]:
    (found,) = [s for s in action()["runs"]["steps"] if s.get("name") == name]
    return found


def tool(name: str) -> str:
    """A linter from the dev group (next to this interpreter, or on PATH)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is missing: uv sync installs it (dev group)"
    return found


def run_step(
    name: str, cwd: Path, env: dict[str, str], expressions: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run a step's script as the runner does (bash -e -o pipefail); return its outputs."""
    script = step(name)["run"]
    for expression, value in (expressions or {}).items():
        script = script.replace("${{ " + expression + " }}", value)
    assert "${{" not in script  # inputs reach the scripts through env only
    output = cwd.parent / f"{cwd.name}-output"
    output.write_text("")
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, **env, "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result, outputs


def tiny_wheel(folder: Path) -> Path:
    """A real, minimal wheel of a module `probe_pkg` (so pip needs no index)."""
    name = "probe_pkg-1.0-py3-none-any.whl"
    files = {
        "probe_pkg.py": b"INSTALLED = True\n",
        "probe_pkg-1.0.dist-info/METADATA": (
            b"Metadata-Version: 2.1\nName: probe-pkg\nVersion: 1.0\n"
        ),
        "probe_pkg-1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append("probe_pkg-1.0.dist-info/RECORD,,")
    wheel = folder / name
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr("probe_pkg-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


@pytest.mark.slow
def test_install_never_runs_a_pip_py_from_the_pull_request(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"  # the pull request's files
    (checkout / "dist").mkdir(parents=True)
    marker = tmp_path / "pwned"
    (checkout / "pip.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    tiny_wheel(checkout / "dist")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PIP_NO_INDEX": "1"}

    # the attack is real: `python -m pip` in the checkout runs its pip.py
    subprocess.run(["python", "-m", "pip", "--version"], cwd=checkout, env={**os.environ, **env})
    assert marker.exists()
    marker.unlink()

    install = step("Install obs-ci")
    assert install["working-directory"] == "${{ runner.temp }}"
    result, _ = run_step(
        "Install obs-ci",
        cwd=runner_temp,
        env={
            **env,
            "GITHUB_WORKSPACE": str(checkout),
            "PACKAGE": "./dist/probe_pkg-1.0-py3-none-any.whl",
        },
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    check = [str(bin_dir / "python"), "-c", "import probe_pkg; print(probe_pkg.INSTALLED)"]
    assert subprocess.run(check, capture_output=True, text=True).stdout.strip() == "True"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose change adds a print() (one obs-ci finding)."""
    folder = tmp_path / "repo"
    folder.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "0")
    (folder / "app.py").write_text("print('hello')\n")
    git("add", "app.py")
    return folder


def check_env(sarif: str) -> dict[str, str]:
    return {"BASE": "HEAD", "PATHS": "", "STRICT": "false", "SARIF": sarif}


def test_a_sarif_report_that_cannot_be_written_fails_the_job(repo: Path) -> None:
    result, outputs = run_step("Run obs-ci", repo, check_env("/nonexistent/obs-ci.sarif"))
    assert result.returncode == 0  # the step records; the last step decides
    assert outputs == {"exit-code": "1", "sarif-exit-code": "2"}
    assert "::error::obs-ci did not write the SARIF report" in result.stdout
    failed, _ = run_step(
        "Fail on findings or a missing report",
        repo,
        {"CODE": outputs["exit-code"], "SARIF_CODE": outputs["sarif-exit-code"]},
    )
    assert failed.returncode == 2
    assert "could not write the SARIF report" in failed.stdout
    condition = step("Fail on findings or a missing report")["if"]
    assert "sarif-exit-code != '0'" in condition
    upload = step("Upload SARIF")["if"]
    assert "hashFiles" not in upload  # a missing report is no longer skipped in silence


def test_a_written_sarif_report_is_uploaded_and_findings_fail_the_job(repo: Path) -> None:
    result, outputs = run_step("Run obs-ci", repo, check_env("obs-ci.sarif"))
    assert result.returncode == 0, result.stderr
    assert outputs == {"exit-code": "1", "sarif-exit-code": "1"}
    assert (repo / "obs-ci.sarif").stat().st_size > 0
    failed, _ = run_step(
        "Fail on findings or a missing report", repo, {"CODE": "1", "SARIF_CODE": "1"}
    )
    assert failed.returncode == 1


def test_actionlint_passes_the_workflow_and_the_actions_own_steps(tmp_path: Path) -> None:
    """actionlint reads action.yml through the workflow's `uses: ./`; the action's own
    steps are linted (expressions, and their scripts with shellcheck) inside a workflow."""
    inputs = {
        name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
        for name, spec in action()["inputs"].items()
    }
    wrapped = {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": action()["runs"]["steps"]}},
    }
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "action-steps.yml").write_text(yaml.safe_dump(wrapped, sort_keys=False))
    env = {
        **os.environ,
        "PATH": f"{Path(tool('shellcheck')).parent}{os.pathsep}{os.environ['PATH']}",
    }
    for target, cwd in ((folder / "action-steps.yml", tmp_path), (WORKFLOW, ROOT)):
        result = subprocess.run(
            [tool("actionlint"), "-shellcheck", tool("shellcheck"), str(target)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_in_the_action_or_the_workflow() -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(ACTION), str(WORKFLOW)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
