"""obs's plugin API: register plugins, call hooks, list what is installed.

Every obs distribution calls hooks through `call_hook` (or `hook_items`), which calls
pluggy's hook caller, so order (``tryfirst``/``trylast``), ``firstresult``, wrappers
(``wrapper=True``), ``optionalhook`` and ``pm.add_hookcall_monitoring`` behave as pluggy
documents; around it obs isolates each plugin: a hook that raises is reported naming the
plugin and skipped, while a `ConfigError` (the user's setting) stops the command.
"""

from __future__ import annotations

from obs_core._hookcall import call_hook, hook_items, warn_skipped
from obs_core._hookguard import Answer
from obs_core._plugins import (
    ENTRY_POINT_GROUP,
    PluginInfo,
    PluginWarning,
    hookimpl,
    load_errors,
    plugin_infos,
    plugin_manager,
    register,
    unregister,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Answer",
    "PluginInfo",
    "PluginWarning",
    "call_hook",
    "hook_items",
    "hookimpl",
    "load_errors",
    "plugin_infos",
    "plugin_manager",
    "register",
    "unregister",
    "warn_skipped",
]
