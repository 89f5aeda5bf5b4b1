"""Hostile input: valid but extreme code, files that are not files, diffs that are not diffs.

obs-ci must never crash, hang or run out of memory on them, and must never pass silently:
each case ends in a finding, a one-line usage error (exit 2), or a clean pass that says so.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

from obs_ci import ChangedFile, CiConfig, Engine, FileContext, LoadedRule, Rule, load_rules

from tests.ci.conftest import OBS_CI, Repo, Run

CHAIN = "import logging\n\nlogging" + ".a" * 1000 + '.info("x")\n'
LABEL_CHAIN = (
    "from prometheus_client import Counter\n\n"
    "ORDERS = Counter('orders_total', 'Orders', ['user'])\n\n\n"
    "def count(order):\n"
    "    ORDERS.labels(user=order" + ".a" * 330 + ".user_id).inc()\n"
)
CONCATENATION = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    "def report(a):\n"
    "    log.info('total: ' + " + " + ".join(["a"] * 1000) + ")\n"
)
PRINT = "print('debug')\n"
FACTORY = """\
from flask import Flask
from obs_flask import Observability


def create_app():
    app = Flask(__name__)
    Observability(app)
    return app
"""
BLUEPRINT = """\
from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.post("/orders")
def place_order():
    return "", 201
