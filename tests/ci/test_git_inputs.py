"""Where the change comes from: git against a merge base, a diff file or stdin, whole files."""

from __future__ import annotations

from pathlib import Path

from tests.ci.conftest import BASE_SERVICE, Repo, run_obs_ci

UNOBSERVED = """\
from flask import Flask

app = Flask(__name__)


@app.route("/pay")
def pay():
    return "paid"
"""


def test_a_full_clone_compares_a_feature_with_origin_main(repo: Repo, tmp_path: Path) -> None:
    repo.feature({"app/pay.py": UNOBSERVED})
    clone = tmp_path / "clone"
    repo.git("clone", "-q", f"file://{repo.path}", str(clone))
    repo.git("checkout", "-q", "feature", cwd=clone)  # tracks origin/feature: not a base
    run = repo.check("check", cwd=clone)
    run.assert_findings("app/pay.py:7:1: OBS101")


def test_the_upstream_branch_is_the_default_base(repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", f"file://{repo.path}", str(clone))
    repo.git("checkout", "-q", "-b", "work", "--track", "origin/main", cwd=clone)
    (clone / "app" / "pay.py").write_text(UNOBSERVED)
    repo.git("add", "-A", cwd=clone)
    repo.git("commit", "-q", "-m", "pay", cwd=clone)
    assert "OBS101" in repo.check("check", cwd=clone).out


def test_uncommitted_work_counts_and_paths_narrow_the_check(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/pay.py", UNOBSERVED)
    repo.write("app/other.py", "print('debug')\n")
    repo.git("add", "-A")
    run = repo.check("check", "app/pay.py")
    assert run.code == 1, run
    assert "app/pay.py" in run.out and "app/other.py" not in run.out


def test_new_files_not_yet_added_to_git_are_checked_unless_ignored(repo: Repo) -> None:
    repo.write(".gitignore", "generated/\n")
    repo.commit("ignore generated code")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/pay.py", UNOBSERVED)  # never `git add`ed
    repo.write("generated/client.py", "print('generated')\n")
    for where in (repo.path, repo.path / "generated"):  # from the root or a subfolder
        run = repo.check("check", cwd=where)
        assert run.code == 1, run
        assert "app/pay.py:7:1: OBS101" in run.out
        assert "generated" not in run.out
        assert "in 1 changed Python file(s)" in run.out


def test_only_changed_lines_and_touched_functions_are_reported(repo: Repo) -> None:
    repo.write("app/legacy.py", "def old():\n    print('legacy')\n")
    repo.commit("legacy code with a print")
    repo.feature(
        {
            "app/legacy.py": "def old():\n    print('legacy')\n\n\ndef new():\n    print('new')\n",
        }
    )
    run = repo.check("check")
    assert run.code == 1, run
    assert "app/legacy.py:6:5: OBS202" in run.out
    assert ":2:5:" not in run.out


def test_deleting_the_only_hook_of_a_route_touches_it(repo: Repo) -> None:
    without_hook = BASE_SERVICE.replace('    logger.info("health checked")\n', "")
    repo.feature({"app/service.py": without_hook})
    run = repo.check("check")
    run.assert_findings("OBS101 route handler `health`")


def test_a_diff_file_and_stdin_give_the_same_verdict(repo: Repo) -> None:
    repo.feature({"app/pay.py": UNOBSERVED})
    diff = repo.git("diff", "main...feature")
    (repo.path / "change.diff").write_text(diff)
    from_file = repo.check("check", "--diff", "change.diff")
    from_stdin = repo.check("check", "--diff", "-", stdin=diff)
    assert from_file.code == from_stdin.code == 1
    assert from_file.out == from_stdin.out
    assert "app/pay.py:7:1: OBS101" in from_file.out


def test_explicit_files_count_whole_and_need_no_git(tmp_path: Path) -> None:
    (tmp_path / "pay.py").write_text(UNOBSERVED)
    run = run_obs_ci("check", "--files", "pay.py", cwd=tmp_path)
    assert run.code == 1, run
    assert "pay.py:7:1: OBS101" in run.out


def test_awkward_files_are_handled_without_crashing(repo: Repo) -> None:
    repo.write("app/old_name.py", UNOBSERVED.replace("/pay", "/old"))
    repo.write("app/gone.py", "print('to be deleted')\n")
    repo.commit("files to rename and delete")
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("mv", "app/old_name.py", "app/new_name.py")
    repo.git("rm", "-q", "app/gone.py")
    repo.write("app/with space.py", "print('spaces')\n")
    repo.write("app/broken.py", "def handler(:\n    pass\n")
    (repo.path / "app" / "latin1.py").write_bytes(b"# caf\xe9\nprint('x')\n")
    (repo.path / "app" / "blob.py").write_bytes(b"\x00\x01\x02binary")
    repo.write("notes.txt", "print('not python')\n")
    repo.commit("awkward files")
    run = repo.check("check")
    assert run.code == 1, run
    assert "app/with space.py:1:1: OBS202" in run.out
    assert "app/broken.py:1:13: OBS001 syntax error" in run.out
    assert "app/latin1.py:1:1: OBS001 not UTF-8" in run.out
    assert "app/blob.py:1:1: OBS001 binary file" in run.out
    for untouched in ("new_name.py", "old_name.py", "gone.py", "notes.txt"):
        assert untouched not in run.out


def test_a_missing_explicit_file_is_an_error_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "pay.py").write_text(UNOBSERVED)
    run = run_obs_ci("check", "--files", "pay.py", "pyy.py", cwd=tmp_path)
    assert run.code == 2, run
    assert "pyy.py" in run.err and "does not exist" in run.err


def test_a_diff_naming_files_absent_here_is_an_error_not_a_pass(repo: Repo) -> None:
    repo.feature({"app/pay.py": UNOBSERVED})
    diff = repo.git("diff", "main...feature")
    repo.git("checkout", "-q", "main")  # app/pay.py exists only on the feature branch
    run = repo.check("check", "--diff", "-", stdin=diff)
    assert run.code == 2, run
    assert "app/pay.py" in run.err and "not in the work tree" in run.err


def test_a_directory_is_checked_without_its_ignored_or_hidden_folders(repo: Repo) -> None:
    repo.write(".gitignore", "build/\n")
    repo.write("app/pay.py", UNOBSERVED)
    repo.write("build/lib/generated.py", "print('generated')\n")
    repo.write(".venv/.gitignore", "*\n")  # as uv and virtualenv write it
    repo.write(".venv/lib/site.py", "print('installed')\n")
    run = repo.check("check", "--files", ".")
    assert run.code == 1, run
    assert "app/pay.py:7:1: OBS101" in run.out
    assert "generated.py" not in run.out and "site.py" not in run.out
    assert "All" not in run.out and "in 3 changed Python file(s)" in run.out


def test_files_outside_git_skip_hidden_folders(tmp_path: Path) -> None:
    (tmp_path / "pay.py").write_text(UNOBSERVED)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "site.py").write_text("print('installed')\n")
    run = run_obs_ci("check", "--files", ".", cwd=tmp_path)
    assert run.code == 1, run
    assert "pay.py:7:1: OBS101" in run.out and "site.py" not in run.out


