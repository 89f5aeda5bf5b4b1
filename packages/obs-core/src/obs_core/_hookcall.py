"""Calling a hook the one obs way: through pluggy's hook caller, answers named by plugin."""

from __future__ import annotations

import warnings
from typing import Any

from obs_core._hookguard import Answer, collecting
from obs_core._plugins import PluginWarning, plugin_manager

__all__ = ["call_hook", "hook_items", "warn_skipped"]

_WRAPPER = "a hook wrapper"  # who answered when a wrapper replaced the plugins' answers


def call_hook(name: str, /, *, raise_errors: bool = False, **kwargs: Any) -> list[Answer]:
    """Call hook `name` through pluggy (``pm.hook.<name>(**kwargs)``); its non-None answers.

    Order, ``tryfirst``/``trylast``, ``firstresult`` (at most one answer), wrappers and
    hook-call monitoring are pluggy's. A plugin whose implementation raises is reported
    (a `PluginWarning`, `PluginError` under ``OBS_STRICT_PLUGINS=1``) and skipped, unless
    `raise_errors` asks for a `PluginError` naming it; a `ConfigError` always propagates.
    """
    caller = getattr(plugin_manager().hook, name)
    with collecting(raise_errors) as recorded:
        result = caller(**kwargs)
    firstresult = bool(caller.spec and caller.spec.opts.get("firstresult"))
    values = ([] if result is None else [result]) if firstresult else list(result or ())
    plugins: dict[int, str] = {}
    for answer in recorded:
        plugins.setdefault(id(answer.value), answer.plugin)
    return [Answer(plugins.get(id(value), _WRAPPER), value) for value in values]


def warn_skipped(hook: str, answer: Answer, expected: str) -> None:
    """Warn that `answer`'s plugin returned something that is not `expected` for `hook`."""
    warnings.warn(
        f"obs plugin {answer.plugin!r}: {hook} returned {answer.value!r:.200}, not {expected}; "
        "skipped",
        PluginWarning,
        stacklevel=3,
    )


def hook_items(
    name: str, expected: type | tuple[type, ...], what: str, /, **kwargs: Any
) -> list[Answer]:
    """Every item of every answer to hook `name` that is an `expected` instance.

    A list or tuple answer gives its items, any other answer counts as one item. An item
    of another type is skipped with a `PluginWarning` naming the plugin and `what` was
    expected (``"a LogSink"``).
    """
    items: list[Answer] = []
    for answer in call_hook(name, **kwargs):
        values = answer.value if isinstance(answer.value, list | tuple) else [answer.value]
        for value in values:
            item = Answer(answer.plugin, value)
            if isinstance(value, expected):
                items.append(item)
            else:
                warn_skipped(name, item, what)
    return items