"""


def errors_of(run: Run) -> list[str]:
    """obs-ci's own error lines (the broken test plugin's load warning is not one)."""
    return [line for line in run.err.splitlines() if line.startswith("obs-ci: error:")]


def assert_no_crash(run: Run) -> None:
    assert "Traceback" not in run.err, run
    assert "internal error" not in run.out + run.err, run


# -- valid code must not crash obs-ci (item 6) ----------------------------------------


def test_a_thousand_link_attribute_chain_is_checked_and_the_other_files_too(repo: Repo) -> None:
    repo.feature({"app/chain.py": CHAIN, "app/other.py": PRINT})
    run = repo.check("check")
    assert_no_crash(run)
    run.assert_findings("app/other.py:1:1: OBS202", "in 2 changed Python file(s)")


def test_a_modified_file_with_a_thousand_link_chain_is_checked(repo: Repo) -> None:
    repo.write("app/chain.py", CHAIN)
    repo.commit("a long chain")
    repo.feature({"app/chain.py": CHAIN + PRINT})  # old and new versions are compared
    run = repo.check("check")
    assert_no_crash(run)
    run.assert_findings("app/chain.py:4:1: OBS202")


def test_a_330_link_chain_in_a_metric_label_is_reported_as_unbounded(repo: Repo) -> None:
    repo.feature({"app/metrics.py": LABEL_CHAIN})
    run = repo.check("check")
    assert_no_crash(run)
    run.assert_findings("app/metrics.py:7:5: OBS402 label value '(...).a.a.a.user_id' is unbounded")


def test_a_thousand_term_concatenation_in_a_log_message_is_reported(repo: Repo) -> None:
    repo.feature({"app/report.py": CONCATENATION})
    run = repo.check("check")
    assert_no_crash(run)
    run.assert_findings("app/report.py:7:5: OBS201 log message built with concatenation")


def test_a_file_too_deeply_nested_for_the_parser_is_a_finding_and_others_are_checked(
    repo: Repo,
) -> None:
    repo.feature({"app/deep.py": "x = " + "+".join(["1"] * 100_000) + "\n", "app/other.py": PRINT})
    run = repo.check("check")
    assert_no_crash(run)
    assert run.code == 1, run
    assert "app/deep.py:1:1: OBS001 cannot parse: maximum recursion depth exceeded" in run.out
    assert "app/other.py:1:1: OBS202" in run.out


def test_unchanged_modules_that_cannot_be_read_or_parsed_never_fail_the_change(
    repo: Repo,
) -> None:
    # every candidate of the repository-wide look-up of instrumented apps sorts before the
    # real app factory, and each names obs_flask so that it is read and parsed
    repo.write("shop/a_syntax.py", "import obs_flask\ndef broken(:\n")
    repo.write("shop/b_recursion.py", "import obs_flask\nx = " + "+".join(["1"] * 100_000))
    repo.write("shop/c_memory.py", "import obs_flask\nx = " + "-" * 100_000 + "1\n")
    repo.write("shop/d_chain.py", "import obs_flask\n" + CHAIN)
    (repo.path / "shop/e_zero.py").symlink_to("/dev/zero")
    repo.write("shop/z_factory.py", FACTORY)
    repo.commit("an app factory among modules obs-ci cannot follow")
    repo.feature({"shop/views.py": BLUEPRINT})
    run = repo.check("check")
    assert_no_crash(run)
    assert run.code == 0, run
    assert "All checks passed (1 changed Python file(s))" in run.out


class _BreaksTheWalk(Rule):
    """A plugin rule that breaks the engine itself for files named ``bad*``."""

    code = "TST999"
    name = "breaks-the-walk"

    def begin_file(self, ctx: FileContext) -> None:
        if Path(ctx.path).name.startswith("bad"):
            ctx.walk = self._explode  # type: ignore[method-assign]

    def _explode(self, *args: object) -> None:
        raise RuntimeError("the walk broke")


def test_a_crash_outside_the_rules_is_an_internal_error_for_that_file_alone(
    tmp_path: Path,
) -> None:
    (tmp_path / "bad.py").write_text(PRINT)
    (tmp_path / "good.py").write_text(PRINT)
    rules = [loaded for loaded in load_rules() if loaded.plugin == "ci"]
    rule = _BreaksTheWalk()
    rules.append(LoadedRule(rule=rule, plugin="test", distribution=""))
    engine = Engine(rules, CiConfig(), {r.rule.code for r in rules})
    result = engine.run(
        [ChangedFile("bad.py", tmp_path / "bad.py"), ChangedFile("good.py", tmp_path / "good.py")]
    )
    assert [(e.path, e.code) for e in result.errors] == [("bad.py", "OBS000")]
    assert f"RuntimeError: the walk broke at {__file__}:" in result.errors[0].message
    assert [(f.path, f.code) for f in result.findings] == [("good.py", "OBS202")]
    assert result.exit_code == 2


# -- only regular files, with a size cap (item 7) -------------------------------------


def test_a_committed_py_symlink_to_dev_zero_is_a_finding_not_an_out_of_memory(
    repo: Repo,
) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    (repo.path / "app/zero.py").symlink_to("/dev/zero")
    repo.write("app/other.py", PRINT)
    repo.commit("a symlink to /dev/zero")
    run = repo.check("check")
    assert_no_crash(run)
    assert run.code == 1, run
    assert "app/zero.py:1:1: OBS001 not a regular file (a character device)" in run.out
    assert "app/other.py:1:1: OBS202" in run.out


def test_a_folder_given_to_files_reports_its_symlink_to_dev_zero(repo: Repo) -> None:
    (repo.path / "app/zero.py").symlink_to("/dev/zero")
    repo.commit("a symlink to /dev/zero")
    run = repo.check("check", "--files", "app/")
    assert_no_crash(run)
    assert run.code == 1, run
    assert "app/zero.py:1:1: OBS001 not a regular file (a character device)" in run.out


def test_an_untracked_py_symlink_to_dev_stdin_does_not_block(repo: Repo) -> None:
    (repo.path / "app/x.py").symlink_to("/dev/stdin")
    # stdin is a pipe nobody writes to or closes: reading it would block forever
    with subprocess.Popen(
        [str(OBS_CI), "check", "--base", "HEAD"],
        cwd=repo.path,
        env=repo.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        assert process.stdout is not None
        out = process.stdout.read()
    assert process.returncode == 1, out
    assert "app/x.py:1:1: OBS001 not a regular file (a FIFO)" in out


def test_a_fifo_named_py_is_a_finding_not_a_hang(repo: Repo) -> None:
    os.mkfifo(repo.path / "app/pipe.py")
    run = repo.check("check", "--files", "app/pipe.py", "app/service.py")
    assert_no_crash(run)
    assert run.code == 1, run
    assert "app/pipe.py:1:1: OBS001 not a regular file (a FIFO)" in run.out


def test_a_python_file_over_4_mib_is_a_finding(repo: Repo) -> None:
    line = "# " + "x" * 1021 + "\n"  # 1 KiB
    repo.feature({"app/huge.py": line * 4097})
    run = repo.check("check")
    assert_no_crash(run)
    run.assert_findings("app/huge.py:1:1: OBS001 too large (4195328 bytes; obs-ci reads up to")


# -- file names: SARIF and quoted names in a diff (item 8) ----------------------------


def test_sarif_reports_a_file_whose_name_is_not_utf8(repo: Repo, tmp_path: Path) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    name = os.path.join(os.fsencode(repo.path / "app"), b"caf\xe9.py")
    with open(name, "w") as handle:
        handle.write(PRINT)
    repo.commit("a Latin-1 file name")
    run = repo.check("check", "--format", "sarif")
    assert_no_crash(run)
    assert run.code == 1, run
    sarif = json.loads(run.out)
    [result] = sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "app/caf%E9.py"
    report = tmp_path / "report.txt"
    run = repo.check("check", "--output", str(report))
    assert run.code == 1, run
    assert b"app/caf\xe9.py:1:1: OBS202" in report.read_bytes()


def test_a_malformed_quoted_name_in_a_diff_is_a_one_line_usage_error(repo: Repo) -> None:
    diff = '--- a/app/x.py\n+++ "b/app" "x.py"\n@@ -0,0 +1 @@\n+x = 1\n'
    run = repo.check("check", "--diff", "-", stdin=diff)
    assert run.code == 2, run
    assert "Traceback" not in run.err
    assert errors_of(run) == [
        "obs-ci: error: line 2 of the diff has a malformed file name: text after the closing "
        """quote of '"b/app" "x.py"'"""
    ]


def test_a_quoted_octal_escaped_name_in_a_diff_names_the_file(repo: Repo) -> None:
    name = os.path.join(os.fsencode(repo.path / "app"), b"caf\xc3\xa9.py")
    with open(name, "w") as handle:
        handle.write(PRINT)
    diff = '--- /dev/null\n+++ "b/app/caf\\303\\251.py"\n@@ -0,0 +1 @@\n+print("debug")\n'
    run = repo.check("check", "--diff", "-", stdin=diff)
    assert run.code == 1, run
    assert "app/café.py:1:1: OBS202" in run.out


def test_a_diff_with_latin1_content_is_read(repo: Repo) -> None:
    repo.write("app/other.py", PRINT)
    diff = b"--- a/app/other.py\n+++ b/app/other.py\n@@ -0,0 +1 @@\n+print('caf\xe9')\n"
    done = subprocess.run(
        [str(OBS_CI), "check", "--diff", "-"],
        cwd=repo.path,
        env=repo.env,
        input=diff,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done
    assert b"app/other.py:1:1: OBS202" in done.stdout


# -- input that is not a diff (item 9) ------------------------------------------------


def test_empty_stdin_is_not_a_diff(repo: Repo) -> None:
    run = repo.check("check", "--diff", "-", stdin="")
    assert run.code == 2, run
    [error] = errors_of(run)
    assert error.startswith("obs-ci: error: the diff is empty")


def test_text_without_a_diff_header_is_not_a_diff(repo: Repo) -> None:
    run = repo.check("check", "--diff", "-", stdin="fatal: bad revision 'main...'\n")
    assert run.code == 2, run
    [error] = errors_of(run)
    assert error.startswith("obs-ci: error: the diff has no diff header")


def test_the_documented_pipeline_fails_when_git_diff_fails(repo: Repo) -> None:
    manual = Path(__file__).parents[2] / "packages" / "obs-ci" / "README.md"  # its PyPI page
    readme = manual.read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if "| obs-ci check --diff -" in ln]
    command = line.split("#")[0].strip().replace("main...", "no-such-branch...")
    assert command.startswith("set -o pipefail;"), command
    done = subprocess.run(
        ["bash", "-c", command.replace("obs-ci", str(OBS_CI))],
        cwd=repo.path,
        env=repo.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0, done
    assert "no-such-branch" in done.stderr  # git's own error is there to read


def test_a_well_formed_diff_that_changes_no_file_passes_and_says_so(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("rm", "-q", "app/service.py")
    repo.commit("delete the service")
    diff = repo.git("diff", "main...")
    run = repo.check("check", "--diff", "-", stdin=diff)
    assert run.code == 0, run
    assert "obs-ci: warning: the diff adds or modifies no file; nothing to check" in run.err


def test_name_resolution_of_a_long_chain_needs_no_recursion() -> None:
    """The resolution API itself, with almost no stack left: a chain resolves in a loop."""
    links = 900
    tree = ast.parse("import logging\nlogging" + ".a" * links + ".info('x')\n")
    ctx = FileContext("deep.py", "", tree, None)
    call = tree.body[1].value  # type: ignore[attr-defined]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 40)
    try:
        ctx.walk({}, {})
        qualified = ctx.qualname(call.func)
        meaning = ctx.meaning(call)
        role = ctx.role(call.func.value)
    finally:
        sys.setrecursionlimit(limit)
    assert qualified == "logging" + ".a" * links + ".info"
    assert meaning == (None, None)
    assert role is None
