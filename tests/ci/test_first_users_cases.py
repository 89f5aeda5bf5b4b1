"""Each case the first users' regex checker got wrong, on a real git repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.conftest import BASE_SERVICE, Repo, run_obs_ci

NEW_ROUTE_HEADER = BASE_SERVICE + "\n\n"


def test_a_hook_only_in_a_comment_does_not_count(repo: Repo) -> None:
    repo.feature(
        {
            "app/service.py": NEW_ROUTE_HEADER
            + """\
@app.route("/orders")
def list_orders():
    # logger.info("listing orders")
    return jsonify([])
"""
        }
    )
    run = repo.check("check")
    assert run.code == 1, run
    assert "app/service.py:16:1: OBS101 route handler `list_orders`" in run.out


def test_collections_counter_is_not_a_prometheus_metric(repo: Repo) -> None:
    repo.feature(
        {
            "app/stats.py": """\
import collections
import logging

from opentelemetry import trace

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


def word_counts(words):
    with tracer.start_as_current_span("word_counts"):
        log.info("counting words", extra={"n": len(words)})
        return collections.Counter(words)
"""
        }
    )
    run = repo.check("check", "--strict")
    assert run.code == 1, run
    assert "OBS002 strict: the changed service code has no metrics hook" in run.out


def test_hooks_in_tests_or_markdown_do_not_cover_service_code(repo: Repo) -> None:
    repo.feature(
        {
            "app/service.py": NEW_ROUTE_HEADER
            + """\
@app.route("/refunds", methods=["POST"])
def refund():
    return jsonify(done=True)
""",
            "tests/test_refund.py": """\
import logging

logger = logging.getLogger(__name__)


def test_refund():
    logger.info("refund tested")
""",
            "docs/refunds.md": "Call `logger.info(...)` and `REFUNDS.inc()` when refunding.\n",
        }
    )
    run = repo.check("check", "--strict")
    assert run.code == 1, run
    assert "OBS101 route handler `refund`" in run.out
    assert "OBS002 strict: the changed service code has no logging hook, metrics hook" in run.out
    assert "tests/test_refund.py" not in run.out


def test_a_logger_call_elsewhere_in_the_file_does_not_cover_a_new_route(repo: Repo) -> None:
    repo.feature(
        {
            "app/service.py": NEW_ROUTE_HEADER
            + """\
@app.route("/invoices/<int:invoice_id>")
def invoice(invoice_id):
    return jsonify(id=invoice_id)
"""
        }
    )
    run = repo.check("check")
    assert run.code == 1, run
    assert "OBS101 route handler `invoice`" in run.out
    assert "`health`" not in run.out, "the unchanged, logged route is not reported"


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("import logging", 'logging.info("order shipped")'),
        ("import logging\n\nlog = logging.getLogger(__name__)", 'log.info("order shipped")'),
        (
            "import logging\n\nlogger = logging.getLogger(__name__)",
            'logger.exception("order shipping failed")',
        ),
    ],
    ids=["logging.info", "log.info", "logger.exception"],
)
def test_logging_info_log_info_and_logger_exception_count_as_logging(
    repo: Repo, imports: str, call: str
) -> None:
    repo.feature(
        {
            "app/shipping.py": f"""\
{imports}

from flask import Blueprint
from obs_core import track_function_metrics
from opentelemetry import trace

bp = Blueprint("shipping", __name__)
tracer = trace.get_tracer(__name__)


@bp.post("/ship")
@track_function_metrics("ship_order")
def ship():
    with tracer.start_as_current_span("ship"):
        {call}
    return "", 204
"""
        }
    )
    run = repo.check("check", "--strict")
    assert run.code == 0, run
    assert "All checks passed (1 changed Python file(s))" in run.out


def test_a_shallow_clone_fails_loudly_with_how_to_fix_it(repo: Repo, tmp_path: Path) -> None:
    repo.feature({"app/service.py": NEW_ROUTE_HEADER + "print('unobserved')\n"})
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth=1", "--no-single-branch", f"file://{repo.path}", str(clone))
    repo.git("checkout", "-q", "feature", cwd=clone)
    run = repo.check("check", cwd=clone)
    assert run.code == 2, run
    assert "shallow clone" in run.err
    assert "git fetch --unshallow" in run.err and "fetch-depth: 0" in run.err


def test_outside_git_it_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text("print('hello')\n")
    run = run_obs_ci("check", cwd=tmp_path)
    assert run.code == 2, run
    assert "not inside a git repository" in run.err and "--diff" in run.err


def test_a_single_branch_shallow_clone_has_no_base_and_says_so(repo: Repo, tmp_path: Path) -> None:
    repo.feature({"app/service.py": NEW_ROUTE_HEADER + "print('unobserved')\n"})
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth=1", "--branch=feature", f"file://{repo.path}", str(clone))
    run = repo.check("check", cwd=clone)
    assert run.code == 2, run
    assert "cannot find a base" in run.err and "shallow clone" in run.err
    assert "git fetch --depth=200 origin <base branch>" in run.err


def test_an_unknown_base_fails_loudly(repo: Repo) -> None:
    repo.feature({"app/service.py": NEW_ROUTE_HEADER + "print('unobserved')\n"})
    run = repo.check("check", "--base", "origin/release")
    assert run.code == 2, run
    assert "cannot resolve base 'origin/release'" in run.err
