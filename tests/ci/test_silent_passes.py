"""A run that checks nothing never looks like a pass: it fails or says so."""

from __future__ import annotations

from tests.ci.conftest import Repo

UNOBSERVED = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/x')\n"
    "def x():\n    return 'x'\n"
)


def test_a_path_that_matches_nothing_is_an_error_naming_it(repo: Repo) -> None:
    repo.feature({"app/pay.py": UNOBSERVED})
    run = repo.check("check", "--base", "main", "ap/")
    assert run.code == 2, run
    assert "ap/ matches no file" in run.err
    assert repo.check("check", "--base", "main", "app/").code == 1
    assert repo.check("check", "--base", "main", "app/service.py").code == 0


def test_a_path_the_change_deleted_is_not_a_typo(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("rm", "-q", "app/service.py")
    repo.commit("remove the service")
    run = repo.check("check", "--base", "main", "app/service.py")
    assert run.code == 0, run
    assert "matches no file" not in run.err, run


def test_a_base_equal_to_head_with_nothing_uncommitted_says_so(repo: Repo) -> None:
    run = repo.check("check", "--base", "HEAD")
    assert run.code == 0, run
    assert "is HEAD itself" in run.err
    repo.write("app/pay.py", UNOBSERVED)  # the pre-commit hook's case: uncommitted work
    run = repo.check("check", "--base", "HEAD")
    assert run.code == 1, run
    assert "HEAD itself" not in run.err


def test_an_exclude_that_leaves_nothing_says_so(repo: Repo) -> None:
    repo.write("pyproject.toml", '[tool.obs-ci]\nexclude = ["app/"]\n')
    repo.commit("exclude everything")
    repo.feature({"app/pay.py": UNOBSERVED})
    run = repo.check("check")
    assert run.code == 0, run
    assert "every changed Python file (1) is excluded" in run.err
