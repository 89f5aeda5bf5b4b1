"""One exception root: users catch `obs_core.ObsError`; the CLIs report one as one line."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import obs_ci
import obs_core
import obs_flask
import obs_stack
import pytest
from obs_core import ConfigError, ObsError

# obs-flask's demo is a sample *application*: its PaymentDeclined is the app's own error.
_SAMPLE_APP = "obs_flask.demo"


def _exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in (obs_core, obs_flask, obs_ci, obs_stack):
        names = [package.__name__]
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
        for name in names:
            if name.startswith(_SAMPLE_APP) or name.endswith("__main__"):
                continue
            module = importlib.import_module(name)
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, BaseException)
                    and not issubclass(value, Warning)  # warned, never raised: PluginWarning
                    and value.__module__ == name
                ):
                    found[f"{name}.{value.__qualname__}"] = value
    return list(found.values())


def test_every_exception_obs_defines_derives_from_obs_error() -> None:
    classes = _exception_classes()
    names = {cls.__name__ for cls in classes}
    assert {"ObsError", "ConfigError", "PluginError", "NativeError", "ContentError"} <= names
    assert {"GitError", "InputError", "RuleLoadError", "DiffError", "NotSource"} <= names
    strays = [
        f"{cls.__module__}.{cls.__qualname__}" for cls in classes if not issubclass(cls, ObsError)
    ]
    assert strays == []
    assert issubclass(ConfigError, ValueError)  # code that caught ValueError keeps working
    assert issubclass(obs_ci.ConfigError, ConfigError)  # obs-ci's settings errors are obs's


_COMMANDS = {
    "obs-stack": [sys.executable, "-m", "obs_stack"],
    "obs": [sys.executable, "-c", "from obs_core.cli import main; main()"],
}


def _run(command: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "OTEL_"))}
    env["PYTHONWARNINGS"] = "ignore::UserWarning"  # the test env's deliberately broken plugin
    command_line = [*_COMMANDS[command], *args]
    return subprocess.run(
        command_line, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("command", "args", "table", "named"),
    [
        (
            "obs-stack",
            ("render", "out"),
            "[tool.obs.stack]\nprometheus_port = 0",
            "prometheus_port=0",
        ),
        ("obs-stack", ("render", "out", "--set", "grafana_port=x"), "", "grafana_port='x'"),
        ("obs-stack", ("render", "out"), "[tool.obs]\nstack = 5", "[tool.obs.stack]"),
        ("obs", ("traces",), '[tool.obs]\nlog_levle = "DEBUG"', "log_levle"),
    ],
)
def test_a_cli_given_a_bad_setting_exits_2_with_one_line(
    tmp_path: Path, command: str, args: tuple[str, ...], table: str, named: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "svc"\nversion = "0"\n\n{table}\n')
    result = _run(command, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: invalid "), result.stderr
    assert named in lines[0]
    assert not (tmp_path / "out").exists()
