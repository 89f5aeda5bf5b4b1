"""/metrics auth under hostile headers: a real server, raw bytes on the wire, 401 not 500."""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from obs_core.testing import capture_logs
from obs_flask import HttpSettings, authorizer
from werkzeug.serving import BaseWSGIServer, make_server

from tests.flask.conftest import AppFactory

Scrape = Callable[[bytes | None], int]


@pytest.fixture
def serve(make_app: AppFactory) -> Iterator[Callable[..., Scrape]]:
    """Start the orders app with `settings` on 127.0.0.1; scrape() sends raw header bytes."""
    servers: list[BaseWSGIServer] = []

    def start(**settings: object) -> Scrape:
        server = make_server("127.0.0.1", 0, make_app(**settings), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

        def scrape(authorization: bytes | None) -> int:
            head = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            if authorization is not None:
                head += b"Authorization: " + authorization + b"\r\n"
            with socket.create_connection(server.server_address[:2], timeout=10) as conn:
                conn.sendall(head + b"\r\n")
                reply = b""
                while chunk := conn.recv(65536):
                    reply += chunk
            return int(reply.split(b" ", 2)[1])

        return scrape

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def basic(credentials: bytes) -> bytes:
    return b"Basic " + base64.b64encode(credentials)


HOSTILE = [
    b"",
    b"Bearer",
    b"Bearer ",
    b"Bearer t\xc3\xb6ken",  # UTF-8 on the wire
    b"Bearer t\xf6ken",  # latin-1 on the wire
    b"Bearer \xff\xfe\x00",
    b"\xe2\x98\x83 s3cret",
    b"Basic !!!not-base64!!!",
    b"Basic cHJvbQ",  # bad padding
    basic(b"prom"),  # no colon
    basic(b"\xff\xfe:\x00"),
    b"Digest s3cret",
    b"s3cret",
]


def test_hostile_authorization_headers_get_401_not_500_and_log_no_error(
    serve: Callable[..., Scrape],
) -> None:
    for settings_ in ({"metrics_bearer_token": "s3cret"}, {"metrics_basic_auth": "prom:pa55"}):
        scrape = serve(**settings_)
        with capture_logs() as logs:
            statuses = {header: scrape(header) for header in HOSTILE}
        assert set(statuses.values()) == {401}, statuses
        assert [line for line in logs if line["level"] in {"ERROR", "CRITICAL"}] == []


def test_the_scheme_is_case_insensitive(serve: Callable[..., Scrape]) -> None:
    bearer = serve(metrics_bearer_token="s3cret")
    for scheme in (b"Bearer", b"bearer", b"BEARER", b"bEaReR"):
        assert bearer(scheme + b" s3cret") == 200
    assert bearer(b"Bearer  s3cret ") == 200  # extra spaces around the token are not part of it
    assert bearer(b"Bearer s3cre") == 401
    assert bearer(b"Basic s3cret") == 401
    basic_ = serve(metrics_basic_auth="prom:pa55")
    token = base64.b64encode(b"prom:pa55")
    for scheme in (b"Basic", b"basic", b"BASIC"):
        assert basic_(scheme + b" " + token) == 200


def test_a_non_ascii_token_works_when_the_client_sends_it_as_utf8(
    serve: Callable[..., Scrape],
) -> None:
    bearer = serve(metrics_bearer_token="tökén-🔑")
    assert bearer("Bearer tökén-🔑".encode()) == 200
    assert bearer("Bearer tokén-🔑".encode()) == 401
    assert bearer(None) == 401
    basic_ = serve(metrics_basic_auth="prométhée:pässwörd")
    assert basic_(basic("prométhée:pässwörd".encode())) == 200
    assert basic_(basic("prométhée:pässwörd".encode("latin-1"))) == 401


def test_no_authorization_header_can_make_metrics_fail(serve: Callable[..., Scrape]) -> None:
    scrape = serve(metrics_bearer_token="s3cret")

    @settings(max_examples=150, deadline=timedelta(seconds=5), database=None)
    @given(
        header=st.binary(max_size=64).filter(lambda b: b"\r" not in b and b"\n" not in b),
        scheme=st.sampled_from([b"", b"Bearer ", b"bearer ", b"Basic ", b"BASIC "]),
    )
    def check(header: bytes, scheme: bytes) -> None:
        assume(header.strip(b" \t") != b"s3cret")
        assert scrape(scheme + header) in {401, 400}  # 400: the server refused the request

    check()


def test_the_reusable_check_never_shows_its_secret() -> None:
    settings_ = HttpSettings(metrics_bearer_token="s3cret")
    assert "s3cret" not in repr(settings_)
    check = authorizer(settings_)
    assert check is not None
    assert check("bearer s3cret") and not check("Bearer s3cret\u2603") and not check(None)
    assert "s3cret" not in repr(check)
    assert authorizer(HttpSettings()) is None  # no credentials: /metrics is open
