"""Configuration: kwargs > environment > [tool.obs] > defaults, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from obs_core import ConfigError, load_config


def write_pyproject(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[project]\nname = 'app'\n\n[tool.obs]\n{body}\n")
    return path


def test_defaults_need_no_infrastructure(tmp_path: Path) -> None:
    config = load_config(pyproject=write_pyproject(tmp_path, ""), env={})
    assert config.traces_exporter == ("file",)
    assert config.log_stdout is True
    assert config.shutdown_timeout <= 2.0


def test_precedence_kwargs_over_env_over_pyproject(tmp_path: Path) -> None:
    path = write_pyproject(
        tmp_path, 'service-name = "from-toml"\nlog_level = "DEBUG"\nsampler = "always_off"'
    )
    env = {"OTEL_SERVICE_NAME": "from-env", "OTEL_TRACES_SAMPLER": "traceidratio"}
    config = load_config(pyproject=path, env=env, service_name="from-kwargs")
    assert config.service_name == "from-kwargs"
    assert config.sampler == "traceidratio"
    assert config.log_level == "DEBUG"
    assert load_config(pyproject=path, env=env).service_name == "from-env"
    assert load_config(pyproject=path, env={}).service_name == "from-toml"


def test_standard_otel_variables_are_honoured(tmp_path: Path) -> None:
    env = {
        "OTEL_SERVICE_NAME": "loans",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.25",
        "OTEL_RESOURCE_ATTRIBUTES": "team=lending,region=eu%2Dwest",
        "OTEL_SDK_DISABLED": "true",
        "OTEL_CONSOLE_EXPORT": "true",
        "ENVIRONMENT": "staging",
    }
    config = load_config(pyproject=write_pyproject(tmp_path, ""), env=env)
    assert config.traces_exporter == ("otlp",)  # an endpoint makes OTLP the default
    assert config.otlp_endpoint == "http://127.0.0.1:4317"
    assert config.otlp_traces_endpoint == "http://127.0.0.1:4318/v1/traces"
    assert config.otlp_protocol == "http/protobuf"
    assert config.otlp_timeout == 2.5  # the spec's milliseconds
    assert (config.sampler, config.sampler_arg) == ("parentbased_traceidratio", 0.25)
    assert config.sdk_disabled and config.console_export
    assert config.resource() == {
        "service.name": "loans",
        "deployment.environment": "staging",
        "team": "lending",
        "region": "eu-west",
    }


def test_service_name_from_resource_attributes(tmp_path: Path) -> None:
    env = {"OTEL_RESOURCE_ATTRIBUTES": "service.name=billing"}
    assert load_config(pyproject=write_pyproject(tmp_path, ""), env=env).service_name == "billing"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, ["traces_exporter", "'zipkin'", "console"]),
        ({"OTEL_TRACES_SAMPLER_ARG": "abc"}, ["OTEL_TRACES_SAMPLER_ARG", "'abc'", "a number"]),
        ({"OTEL_TRACES_SAMPLER_ARG": "1.5"}, ["sampler_arg", "1.5", "from 0 to 1"]),
        ({"OTEL_TRACES_SAMPLER": "sometimes"}, ["sampler", "'sometimes'", "traceidratio"]),
        ({"OTEL_RESOURCE_ATTRIBUTES": "team"}, ["OTEL_RESOURCE_ATTRIBUTES", "key=value"]),
        ({"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, ["otlp_protocol", "http/protobuf"]),
        ({"OTEL_CONSOLE_EXPORT": "maybe"}, ["OTEL_CONSOLE_EXPORT", "true or false"]),
        ({"OBS_SHUTDOWN_TIMEOUT": "0"}, ["shutdown_timeout", "positive"]),
    ],
)
def test_a_bad_value_names_the_setting_the_value_and_what_is_accepted(
    tmp_path: Path, env: dict[str, str], named: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(pyproject=write_pyproject(tmp_path, ""), env=env)
    for part in named:
        assert part in str(info.value)


def test_unknown_pyproject_key_is_an_error_naming_it(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, 'servce_name = "typo"')
    with pytest.raises(ConfigError, match=r"\[tool.obs\] servce_name.*service_name"):
        load_config(pyproject=path, env={})


def test_unknown_keyword_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="servicename"):
        load_config(pyproject=write_pyproject(tmp_path, ""), env={}, servicename="x")


def test_pyproject_is_found_above_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pyproject(tmp_path, 'service_name = "found"')
    (tmp_path / "src" / "app").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "src" / "app")
    assert load_config(env={}).service_name == "found"
