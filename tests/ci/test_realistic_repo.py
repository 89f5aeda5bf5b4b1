"""A repository shaped like a real Flask service, and obs-ci's verdict on each commit.

An app factory and blueprints under ``src/``, a service layer, ``scripts/`` and ``deploy/``
command-line tools that print, a tool at the root, a checked-in ``venv/``, tests, a typer
CLI package, a formatter's commit, and an app instrumented through the project's own
wrapper of OpenTelemetry's Flask instrumentation. Every commit is checked as CI would
(``obs-ci check --base <sha>^``), in default and strict mode.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.conftest import Repo

FACTORY = """\
from flask import Flask

from shop.telemetry import setup_telemetry


def create_app():
    app = Flask(__name__)
    setup_telemetry(app)
    from shop.views.orders import bp as orders_bp

    app.register_blueprint(orders_bp)
    return app
"""

TELEMETRY = """\
from opentelemetry.instrumentation.flask import FlaskInstrumentor


def setup_telemetry(app):
    \"\"\"Traces for every request of `app`.\"\"\"
    FlaskInstrumentor().instrument_app(app)
"""

VIEWS = """\
from flask import Blueprint, jsonify, request

from shop.services import orders

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("/<int:order_id>")
def get_order(order_id):
    return jsonify(orders.load(order_id))


@bp.post("/")
def place_order():
    return jsonify(orders.place(request.json)), 201
"""

SERVICES = """\
import logging

log = logging.getLogger(__name__)
_ORDERS = {}


def load(order_id):
    return _ORDERS.get(order_id, {})


def place(payload):
    order_id = len(_ORDERS) + 1
    _ORDERS[order_id] = dict(payload, id=order_id)
    log.info("order placed", extra={"order_id": order_id})
    return _ORDERS[order_id]
"""

REPORT = """\
import argparse

from shop.services import orders


def main():
    parser = argparse.ArgumentParser(description="Order report")
    parser.add_argument("order_id", type=int)
    args = parser.parse_args()
    try:
        print(orders.load(args.order_id))
    except Exception:
        print("no such order")


if __name__ == "__main__":
    main()
"""

CHAOS = """\
import random
import sys


def kill_one(pods):
    victim = random.choice(pods)
    print("killing", victim)
    return victim


if __name__ == "__main__":
    try:
        kill_one(sys.argv[1:])
    except Exception:
        print("nothing to kill")
        sys.exit(1)
"""

ROOT_TOOL = """\
import sys


def main():
    for path in sys.argv[1:]:
        print("cleaning", path)


if __name__ == "__main__":
    main()
"""

VENDORED = """\
def get(url):
    try:
        return open(url)
    except Exception:
        print("failed")
"""

TYPER_MAIN = """\
import typer

from shopctl.export import export_orders

app = typer.Typer()
app.command()(export_orders)
"""

TYPER_EXPORT = """\
def export_orders(path: str) -> None:
    print("exporting to", path)
"""

TEST = """\
from shop import create_app


def test_health():
    print("creating app")
    assert create_app()
