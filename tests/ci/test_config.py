"""`[tool.obs-ci]` settings and `noqa` comments, as a project configures them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.ci.conftest import Repo, Run, run_obs_ci

NOISY = """\
import logging

log = logging.getLogger(__name__)
print("debug")
log.info(f"user {log}")
"""


def project(tmp_path: Path, config: str, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.obs-ci]\n' + textwrap.dedent(config)
    )
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def check(root: Path, *args: str) -> Run:
    return run_obs_ci("check", "--files", ".", *args, cwd=root)


def test_select_and_ignore_match_code_prefixes(tmp_path: Path) -> None:
    root = project(tmp_path, 'select = ["OBS2"]\nignore = ["OBS201"]\n', {"app.py": NOISY})
    run = check(root)
    assert run.code == 1, run
    assert "app.py:4:1: OBS202" in run.out and "OBS201" not in run.out
    assert check(root, "--ignore", "OBS2").code == 0
    assert "OBS201" in check(root, "--select", "OBS201").out


def test_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    config = """\
    exclude = ["migrations/"]

    [tool.obs-ci.per-file-ignores]
    "jobs/*.py" = ["OBS202"]
    """
    root = project(
        tmp_path,
        config,
        {"jobs/seed.py": "print('seeding')\n", "migrations/0001.py": "print('x')\n"},
    )
    run = check(root)
    assert run.code == 0, run
    assert "All checks passed (1 changed Python file(s))" in run.out


def test_strict_and_test_paths_from_config(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'strict = true\ntest-paths = ["qa/"]\n',
        {"app.py": "import logging\nlogging.info('up')\n", "qa/check.py": "print('qa')\n"},
    )
    run = check(root)
    assert run.code == 1, run
    assert "OBS002 strict: the changed service code has no metrics hook, tracing hook" in run.out
    assert "qa/check.py" not in run.out


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ('selekt = ["OBS"]\n', "unknown key 'selekt' in [tool.obs-ci]"),
        ('select = ["OBS9"]\n', "unknown rule code or prefix 'OBS9'"),
        (
            '[tool.obs-ci.per-file-ignores]\n"a.py" = ["XYZ1"]\n',
            "unknown rule code or prefix 'XYZ1'",
        ),
        ("strict = 'yes'\n", "strict must be true or false"),
        ('exclude = "migrations/"\n[tool.obs-ci.per-file-ignores]\n"a.py" = 3\n', "'a.py'"),
    ],
)
def test_a_bad_setting_is_an_error_naming_it(tmp_path: Path, config: str, named: str) -> None:
    run = check(project(tmp_path, config, {"app.py": NOISY}))
    assert run.code == 2, run
    assert named in run.err


def test_an_unknown_code_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    run = check(project(tmp_path, "", {"app.py": NOISY}), "--ignore", "OBS777")
    assert run.code == 2 and "unknown rule code or prefix 'OBS777' in the command line" in run.err


def test_noqa_comments_silence_a_line_or_a_file(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "",
        {
            "inline.py": """\
            print("a")  # noqa: OBS202
            print("b")  # noqa
            print("c")  # noqa: OBS201
            HINT = "# noqa"; print("d")
            """,
            "whole.py": "# obs-ci: noqa\nprint('a')\n",
            "partial.py": "# obs-ci: noqa: OBS201\nprint('a')\n",
            "documented.py": '"""Usage:\n# obs-ci: noqa\n"""\nprint("a")\n',
        },
    )
    run = check(root)
    assert run.code == 1, run
    assert sorted(run.out.splitlines()[:-1]) == [
        "documented.py:4:1: OBS202 print() in service code; use a logger",
        "inline.py:3:1: OBS202 print() in service code; use a logger",
        "inline.py:4:18: OBS202 print() in service code; use a logger",
        "partial.py:2:1: OBS202 print() in service code; use a logger",
    ], "a noqa inside a string is text, not a comment"


def test_a_tool_obs_ci_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nobs-ci = ["OBS"]\n')
    (tmp_path / "app.py").write_text(NOISY)
    run = check(tmp_path)
    assert run.code == 2, run
    assert "[tool.obs-ci] must be a table" in run.err


def test_paths_in_a_subproject_config_are_relative_to_its_folder(repo: Repo) -> None:
    repo.write(
        "services/shop/pyproject.toml",
        """\
        [project]
        name = "shop"

        [tool.obs-ci]
        exclude = ["generated.py"]

        [tool.obs-ci.per-file-ignores]
        "jobs/*.py" = ["OBS202"]
        """,
    )
    repo.commit("a subproject")
    repo.feature(
        {
            "services/shop/jobs/seed.py": "print('seeding')\n",
            "services/shop/generated.py": "print('generated')\n",
            "services/shop/app.py": "print('serving')\n",
        }
    )
    run = repo.check("check", cwd=repo.path / "services" / "shop")
    assert run.code == 1, run
    assert run.out.splitlines() == [
        "services/shop/app.py:1:1: OBS202 print() in service code; use a logger",
        "Found 1 finding(s) in 2 changed Python file(s). Not checked: 1 excluded "
        "(--show-files says why).",
    ]


@pytest.mark.parametrize(
    "content", [b'[tool.obs-ci]\nselect = ["OBS\xff"]\n', b"[tool.obs-ci\nselect = 1\n"]
)
def test_an_unreadable_pyproject_is_one_line_naming_it(tmp_path: Path, content: bytes) -> None:
    """Not UTF-8 or not TOML: obs's one pyproject reader refuses it, exit 2, no traceback."""
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "app.py").write_text(NOISY)
    run = check(tmp_path)
    assert run.code == 2, run
    errors = [line for line in run.err.splitlines() if line.startswith("obs-ci: error:")]
    assert len(errors) == 1 and "pyproject.toml" in errors[0] and "Traceback" not in run.err, run