def test_strict_asks_for_hooks_only_when_the_change_adds_code(repo: Repo) -> None:
    repo.write("app/tools.py", "# helpers\n\n\ndef unused():\n    return 1\n\n\nVALUE = 2\n")
    repo.commit("helpers")
    repo.feature({"app/tools.py": "# helpers for the service\n\n\nVALUE = 2\n"})
    run = repo.check("check", "--strict")
    assert run.code == 0, run  # deleting code and rewording a comment add no code

    repo.write("app/tools.py", "# helpers for the service\n\n\nVALUE = 3\n")
    run = repo.check("check", "--strict")
    assert run.code == 0, run  # a constant (a version bump) does nothing to observe

    repo.write("app/tools.py", "# helpers for the service\n\n\nVALUE = int('3')\n")
    run = repo.check("check", "--strict")
    run.assert_findings("app/tools.py:4:1: OBS002 strict")


def test_an_added_line_that_looks_like_a_diff_header_is_still_code(repo: Repo) -> None:
    repo.feature({"app/odd.py": "VALUE = 1\n++ VALUE\nprint('after the odd line')\n"})
    run = repo.check("check")
    run.assert_findings("app/odd.py:3:1: OBS202")


def test_a_diff_whose_blank_context_lines_lost_their_space_keeps_its_numbering(
    repo: Repo,
) -> None:
    repo.feature({"app/service.py": BASE_SERVICE + "\n\nprint('added')\n"})
    diff = repo.git("diff", "-U5", "main...feature")
    stripped = "\n".join(line.rstrip() for line in diff.splitlines()) + "\n"
    assert stripped != diff  # a mail client or a web form trimmed the context lines
    run = repo.check("check", "--diff", "-", stdin=stripped)
    run.assert_findings("app/service.py:15:1: OBS202")


def test_a_file_declaring_its_encoding_is_read_in_it(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    source = "# -*- coding: latin-1 -*-\nNAME = 'café'\nprint(NAME)\n"
    (repo.path / "app" / "legacy.py").write_bytes(source.encode("latin-1"))
    repo.commit("a latin-1 module")
    run = repo.check("check")
    assert run.code == 1, run
    assert run.out.splitlines() == [
        "app/legacy.py:3:1: OBS202 print() in service code; use a logger",
        "Found 1 finding(s) in 1 changed Python file(s).",
    ]


def test_a_file_that_does_not_parse_counts_as_a_changed_file(repo: Repo) -> None:
    repo.feature({"app/broken.py": "def handler(:\n    pass\n"})
    run = repo.check("check")
    assert run.code == 1, run
    assert run.out.splitlines()[-1] == "Found 1 finding(s) in 1 changed Python file(s)."


def test_options_that_contradict_each_other_are_usage_errors(repo: Repo) -> None:
    repo.feature({"app/pay.py": UNOBSERVED})
    for args, said in [
        (("--files", "app/pay.py", "--base", "main"), "--base is for comparing with git"),
        (("--diff", "-", "app/pay.py"), "--diff takes no PATHS"),
        (("--files",), "--files needs PATHS"),
    ]:
        run = repo.check("check", *args, stdin="")
        assert run.code == 2, run
        assert said in run.err


def test_a_clone_whose_default_branch_is_not_main_compares_with_it(
    repo: Repo, tmp_path: Path
) -> None:
    repo.git("branch", "-m", "main", "master")
    repo.feature({"app/pay.py": UNOBSERVED})
    clone = tmp_path / "clone"
    repo.git("checkout", "-q", "master")
    repo.git("clone", "-q", f"file://{repo.path}", str(clone))  # origin/HEAD -> master
    repo.git("checkout", "-q", "feature", cwd=clone)
    run = repo.check("check", cwd=clone)
    assert run.code == 1, run
    assert "app/pay.py:7:1: OBS101" in run.out