"""


def _commit(repo: Repo, message: str, files: dict[str, str]) -> str:
    for relative, text in files.items():
        repo.write(relative, text)
    repo.commit(message)
    return repo.git("rev-parse", "--short", "HEAD").strip()


#: (commit message, files written, default exit code, strict exit code, finding expected)
HISTORY: list[tuple[str, dict[str, str], int, int, str]] = [
    (
        "orders: place orders through the service layer",
        {"src/shop/views/orders.py": VIEWS, "src/shop/services/orders.py": SERVICES},
        0,  # the app is instrumented through setup_telemetry; place() logs
        1,  # strict: the change has logging but no metrics or tracing hook
        "OBS002",
    ),
    (
        "scripts: report prints, catches broadly",
        {"scripts/report.py": REPORT.replace('"no such order"', '"no such order", args.order_id')},
        0,
        0,
        "",
    ),
    (
        "deploy: chaos tool",
        {"deploy/chaos.py": CHAOS.replace("killing", "terminating")},
        0,
        0,
        "",
    ),
    (
        "cleanup tool at the root",
        {"cleanup.py": ROOT_TOOL.replace("cleaning", "removing")},
        0,
        0,
        "",
    ),
    (
        "vendor: upgrade the checked-in virtualenv",
        {"venv/lib/python3.11/site-packages/requests/api.py": VENDORED + "\n\nVERSION = 2\n"},
        0,
        0,
        "",
    ),
    (
        "style: run the formatter",
        {
            "src/shop/views/orders.py": VIEWS.replace('"', "'").replace(
                "return jsonify(orders.place(request.json)), 201",
                "return (\n        jsonify(orders.place(request.json)),\n        201,\n    )",
            ),
            "src/shop/services/orders.py": SERVICES.replace(
                "    _ORDERS[order_id] = dict(payload, id=order_id)\n",
                "    _ORDERS[order_id] = dict(\n        payload,\n        id=order_id,\n    )\n",
            ),
        },
        0,
        0,
        "",
    ),
    (
        "tests: print while debugging",
        {"tests/test_app.py": TEST.replace('"creating app"', '"creating the app"')},
        0,
        0,
        "",
    ),
    (
        "shopctl: export prints progress",
        {
            "src/shopctl/export.py": TYPER_EXPORT + '    print("done")\n',
            "src/shopctl/main.py": TYPER_MAIN
            + "\n\n@app.command()\ndef version():\n    print('1.0')\n",
        },
        0,
        0,
        "",
    ),
    (
        "service: debug print in the service layer",
        {
            "src/shop/services/orders.py": SERVICES.replace(
                "    return _ORDERS.get(order_id, {})",
                '    print("loading", order_id)\n    return _ORDERS.get(order_id, {})',
            )
        },
        1,
        1,
        "src/shop/services/orders.py:8:5: OBS202",
    ),
    (
        "admin: a second app, not instrumented",
        {
            "src/shop/admin.py": (
                "from flask import Flask\n\nadmin = Flask('admin')\n\n\n"
                "@admin.get('/stats')\ndef stats():\n    return '{}'\n"
            )
        },
        1,
        1,
        "src/shop/admin.py:7:1: OBS101",
    ),
    (
        "maintenance: a module with a __main__ block that the app imports",
        {
            "src/shop/maintenance.py": (
                "def vacuum():\n    print('vacuuming')\n\n\n"
                "if __name__ == '__main__':\n    vacuum()\n"
            ),
            "src/shop/views/orders.py": VIEWS.replace(
                "from shop.services import orders\n",
                "from shop import maintenance\nfrom shop.services import orders\n",
            ),
        },
        1,
        1,
        "src/shop/maintenance.py:2:5: OBS202",
    ),
    (
        "orders: cancel, with metrics, a span and a log line",
        {
            "src/shop/services/cancel.py": (
                "import logging\n\nfrom opentelemetry import trace\n"
                "from prometheus_client import Counter\n\n"
                "log = logging.getLogger(__name__)\ntracer = trace.get_tracer(__name__)\n"
                "CANCELLED = Counter('orders_cancelled_total', 'Orders cancelled')\n\n\n"
                "def cancel(order_id):\n"
                "    with tracer.start_as_current_span('cancel'):\n"
                "        CANCELLED.inc()\n"
                "        log.info('order cancelled', extra={'order_id': order_id})\n"
            ),
        },
        0,
        0,
        "",
    ),
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, list[str]]:
    """The repository and the short sha of each commit of `HISTORY`, oldest first."""
    repo = Repo(tmp_path_factory.mktemp("realistic") / "shop")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    _commit(
        repo,
        "the service, its tools and a checked-in virtualenv",
        {
            "pyproject.toml": '[project]\nname = "shop"\nversion = "1.0"\n',
            "src/shop/__init__.py": FACTORY,
            "src/shop/telemetry.py": TELEMETRY,
            "src/shop/views/__init__.py": "",
            "src/shop/views/orders.py": VIEWS.split("\n\n@bp.post")[0] + "\n",
            "src/shop/services/__init__.py": "",
            "src/shop/services/orders.py": SERVICES.split("\n\ndef place")[0] + "\n",
            "wsgi.py": "from shop import create_app\n\napp = create_app()\n",
            "scripts/report.py": REPORT,
            "deploy/chaos.py": CHAOS,
            "cleanup.py": ROOT_TOOL,
            "venv/lib/python3.11/site-packages/requests/api.py": VENDORED,
            "src/shopctl/__init__.py": "",
            "src/shopctl/main.py": TYPER_MAIN,
            "src/shopctl/export.py": TYPER_EXPORT,
            "tests/test_app.py": TEST,
        },
    )
    shas = [_commit(repo, message, files) for message, files, *_ in HISTORY]
    return repo, shas


@pytest.mark.parametrize(
    ("index", "strict"),
    [(i, s) for i in range(len(HISTORY)) for s in (False, True)],
    ids=[
        f"{i}-{HISTORY[i][0][:30]}-{'strict' if s else 'default'}"
        for i in range(len(HISTORY))
        for s in (False, True)
    ],
)
def test_each_commit_gets_the_verdict_a_reviewer_would_give(
    history: tuple[Repo, list[str]], index: int, strict: bool
) -> None:
    repo, shas = history
    _, _, default_code, strict_code, finding = HISTORY[index]
    sha = shas[index]
    worktree = repo.path.parent / f"at-{sha}"
    if not worktree.exists():
        repo.git("worktree", "add", "-q", "--detach", str(worktree), sha)
    run = repo.check("check", "--base", f"{sha}^", *(["--strict"] if strict else []), cwd=worktree)
    assert run.code == (strict_code if strict else default_code), run
    if finding and (strict or finding != "OBS002"):  # OBS002 is strict mode's
        assert finding in run.out, run
    if run.code == 0:
        assert "All checks passed" in run.out, run


def test_show_files_explains_each_class(history: tuple[Repo, list[str]]) -> None:
    repo, _ = history
    first = repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    run = repo.check("check", "--base", first, "--show-files")
    assert run.code == 0, run
    classes = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in run.out.splitlines()}
    assert classes["src/shop/services/orders.py"].startswith("service (imported by ")
    assert classes["src/shop/admin.py"] == "service (builds a web app)"
    assert classes["src/shop/maintenance.py"].startswith("service (imported by ")
    assert classes["scripts/report.py"].startswith("tooling (has an `if __name__")
    assert classes["deploy/chaos.py"].startswith("tooling (")
    assert classes["cleanup.py"].startswith("tooling (")
    assert classes["src/shopctl/main.py"].startswith("tooling (is a command-line program")
    assert (
        classes["src/shopctl/export.py"]
        == "tooling (imported only by tooling (src/shopctl/main.py))"
    )
    assert classes["tests/test_app.py"] == "test (matches test-paths 'tests/')"
    assert classes["venv/lib/python3.11/site-packages/requests/api.py"] == (
        "excluded (matches the default exclude 'site-packages/')"
    )


def test_tooling_that_prints_fails_once_configured_as_service(
    history: tuple[Repo, list[str]], tmp_path: Path
) -> None:
    repo, shas = history
    index = next(i for i, h in enumerate(HISTORY) if h[0].startswith("scripts:"))
    clone = tmp_path / "clone"
    repo.git("worktree", "add", "-q", "--detach", str(clone), shas[index])
    (clone / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.obs-ci]\nservice-paths = ["scripts/"]\n'
    )
    run = repo.check("check", "--base", f"{shas[index]}^", cwd=clone)
    assert run.code == 1, run
    assert "scripts/report.py" in run.out and "OBS202" in run.out
