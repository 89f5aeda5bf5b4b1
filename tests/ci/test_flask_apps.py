"""OBS101 across modules: blueprints and imported apps of an app obs-flask instruments."""

from __future__ import annotations

from tests.ci.conftest import Repo

FACTORY = """\
from flask import Flask
from obs_flask import Observability


def create_app():
    app = Flask(__name__)
    Observability(app)
    from shop.views import bp

    app.register_blueprint(bp)
    return app
"""

UNINSTRUMENTED_FACTORY = FACTORY.replace("from obs_flask import Observability\n", "").replace(
    "    Observability(app)\n", ""
)

BLUEPRINT_VIEWS = """\
from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.post("/orders")
def place_order():
    return "", 201
"""


def shop(repo: Repo, factory: str) -> None:
    repo.write("shop/__init__.py", factory)
    repo.commit("the app factory")


def test_blueprint_routes_are_covered_when_the_repository_instruments_the_app(
    repo: Repo,
) -> None:
    shop(repo, FACTORY)
    repo.feature({"shop/views.py": BLUEPRINT_VIEWS})
    run = repo.check("check")
    assert run.code == 0, run
    assert "All checks passed (1 changed Python file(s))" in run.out


def test_blueprint_routes_are_flagged_when_no_app_is_instrumented(repo: Repo) -> None:
    shop(repo, UNINSTRUMENTED_FACTORY)
    repo.feature({"shop/views.py": BLUEPRINT_VIEWS})
    run = repo.check("check")
    assert run.code == 1, run
    assert "shop/views.py:7:1: OBS101 route handler `place_order`" in run.out


def test_instrumentation_in_tests_does_not_cover_service_routes(repo: Repo) -> None:
    shop(repo, UNINSTRUMENTED_FACTORY)
    repo.write("tests/conftest.py", FACTORY)
    repo.commit("a test fixture instruments an app")
    repo.feature({"shop/views.py": BLUEPRINT_VIEWS})
    run = repo.check("check")
    assert run.code == 1, run
    assert "OBS101 route handler `place_order`" in run.out


def test_an_uninstrumented_app_of_its_own_is_flagged_whatever_else_is_instrumented(
    repo: Repo,
) -> None:
    shop(repo, FACTORY)
    admin = """\
    from flask import Flask

    admin = Flask("admin")


    @admin.get("/stats")
    def stats():
        return "{}"
    """
    repo.feature({"shop/admin.py": admin})
    run = repo.check("check")
    assert run.code == 1, run
    assert "shop/admin.py:7:1: OBS101 route handler `stats`" in run.out


def test_routes_on_an_imported_app_are_routes(repo: Repo) -> None:
    views = """\
    from shop.wsgi import app


    @app.get("/ping")
    def ping():
        return "pong"
    """
    shop(repo, UNINSTRUMENTED_FACTORY)
    repo.feature({"shop/ping.py": views})
    run = repo.check("check")
    assert run.code == 1, run
    assert "shop/ping.py:5:1: OBS101 route handler `ping`" in run.out

    repo.write("shop/wsgi.py", "from shop import create_app\n\napp = create_app()\n")
    repo.write("shop/__init__.py", FACTORY)  # now the app is instrumented (uncommitted)
    assert repo.check("check").code == 0
