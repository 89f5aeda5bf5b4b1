"""Secrets in log fields never reach a sink: at any depth, in any holder, through any path."""

from __future__ import annotations

import json
import logging
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loguru import logger as loguru_logger
from obs_core import get_logger, init_logging
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from werkzeug.datastructures import Headers

from tests.core.logfiles import read_lines

SECRET = "hunter2-S3CR3T"


pytestmark = pytest.mark.usefixtures("fresh_logging")


class RaisingStr:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        return "<RaisingStr>"


@dataclass
class Credentials:
    user: str
    password: object


@dataclass
class Wrapper:
    inner: object


class Holder:
    """An object whose repr shows its attributes, secrets included."""

    def __init__(self, **attributes: object) -> None:
        self.__dict__.update(attributes)

    def __repr__(self) -> str:
        return f"Holder({self.__dict__!r})"


class Slotted:
    __slots__ = ("inner", "token")

    def __init__(self, token: object, inner: object) -> None:
        self.token, self.inner = token, inner

    def __repr__(self) -> str:
        return f"Slotted({self.token!r}, {self.inner!r})"


Row = namedtuple("Row", ["name", "api_key"])


def test_a_failed_log_call_writes_its_fields_redacted(log_file: Path) -> None:
    log = get_logger("t")
    log.log("NOPE", "x", password="hunter2", order_id=7)
    log.log(1.5, "x", password="hunter2")  # type: ignore[arg-type]
    log.log([1], "x", password="hunter2")  # type: ignore[arg-type]
    log.info(RaisingStr(), password="hunter2", nested={"token": "hunter2"})
    lines = read_lines(log_file)
    assert len(lines) == 4
    assert "hunter2" not in log_file.read_text()
    assert all("log call failed" in line["obs_error"] for line in lines)
    assert lines[0]["obs_fields"] == {"password": "[REDACTED]", "order_id": 7}
    assert lines[3]["obs_fields"]["nested"] == {"token": "[REDACTED]"}


def test_a_secret_below_any_depth_is_never_written(log_file: Path) -> None:
    deep: object = {"password": "hunter2", "note": "reachable"}
    for _ in range(40):
        deep = {"a": [deep]}
    cycle: list[object] = []
    cycle.append(cycle)
    get_logger("t").info("deep", deep=deep, cycle=cycle, shallow={"a": {"b": {"token": "x"}}})
    text = log_file.read_text()
    assert "hunter2" not in text and "reachable" not in text  # cut, not written as its repr
    (line,) = read_lines(log_file)
    assert "[TOO DEEP]" in text
    assert line["shallow"] == {"a": {"b": {"token": "[REDACTED]"}}}


def test_secrets_in_dataclasses_named_tuples_and_objects_are_redacted_by_name(
    log_file: Path,
) -> None:
    get_logger("t").info(
        "holders",
        creds=Credentials("ann", "hunter2"),
        wrapped=Wrapper({"api_key": "hunter2"}),
        holder=Holder(token="hunter2", n=1),
        slotted=Slotted("hunter2", 2),
        row=Row("ann", "hunter2"),
        plain=Holder(n=1),
    )
    assert "hunter2" not in log_file.read_text()
    (line,) = read_lines(log_file)
    assert line["creds"] == {"user": "ann", "password": "[REDACTED]"}
    assert line["wrapped"] == {"inner": {"api_key": "[REDACTED]"}}
    assert line["holder"] == {"token": "[REDACTED]", "n": 1}  # its attributes, not its repr
    assert line["slotted"] == {"token": "[REDACTED]", "inner": 2}
    assert line["row"] == {"name": "ann", "api_key": "[REDACTED]"}
    assert line["plain"] == "Holder({'n': 1})"  # no secret: written as its repr, as before


def test_name_value_pairs_naming_a_secret_have_their_value_redacted(log_file: Path) -> None:
    get_logger("t").info(
        "request",
        headers=[("Authorization", "Bearer hunter2"), ("Accept", "json")],
        cookies=[["session_token", "hunter2"]],
        werkzeug=Headers([("X-Api-Key", "hunter2"), ("Host", "shop")]),
    )
    assert "hunter2" not in log_file.read_text()
    (line,) = read_lines(log_file)
    assert line["headers"] == [["Authorization", "[REDACTED]"], ["Accept", "json"]]
    assert line["cookies"] == [["session_token", "[REDACTED]"]]
    assert line["werkzeug"] == {"X-Api-Key": "[REDACTED]", "Host": "shop"}


def test_mappings_with_non_str_keys_are_searched_by_the_keys_text(log_file: Path) -> None:
    get_logger("t").info("keys", m={1: "one", ("db", "password"): "hunter2", None: "none"})
    assert "hunter2" not in log_file.read_text()
    (line,) = read_lines(log_file)
    assert line["m"] == {"1": "one", "('db', 'password')": "[REDACTED]", "None": "none"}


def test_a_huge_object_graph_is_cut_not_walked_whole(log_file: Path) -> None:
    wide = [{"i": i, "inner": [i]} for i in range(20_000)]
    get_logger("t").info("big", wide=wide)
    (line,) = read_lines(log_file)
    assert "[TOO BIG]" in line["wide"]
    assert line["wide"][0] == {"i": 0, "inner": [0]}


