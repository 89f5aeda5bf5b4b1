"""A change counts where the code changed in meaning, never where only its text did."""

from __future__ import annotations

from tests.ci.conftest import Repo

UNOBSERVED = """\
import os, sys
from flask import Flask

app = Flask(__name__)


@app.route('/pay')
def pay():
    '''Pay.'''
    amount = {'total': 1,
              'currency': 'EUR'}
    return amount


@app.route('/refund')
def refund(): return {'refunded': True}
"""

FORMATTED = """\
import os
import sys

from flask import Flask

app = Flask(__name__)


@app.route("/pay")
def pay():
    \"\"\"Pay for an order.

    Docstrings are documentation, not code.
    \"\"\"
    # the amount, in cents
    amount = {"total": 1, "currency": "EUR"}
    return amount


@app.route("/refund")
def refund():
    return {
        "refunded": True,
    }
"""


def test_a_formatters_commit_asks_for_nothing(repo: Repo) -> None:
    repo.write("app/pay.py", UNOBSERVED)
    repo.commit("routes from before obs-ci")
    repo.feature({"app/pay.py": FORMATTED})
    assert repo.check("check").code == 0
    run = repo.check("check", "--strict")
    assert run.code == 0, run


def test_a_real_change_next_to_formatting_is_still_judged(repo: Repo) -> None:
    repo.write("app/pay.py", UNOBSERVED)
    repo.commit("routes from before obs-ci")
    repo.feature({"app/pay.py": FORMATTED.replace("return {\n", "return {\n        'by': 1,\n")})
    run = repo.check("check")
    assert run.code == 1, run
    assert "OBS101 route handler `refund`" in run.out and "`pay`" not in run.out


def test_changing_a_statement_changes_the_function(repo: Repo) -> None:
    repo.write("app/pay.py", UNOBSERVED)
    repo.commit("routes from before obs-ci")
    repo.feature(
        {
            "app/pay.py": UNOBSERVED.replace(
                "    amount = {'total': 1,\n              'currency': 'EUR'}\n",
                "    amount = None\n",
            )
        }
    )
    run = repo.check("check")
    assert run.code == 1, run
    assert "OBS101 route handler `pay`" in run.out


def test_moving_a_function_is_not_a_change(repo: Repo) -> None:
    repo.write("app/pay.py", UNOBSERVED)
    repo.commit("routes from before obs-ci")
    pay, refund = UNOBSERVED.split("\n\n\n@app.route('/pay')")[1].split("\n\n\n")
    head = UNOBSERVED.split("\n\n\n@app.route('/pay')")[0]
    moved = f"{head}\n\n\n{refund}\n\n\n@app.route('/pay'){pay}\n"
    repo.feature({"app/pay.py": moved})
    run = repo.check("check")
    assert run.code == 0, run


def test_a_renamed_file_is_compared_with_its_old_self(repo: Repo) -> None:
    repo.write("app/pay.py", UNOBSERVED)
    repo.commit("routes from before obs-ci")
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("mv", "app/pay.py", "app/payments.py")
    repo.write("app/payments.py", UNOBSERVED.replace("import os, sys", "import os\nimport sys"))
    repo.commit("rename and format")
    run = repo.check("check")
    assert run.code == 0, run
