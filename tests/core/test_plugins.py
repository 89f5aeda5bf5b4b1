"""The plugin registry: real installed distributions, discovered through entry points."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from obs_core import PluginError, PluginWarning, hookimpl, hookspecs, load_errors, plugin_infos
from obs_core.plugins import call_hook, plugin_manager, register
from obs_core.testing import registered_plugin

ROOT = Path(__file__).resolve().parents[2]
OBS = str(Path(sys.executable).with_name("obs"))


def run_obs(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OBS_")}
    return subprocess.run(
        [OBS, *args], capture_output=True, text=True, env={**clean, **env}, timeout=60
    )


def test_obs_plugins_json_lists_builtin_installed_and_broken_plugins() -> None:
    result = run_obs("plugins", "--json")
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    assert plugins["core"]["distribution"] == "obs-core"
    assert "obs_span_exporters" in plugins["core"]["hooks"]
    sink = plugins["test_sink"]
    assert (sink["distribution"], sink["version"]) == ("obs-test-sink", "1.2.3")
    assert sink["hooks"] == ["obs_log_sinks", "obs_register_commands", "obs_resource_attributes"]
    assert sink["error"] is None
    broken = plugins["test_broken"]
    assert broken["distribution"] == "obs-test-broken"
    assert "broken on purpose" in broken["error"]
    # the warning names the entry point, distribution, version and exception
    assert "obs:test_broken = obs_test_broken" in result.stderr
    assert "obs-test-broken 0.0.1" in result.stderr
    assert "RuntimeError" in result.stderr


def test_strict_mode_raises_on_the_broken_plugin() -> None:
    result = run_obs("plugins", OBS_STRICT_PLUGINS="1")
    assert result.returncode != 0
    assert "test_broken" in result.stderr and "broken on purpose" in result.stderr


def test_disable_plugins_blocks_by_name_and_all_shows_them() -> None:
    result = run_obs("plugins", "--json", OBS_DISABLE_PLUGINS="test_sink,test_broken")
    names = [p["name"] for p in json.loads(result.stdout)]
    assert "core" in names
    assert "test_sink" not in names and "test_broken" not in names
    assert result.stderr == ""
    shown = json.loads(
        run_obs("plugins", "--json", "--all", OBS_DISABLE_PLUGINS="test_sink").stdout
    )
    assert {"name": "test_sink", "error": "blocked by OBS_DISABLE_PLUGINS"}.items() <= next(
        p for p in shown if p["name"] == "test_sink"
    ).items()


def test_autoload_off_loads_only_builtins_and_code_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OBS_DISABLE_PLUGIN_AUTOLOAD", "1")

    class InCode:
        @hookimpl
        def obs_resource_attributes(self) -> dict[str, str]:
            return {"in.code": "yes"}

    with registered_plugin(InCode(), "in_code"):
        assert [p.name for p in plugin_infos()] == ["core", "in_code"]
        answers = call_hook("obs_resource_attributes", config=None)
        assert [(a.plugin, a.value) for a in answers] == [("in_code", {"in.code": "yes"})]
    assert [p.name for p in plugin_infos()] == ["core"]


def test_plugin_subcommand_is_added_to_obs() -> None:
    result = run_obs("test-sink-info", OBS_TEST_SINK_FILE="/tmp/x.jsonl")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "test sink writes to /tmp/x.jsonl"


def test_unknown_hook_name_is_rejected_naming_the_plugin() -> None:
    class Typo:
        @hookimpl
        def obs_log_sink(self) -> None:  # the spec is obs_log_sinks
            return None

    with pytest.raises(PluginError, match=r"'typo_plugin'.*obs_log_sink"):
        register(Typo(), "typo_plugin")
    assert plugin_manager().get_plugin("typo_plugin") is None


def test_argument_the_spec_lacks_is_rejected_naming_the_plugin() -> None:
    class ExtraArg:
        @hookimpl
        def obs_log_sinks(self, config: Any, verbose: bool) -> None:
            return None

    with pytest.raises(PluginError, match=r"(?s)'extra_arg'.*verbose"):
        register(ExtraArg(), "extra_arg")


def test_a_hook_that_raises_is_reported_and_the_others_still_answer() -> None:
    class Raises:
        @hookimpl
        def obs_resource_attributes(self) -> dict[str, str]:
            raise KeyError("boom")

    class Works:
        @hookimpl
        def obs_resource_attributes(self) -> dict[str, str]:
            return {"works": "yes"}

    with registered_plugin(Raises(), "raises"), registered_plugin(Works(), "works"):
        with pytest.warns(PluginWarning, match="raises.*obs_resource_attributes raised KeyError"):
            answers = call_hook("obs_resource_attributes", config=None)
        assert ("works", {"works": "yes"}) in [(a.plugin, a.value) for a in answers]
        assert "raises" not in {a.plugin for a in answers}
        assert any(info.name == "raises" for info in load_errors())


def test_first_result_prefers_the_most_recently_registered_plugin() -> None:
    class Mine:
        @hookimpl
        def obs_sampler(self) -> str:
            return "mine"

    with registered_plugin(Mine(), "mine"):
        assert [a.value for a in call_hook("obs_sampler", config=None)] == ["mine"]


def _signature(func: Any) -> str:
    sig = inspect.signature(func)
    params = ", ".join(f"{name}: {p.annotation}" for name, p in sig.parameters.items())
    return f"{func.__name__}({params}) -> {sig.return_annotation}"


HOOKS = [obj for name, obj in vars(hookspecs).items() if name.startswith("obs_") and callable(obj)]
CORE_README = ROOT / "packages" / "obs-core" / "README.md"  # obs-core's manual on PyPI
_REFERENCE_LINE = re.compile(r"- `((obs_[a-z_]+)\(.*\) -> .*)`: (.+)")


def _hook_reference() -> dict[str, tuple[str, str]]:
    """The README's hook reference: each hook's documented signature and summary, by name."""
    lines = CORE_README.read_text(encoding="utf-8").splitlines()
    found = [m for m in map(_REFERENCE_LINE.fullmatch, lines) if m]
    return {m[2]: (m[1], m[3]) for m in found}


def _summary(hook: Any) -> str:
    doc = inspect.getdoc(hook)
    assert doc, f"{hook.__name__} has no docstring"
    return doc.splitlines()[0]


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h.__name__)
def test_every_hook_is_documented_with_its_exact_signature_and_docstring_summary(
    hook: Any,
) -> None:
    documented = _hook_reference()
    assert hook.__name__ in documented, f"obs-core's README lacks a line for {hook.__name__}"
    expected = f"- `{_signature(hook)}`: {_summary(hook)}"
    signature, summary = documented[hook.__name__]
    assert f"- `{signature}`: {summary}" == expected


def test_the_readme_documents_no_hook_that_does_not_exist() -> None:
    readme = CORE_README.read_text(encoding="utf-8")
    mentioned = set(re.findall(r"`(obs_[a-z_]+)\(", readme))
    assert set(_hook_reference()) == mentioned == {h.__name__ for h in HOOKS}


def test_a_bad_setting_stops_obs_demo_with_exit_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.obs]\nsampler = "sometimes"\n')
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "OTEL_"))}
    result = subprocess.run(
        [OBS, "demo", "--port", "0"],
        cwd=tmp_path,
        env={**clean, "OBS_DISABLE_PLUGINS": "test_broken"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "sampler='sometimes'" in result.stderr and "Traceback" not in result.stderr
