"""Fuzzing obs-ci on a bounded budget: generated valid programs never cause an internal error.

hypothesmith writes programs from Python's grammar (and from libcst's node types); a second
strategy builds long chains out of the very names obs-ci resolves (loggers, metrics,
spans). Each program is written to a real file and checked by every built-in rule, with
all its lines changed and under ``--strict``, then rendered by every reporter; a few
real repositories of generated modules are checked end to end by the command. The budget
is fixed (a number of examples, a deadline per example) and the examples derandomized, so
the suite stays fast and repeatable; raise ``max_examples`` locally to search further.
"""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from obs_ci import ChangedFile, CiConfig, Engine, load_rules
from obs_ci.report import render

from tests.ci.conftest import Repo

FORMATS = ("text", "json", "sarif", "github", "markdown")
PRELUDE = """\
import logging
from flask import Flask
from opentelemetry import trace
from prometheus_client import Counter
log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
ORDERS = Counter("orders_total", "Orders", ["user_id"])
app = Flask(__name__)
"""
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # generated code is odd
BUDGET = settings(
    max_examples=150,
    deadline=5000,  # ms per example (typically under 0.5 s): a slow check is a finding too
    derandomize=True,
    database=None,
    # the grammar allows programs Python rejects: they are filtered out, and that is fine
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def compiles(source: str) -> bool:
    """Whether Python itself accepts the program (the grammar allows some it rejects)."""
    try:
        compile(source, "<fuzz>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        compile(source, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def check(source: str) -> None:
    """Check `source` as a changed service file; obs-ci must not fail on it."""
    rules = [loaded for loaded in load_rules() if loaded.plugin == "ci"]
    codes = {loaded.rule.code for loaded in rules}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "service.py"
        path.write_text(source, encoding="utf-8", errors="surrogatepass")
        for strict in (False, True):
            engine = Engine(rules, CiConfig(strict=strict), codes)
            result = engine.run([ChangedFile("service.py", path)])
            assert result.errors == [], (source, result.errors)
            assert result.files == ["service.py"]
            for fmt in FORMATS:
                assert render(result, fmt)


@pytest.mark.slow
@BUDGET
@given(hypothesmith.from_grammar().filter(compiles))
def test_generated_programs_never_cause_an_internal_error(source: str) -> None:
    check(source)
    check(PRELUDE + source)


@pytest.mark.slow
@settings(BUDGET, max_examples=20)
@given(hypothesmith.from_node().filter(compiles))
def test_generated_syntax_trees_never_cause_an_internal_error(source: str) -> None:
    check(PRELUDE + source)


_RECEIVERS = ("log", "tracer", "ORDERS", "app", "logging", "trace", "self", "request", "x")
_LINKS = (
    ".info",
    ".exception",
    ".bind(order=1)",
    ".labels(user_id=request.user_id)",
    ".labels('a')",
    ".inc()",
    ".start_as_current_span('s')",
    ".start_span('s')",
    ".set_attribute('k', 1)",
    ".logger",
    ".route('/x')",
    ".get",
    ".user_id",
    ".path",
    ".a",
    "()",
    "[0]",
    "('x' + y)",
    "(f'{z}')",
)


@st.composite
def chains(draw: st.DrawFn) -> str:
    """A statement made of one long chain of obs-ci's own vocabulary: runs of one link
    (``.a`` a thousand times, ``.bind(order=1)`` three hundred times) in any order."""
    receiver = draw(st.sampled_from(_RECEIVERS))
    runs = st.tuples(st.sampled_from(_LINKS), st.integers(min_value=1, max_value=1000))
    links = draw(st.lists(runs, min_size=1, max_size=3))
    chain = receiver + "".join(link * repeat for link, repeat in links)
    form = draw(st.sampled_from(("{}", "v = {}", "with {} as s:\n    pass", "@{}\ndef f(): pass")))
    return form.format(chain) + "\n"


@pytest.mark.slow
@settings(BUDGET, max_examples=60)
@given(st.lists(chains(), min_size=1, max_size=3).map("".join).filter(compiles))
def test_long_chains_of_observability_names_never_cause_an_internal_error(source: str) -> None:
    check(PRELUDE + source)


_PROGRAMS = st.lists(hypothesmith.from_grammar().filter(compiles), min_size=2, max_size=5)
_BLUEPRINT = """\
from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.post("/orders")
def place_order():
    return "", 201
"""


@pytest.mark.slow
@settings(BUDGET, max_examples=6, deadline=None)  # each example is a repository and a run
@given(_PROGRAMS, _PROGRAMS)
def test_a_repository_of_generated_modules_never_causes_an_internal_error(
    old: list[str], new: list[str]
) -> None:
    """The whole command on a real repository: the old and new versions of generated
    modules are compared in meaning, classified, and asked whether they instrument an app
    (a changed blueprint route makes obs-ci look at every module naming obs_flask)."""
    with tempfile.TemporaryDirectory() as folder:
        repo = Repo(Path(folder))
        repo.git("init", "-q", "-b", "main")
        for index, source in enumerate(old):
            repo.write(f"shop/m{index}.py", "import obs_flask\n" + source)
        repo.commit("generated modules")
        repo.git("checkout", "-q", "-b", "feature")
        for index, source in enumerate(new):
            repo.write(f"shop/m{index}.py", "import obs_flask\n" + PRELUDE + source)
        repo.write("shop/views.py", _BLUEPRINT)
        repo.commit("generated changes")
        run = repo.check("check", "--strict")
        assert run.code in (0, 1), run
        assert "Traceback" not in run.err, run
        assert "internal error" not in run.out + run.err, run
