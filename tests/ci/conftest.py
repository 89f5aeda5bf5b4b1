"""Real git repositories and the installed `obs-ci` console script, for the obs-ci tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import require_binary

OBS_CI = Path(sys.executable).with_name("obs-ci")

BASE_SERVICE = """\
import logging

from flask import Flask, jsonify

app = Flask(__name__)
logger = logging.getLogger(__name__)


@app.route("/health")
def health():
    logger.info("health checked")
    return jsonify(status="ok")
"""


class Repo:
    """A git repository in a temporary folder, with `main` as its base branch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Dev",
            "GIT_AUTHOR_EMAIL": "dev@example.com",
            "GIT_COMMITTER_NAME": "Dev",
            "GIT_COMMITTER_EMAIL": "dev@example.com",
        }

    def git(self, *args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(
            [require_binary("git"), *args],
            cwd=cwd or self.path,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def write(self, relative: str, text: str) -> Path:
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def feature(self, files: dict[str, str], name: str = "feature") -> None:
        """A feature branch off main with one commit writing `files`."""
        self.git("checkout", "-q", "-b", name)
        for relative, text in files.items():
            self.write(relative, text)
        self.commit(f"{name}: change")

    def check(self, *args: str, cwd: Path | None = None, stdin: str | None = None) -> Run:
        return run_obs_ci(*args, cwd=cwd or self.path, env=self.env, stdin=stdin)


class Run:
    """One `obs-ci` process: its exit code and output."""

    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.code = done.returncode
        self.out = done.stdout
        self.err = done.stderr

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"

    def assert_findings(self, *lines: str) -> None:
        """The run failed with findings (exit 1) and printed each of `lines`."""
        assert self.code == 1, self
        for line in lines:
            assert line in self.out, self


def run_obs_ci(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> Run:
    """Run the installed console script as a user or a pipeline would."""
    done = subprocess.run(
        [str(OBS_CI), *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Run(done)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A repository whose `main` holds a small Flask service with one logged route."""
    repository = Repo(tmp_path / "service")
    repository.path.mkdir()
    repository.git("init", "-q", "-b", "main")
    repository.write("app/__init__.py", "")
    repository.write("app/service.py", BASE_SERVICE)
    repository.write("README.md", "# service\n")
    repository.commit("base")
    return repository