def test_an_orm_object_is_written_as_its_repr_without_walking_its_session(
    log_file: Path,
) -> None:
    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

        def __repr__(self) -> str:
            return f"<User {self.id}>"

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(User(id=1, name="ann"))
        session.commit()
        user = session.get(User, 1)
        get_logger("t").info("loaded", user=user, private=Holder(_token="hunter2", n=1))
    (line,) = read_lines(log_file)
    assert line["user"] == "<User 1>"
    assert line["private"] == {"_token": "[REDACTED]", "n": 1}


# -- the property: never raises, one JSON line per call, no marked secret anywhere ------

REDACT_WORDS = ["password", "passwd", "token", "authorization", "api_key", "apikey", "secret"]
sensitive_keys = st.builds(
    lambda pre, word, post, upper, dash: (pre + (word.upper() if upper else word) + post).replace(
        "_", "-" if dash else "_"
    ),
    st.sampled_from(["", "x_", "db-", "Client"]),
    st.sampled_from(REDACT_WORDS),
    st.sampled_from(["", "_id", "-hash", "s"]),
    st.booleans(),
    st.booleans(),
)
plain_text = st.text(max_size=12).filter(lambda t: "S3CR3T" not in t)
plain_keys = plain_text.filter(
    lambda k: not any(w in k.lower().replace("-", "_") for w in REDACT_WORDS) and k != "exc_info"
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**64, max_value=2**80),
    st.floats(),
    plain_text,
    st.binary(max_size=8),
)


def holders(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Containers of `children`, each also carrying the secret under a sensitive name."""
    secretive = st.one_of(st.just(SECRET), children)  # what sits under a sensitive key
    return st.one_of(
        st.dictionaries(plain_keys, children, max_size=3).flatmap(
            lambda d: st.tuples(sensitive_keys, secretive).map(lambda kv: {**d, kv[0]: kv[1]})
        ),
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.tuples(sensitive_keys, secretive),  # a (name, value) pair
        st.builds(lambda k, v, c: [[k, v], c], sensitive_keys, secretive, children),
        st.builds(lambda v, c: {7: c, ("db", "password"): v}, secretive, children),
        st.builds(Credentials, plain_text, secretive),
        st.builds(Wrapper, children),
        st.builds(lambda v, c: Holder(token=v, other=c), secretive, children),
        st.builds(lambda c: Holder(other=c), children),
        st.builds(Slotted, secretive, children),
        st.builds(Row, plain_text, secretive),
        st.builds(lambda k, v: Headers([(k, v)]), sensitive_keys, st.just(SECRET)),
    )


values = st.recursive(leaves, holders, max_leaves=25)


def deepen(value: object, levels: int) -> object:
    for n in range(levels):
        value = [value] if n % 2 else {"k": value}
    return value


def call_paths() -> dict[str, Callable[[dict[str, object]], None]]:
    log = get_logger("prop")

    def raising(fields: dict[str, object]) -> None:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed", **fields)

    return {
        "info": lambda f: log.info("msg {x}", **f),
        "args": lambda f: log.warning("a %s b", 1, **f),
        "unknown level": lambda f: log.log("NOPE", "msg", **f),
        "float level": lambda f: log.log(1.5, "msg", **f),  # type: ignore[arg-type]
        "message raises": lambda f: log.error(RaisingStr(), **f),
        "bind": lambda f: log.bind(**f).info("bound"),
        "exc_info": lambda f: log.error("e", exc_info=True, **f),
        "exception": raising,
        "bind, unknown level": lambda f: log.bind(**f).log("NOPE", "bound"),
        "loguru": lambda f: loguru_logger.bind(**f).info("direct"),
        "stdlib": lambda f: logging.getLogger("prop").warning("std %s", 1, extra=f),
    }


STDLIB_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def test_no_marked_secret_is_ever_written_whatever_the_call(tmp_path: Path) -> None:
    log_file = tmp_path / "app.log"
    init_logging(service_name="shop", log_stdout=False, log_file=str(log_file), log_stdlib=True)
    paths = call_paths()

    @settings(max_examples=400, deadline=timedelta(seconds=2), database=None)
    @given(
        path=st.sampled_from(sorted(paths)),
        fields=st.dictionaries(
            st.one_of(plain_keys.filter(str.isidentifier), sensitive_keys).filter(
                lambda k: k not in STDLIB_ATTRIBUTES  # stdlib refuses these in `extra`
            ),
            st.builds(deepen, values, st.integers(0, 40)),
            max_size=4,
        ),
    )
    def check(path: str, fields: dict[str, object]) -> None:
        before = log_file.stat().st_size
        paths[path](fields)  # must not raise
        with log_file.open("rb") as written:
            written.seek(before)
            new = written.read()
        assert new.count(b"\n") == 1 and new.endswith(b"\n")  # one line per call
        json.loads(new)
        assert SECRET.encode() not in new

    check()
