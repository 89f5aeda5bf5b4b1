"""Service code, tooling, tests and excluded files: decided with no configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.conftest import BASE_SERVICE, Repo, run_obs_ci

CLI = """\
import argparse


def main():
    parser = argparse.ArgumentParser()
    parser.parse_args()
    print("done")


if __name__ == "__main__":
    main()
"""


def classes(repo: Repo, *args: str) -> dict[str, str]:
    run = repo.check("check", "--show-files", *args)
    assert run.code == 0, run
    return {
        line.split(": ", 1)[0]: line.split(": ", 1)[1].split(" ", 1)[0]
        for line in run.out.splitlines()
    }


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        pytest.param(
            {
                "src/shop/__init__.py": "from flask import Flask\n\n\ndef create_app():\n"
                "    app = Flask(__name__)\n    from .views import bp\n\n"
                "    app.register_blueprint(bp)\n    return app\n",
                "src/shop/views.py": "from flask import Blueprint\n\nfrom .pricing import total\n"
                "\nbp = Blueprint('v', __name__)\n",
                "src/shop/pricing.py": "def total(items):\n    return sum(items)\n",
                "src/shop/tools/seed.py": CLI,
            },
            {
                "src/shop/__init__.py": "service",
                "src/shop/views.py": "service",
                "src/shop/pricing.py": "service",
                "src/shop/tools/seed.py": "tooling",
            },
            id="src-layout-factory-and-blueprint",
        ),
        pytest.param(
            {
                "app.py": "from flask import Flask\n\nimport helpers\n\napp = Flask(__name__)\n\n"
                "if __name__ == '__main__':\n    app.run()\n",
                "helpers.py": "def shout(text):\n    return text.upper()\n",
                "backfill.py": CLI,
            },
            {"app.py": "service", "helpers.py": "service", "backfill.py": "tooling"},
            id="flat-modules",
        ),
        pytest.param(
            {
                "web/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
                "from web import routes  # noqa: E402\n",
                "web/routes.py": "from web import app\nfrom web.admin import cli\n\n\n"
                "@app.route('/')\ndef index():\n    return 'hi'\n",
                "web/admin/cli.py": CLI,
                "manage.py": "import click\n\nfrom web import app\n\n\n@click.command()\n"
                "def reset():\n    print('reset')\n",
            },
            {
                "web/__init__.py": "service",
                "web/routes.py": "service",
                "web/admin/cli.py": "service",  # the app imports it: never tooling
                "manage.py": "tooling",
            },
            id="app-package-with-a-cli-the-app-imports",
        ),
    ],
)
def test_layouts_are_classified_without_configuration(
    repo: Repo, layout: dict[str, str], expected: dict[str, str]
) -> None:
    repo.feature(layout)
    found = classes(repo)
    assert {path: found[path] for path in expected} == expected


def test_what_only_tooling_imports_is_tooling(repo: Repo) -> None:
    repo.feature(
        {
            "report.py": "from report_lib import render\n\n" + CLI,
            "report_lib.py": "def render(rows):\n    print(rows)\n",
            "shopctl/__init__.py": "",
            "shopctl/main.py": "import typer\n\nfrom shopctl import commands\n\n"
            "cli = typer.Typer()\n",
            "shopctl/commands.py": "def sync():\n    print('synced')\n",
        }
    )
    found = classes(repo)
    assert found["report_lib.py"] == "tooling"
    assert found["shopctl/commands.py"] == "tooling"
    run = repo.check("check")
    assert run.code == 0, run
    assert "Not checked: 4 tooling" in run.out  # an empty __init__.py is no change


def test_print_in_service_code_fails_even_in_a_module_with_a_main_block(repo: Repo) -> None:
    repo.feature(
        {
            "app/jobs.py": "def nightly():\n    print('running')\n\n\n"
            "if __name__ == '__main__':\n    nightly()\n",
            "app/service.py": "from app import jobs\n" + BASE_SERVICE,
        }
    )
    run = repo.check("check")
    run.assert_findings("app/jobs.py:2:5: OBS202")


def test_a_plain_module_no_app_imports_is_still_checked(repo: Repo) -> None:
    repo.feature({"app/worker.py": "def handle(job):\n    print(job)\n"})
    run = repo.check("check")
    run.assert_findings("app/worker.py:2:5: OBS202")


def test_settings_override_the_decision(repo: Repo) -> None:
    repo.write(
        "pyproject.toml",
        '[tool.obs-ci]\nservice-paths = ["scripts/"]\ntooling-paths = ["app/worker.py"]\n',
    )
    repo.commit("settings")
    repo.feature({"scripts/report.py": CLI, "app/worker.py": "def handle(job):\n    print(job)\n"})
    found = classes(repo)
    assert found == {"app/worker.py": "tooling", "scripts/report.py": "service"}
    run = repo.check("check")
    assert run.code == 1, run
    assert "scripts/report.py:7:5: OBS202" in run.out and "worker" not in run.out


def test_virtualenvs_and_build_output_are_excluded_by_default(repo: Repo) -> None:
    vendored = "def get():\n    print('vendored')\n"
    repo.feature(
        {
            "venv/lib/python3.11/site-packages/lib/api.py": vendored,
            ".venv/lib/mod.py": vendored,
            "build/lib/app/service.py": vendored,
            "node_modules/x/gen.py": vendored,
        }
    )
    run = repo.check("check")
    assert run.code == 0, run
    assert "every changed Python file (4) is excluded" in run.err
    found = classes(repo)
    assert set(found.values()) == {"excluded"}


def test_extend_exclude_adds_and_exclude_replaces(repo: Repo) -> None:
    repo.write("pyproject.toml", '[tool.obs-ci]\nextend-exclude = ["generated/"]\n')
    repo.commit("settings")
    repo.feature(
        {
            "generated/client.py": "print('generated')\n",
            "venv/lib/mod.py": "print('vendored')\n",
            "app/pay.py": "print('paying')\n",
        }
    )
    run = repo.check("check")
    assert run.code == 1, run
    assert "app/pay.py:1:1: OBS202" in run.out and "generated" not in run.out
    assert "venv" not in run.out

    (repo.path / "pyproject.toml").write_text('[tool.obs-ci]\nexclude = ["generated/"]\n')
    run = repo.check("check")
    assert "venv/lib/mod.py:1:1: OBS202" in run.out, "exclude replaces the defaults"


def test_files_outside_git_are_classified_too(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "seed.py").write_text(CLI)
    (tmp_path / "service.py").write_text("print('serving')\n")
    run = run_obs_ci("check", "--files", ".", cwd=tmp_path)
    assert run.code == 1, run
    assert "service.py:1:1: OBS202" in run.out and "seed" not in run.out
