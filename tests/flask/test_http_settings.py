"""obs-flask owns its HTTP settings, set as every obs setting is, with the same errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from obs_core import ConfigError
from obs_flask import HttpSettings, load_http_settings

from tests.flask.conftest import AppFactory


def write_pyproject(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[project]\nname = 'app'\n\n[tool.obs]\n{body}\n")
    return path


def test_defaults_serve_metrics_and_skip_health_checks(tmp_path: Path) -> None:
    http = load_http_settings(env={}, pyproject=write_pyproject(tmp_path, ""))
    assert http == HttpSettings()
    assert http.metrics_path == "/metrics" and "/healthz" in http.http_exclude_paths
    assert http.http_access_log is True


def test_kwargs_over_env_over_pyproject(tmp_path: Path) -> None:
    path = write_pyproject(
        tmp_path, 'metrics-path = "/toml"\nhttp_duration_buckets = [0.1, 1]\nlog_level = "DEBUG"'
    )
    env = {"OBS_METRICS_PATH": "/env", "OBS_HTTP_ACCESS_LOG": "off"}
    http = load_http_settings({"metrics_path": "/kw"}, env=env, pyproject=path)
    assert (http.metrics_path, http.http_access_log) == ("/kw", False)
    assert http.http_duration_buckets == (0.1, 1.0)
    assert load_http_settings(env=env, pyproject=path).metrics_path == "/env"
    assert load_http_settings(env={}, pyproject=path).metrics_path == "/toml"


_REFUSED = {
    "http_duration_buckets=(1.0, 0.5)": ({"http_duration_buckets": [1, 0.5]}, "increasing numbers"),
    "http_duration_buckets='a'": ({"http_duration_buckets": "a,b"}, "a number"),
    "http_access_log='maybe'": ({"http_access_log": "maybe"}, "true or false"),
    "metrics_basic_auth='***'": ({"metrics_basic_auth": "no-colon"}, "'user:password'"),
    "metrics_paht='/x'": ({"metrics_paht": "/x"}, "metrics_path"),
}


@pytest.mark.parametrize("shown", sorted(_REFUSED))
def test_a_bad_value_is_refused_with_the_shared_words(tmp_path: Path, shown: str) -> None:
    kwargs, accepted = _REFUSED[shown]
    path = write_pyproject(tmp_path, "")
    with pytest.raises(ConfigError, match="expected .*" + re.escape(accepted)) as info:
        load_http_settings(kwargs, env={}, pyproject=path)
    assert str(info.value).startswith(f"invalid {shown}:")
    assert "no-colon" not in str(info.value)  # a secret is never echoed


def test_observability_names_every_keyword_it_takes_when_one_is_misspelt(
    make_app: AppFactory,
) -> None:
    with pytest.raises(ConfigError) as info:
        make_app(metrics_paht="/x")
    message = str(info.value)
    assert "metrics_paht" in message and "metrics_path" in message and "service_name" in message


def test_observability_keeps_what_it_read(make_app: AppFactory) -> None:
    app = make_app(http_access_log=False, service_name="orders")
    obs = app.extensions["obs"]
    assert obs.http.http_access_log is False and obs.http.metrics_path == "/metrics"
    assert obs.config.service_name == "orders"
