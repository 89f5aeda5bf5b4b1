"""Hooks are called through pluggy's hook caller, with obs's per-plugin isolation around it.

A plugin author can rely on what pluggy documents: tryfirst/trylast order, firstresult,
``wrapper=True``, ``optionalhook`` and hook-call monitoring, for every obs hook call.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from obs_ci import RuleLoadError, load_rules
from obs_core import (
    ConfigError,
    LogSink,
    ObsConfig,
    PluginError,
    PluginWarning,
    configure,
    hookimpl,
)
from obs_core.plugins import call_hook, hook_items, load_errors, plugin_manager
from obs_core.testing import registered_plugin
from obs_stack import gather, load_settings


def _plugin(name: str, **opts: bool) -> object:
    """A plugin answering obs_resource_attributes with its own name, marked with `opts`."""

    def obs_resource_attributes() -> dict[str, str]:
        return {"answered.by": name}

    return SimpleNamespace(obs_resource_attributes=hookimpl(**opts)(obs_resource_attributes))


def test_obs_calls_in_the_order_pluggy_calls(tmp_path: Path) -> None:
    with (
        registered_plugin(_plugin("plain_early"), "plain_early"),
        registered_plugin(_plugin("first", tryfirst=True), "first"),
        registered_plugin(_plugin("last", trylast=True), "last"),
        registered_plugin(_plugin("plain_late"), "plain_late"),
    ):
        answers = call_hook("obs_resource_attributes", config=None)
        pluggy_order = plugin_manager().hook.obs_resource_attributes(config=None)
    assert [answer.value for answer in answers] == pluggy_order
    names = [answer.value["answered.by"] for answer in answers if "answered.by" in answer.value]
    assert names == ["first", "plain_late", "plain_early", "last"]
    # and each answer is attributed to the plugin that gave it
    assert all(a.plugin == a.value["answered.by"] for a in answers if "answered.by" in a.value)


def test_first_result_stops_at_the_first_answer_and_tryfirst_goes_first() -> None:
    asked: list[str] = []

    class Eager:
        @hookimpl(tryfirst=True)
        def obs_sampler(self) -> str:
            asked.append("eager")
            return "eager"

    class Plain:
        @hookimpl
        def obs_sampler(self) -> str:
            asked.append("plain")
            return "plain"

    with registered_plugin(Eager(), "eager"), registered_plugin(Plain(), "plain"):
        answers = call_hook("obs_sampler", config=None)
    assert [(a.plugin, a.value) for a in answers] == [("eager", "eager")]
    assert asked == ["eager"]  # firstresult: nobody else was asked


def test_a_wrapper_wraps_the_other_plugins_and_is_not_an_answer() -> None:
    class Prefix:
        @hookimpl(wrapper=True)
        def obs_configure(self, config: ObsConfig) -> Generator[None, None, None]:
            result = yield  # every plain implementation runs here
            config.service_name = f"wrapped-{config.service_name}"
            return result

    class Rename:
        @hookimpl
        def obs_configure(self, config: ObsConfig) -> None:
            config.service_name = "renamed"

    with registered_plugin(Prefix(), "prefix"), registered_plugin(Rename(), "rename"):
        assert configure(service_name="orders").service_name == "wrapped-renamed"


def test_a_wrapper_can_change_the_answers_without_being_one() -> None:
    class NoStdout:
        @hookimpl(wrapper=True)
        def obs_log_sinks(self) -> Generator[None, list[Any], list[Any]]:
            answers = yield
            return [[s for s in answer if s.name != "stdout"] for answer in answers]

    config = configure(log_stdout=True)
    with registered_plugin(NoStdout(), "no_stdout"):
        sinks = hook_items("obs_log_sinks", LogSink, "a LogSink", config=config)
    assert "stdout" not in {answer.value.name for answer in sinks}
    assert "stdout" in {
        a.value.name for a in hook_items("obs_log_sinks", LogSink, "", config=config)
    }


def test_a_failing_wrapper_is_reported_and_the_answers_pass_through() -> None:
    class Broken:
        @hookimpl(wrapper=True)
        def obs_resource_attributes(self) -> Generator[None, Any, Any]:
            raise RuntimeError("wrapper broke")
            yield  # pragma: no cover

    with (
        registered_plugin(Broken(), "broken_wrapper"),
        registered_plugin(_plugin("ok"), "ok"),
        pytest.warns(PluginWarning, match="broken_wrapper.*obs_resource_attributes raised Run"),
    ):
        answers = call_hook("obs_resource_attributes", config=None)
    assert ("ok", {"answered.by": "ok"}) in [(a.plugin, a.value) for a in answers]
    assert any(info.name == "broken_wrapper" for info in load_errors())


def test_a_wrong_answer_is_skipped_with_a_warning_naming_the_plugin() -> None:
    class Sloppy:
        @hookimpl
        def obs_log_sinks(self) -> Sequence[object]:
            return ["stdout please"]

    config = configure(log_stdout=True)
    with (
        registered_plugin(Sloppy(), "sloppy"),
        pytest.warns(PluginWarning, match=r"obs plugin 'sloppy': obs_log_sinks returned "),
    ):
        sinks = hook_items("obs_log_sinks", LogSink, "a LogSink", config=config)
    assert [a.value.name for a in sinks] == ["stdout"]


def test_an_optional_hook_with_no_spec_is_accepted() -> None:
    class Future:
        @hookimpl(optionalhook=True)
        def obs_hook_of_a_later_version(self) -> None:
            return None

    class Unmarked:
        @hookimpl
        def obs_hook_of_a_later_version(self) -> None:
            return None

    with registered_plugin(Future(), "future"):
        assert plugin_manager().get_plugin("future") is not None
    # without the mark the same hook is refused: the mark is what let it in
    with (
        pytest.raises(PluginError, match=r"'unmarked'.*obs_hook_of_a_later_version"),
        registered_plugin(Unmarked(), "unmarked"),
    ):
        pass  # pragma: no cover
    assert plugin_manager().get_plugin("unmarked") is None


def test_a_plugins_config_error_is_the_users_error_and_propagates() -> None:
    class Strict:
        @hookimpl
        def obs_configure(self, config: ObsConfig) -> None:
            raise ConfigError("[tool.obs] acme_level", "loud", "quiet or normal")

    with registered_plugin(Strict(), "strict"), pytest.raises(ConfigError, match="acme_level"):
        configure()


def test_hook_call_monitoring_sees_every_obs_hook_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []

    def before(name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        seen.append(name)

    def after(outcome: Any, name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        return None

    undo = plugin_manager().add_hookcall_monitoring(before, after)
    try:
        configure()
        load_rules()
        gather(load_settings())
    finally:
        undo()
    expected = {
        "obs_configure",
        "obs_ci_rules",
        "obs_alert_rule_groups",
        "obs_dashboards",
        "obs_scrape_targets",
        "obs_compose_services",
    }
    assert expected <= set(seen)


def test_a_failing_rule_provider_still_stops_obs_ci_naming_the_plugin() -> None:
    # a gate must not lose rules quietly: obs-ci asks for errors instead of isolation
    class Exploding:
        @hookimpl
        def obs_ci_rules(self) -> Sequence[Any]:
            raise RuntimeError("no rules today")

    with (
        registered_plugin(Exploding(), "exploding"),
        pytest.raises(RuleLoadError, match=r"'exploding'.*RuntimeError: no rules today"),
    ):
        load_rules()
