"""The plugin manager: entry-point discovery, validation, error isolation.

Plugins load lazily, once, on the first call to `plugin_manager()`. A plugin that fails
to import, register or validate is recorded in `load_errors()` and reported with a
warning; every other plugin keeps working (``OBS_STRICT_PLUGINS=1`` raises instead).
Every registered plugin's hook implementations are isolated (`_hookguard`), so a hook
that raises is reported the same way and pluggy carries on with the other plugins.
"""

from __future__ import annotations

import importlib
import os
import warnings
from dataclasses import dataclass
from importlib import metadata

import pluggy

from obs_core import hookspecs
from obs_core._errors import PluginError
from obs_core._hookguard import guard_plugin
from obs_core._metadata import distribution_version
from obs_core._runtime import runtime

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "PluginWarning",
    "hookimpl",
    "load_errors",
    "plugin_infos",
    "plugin_manager",
    "register",
    "unregister",
]

ENTRY_POINT_GROUP = "obs"
_BUILTIN = ("core", "obs_core.default_plugins.core")  # registered even without autoload
hookimpl = pluggy.HookimplMarker("obs")


class PluginWarning(UserWarning):
    """A plugin was skipped or one of its hooks failed; obs carried on without it."""


@dataclass(frozen=True)
class PluginInfo:
    """What `obs plugins` shows for one plugin."""

    name: str
    distribution: str | None = None
    version: str | None = None
    hooks: tuple[str, ...] = ()
    error: str | None = None
    entry_point: str | None = None


_state = runtime.plugins


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _strict() -> bool:
    return _env_flag("OBS_STRICT_PLUGINS")


def _blocked_names() -> set[str]:
    raw = os.environ.get("OBS_DISABLE_PLUGINS", "")
    return {part.strip() for part in raw.split(",") if part.strip()}


def _report(info: PluginInfo, exc: BaseException) -> None:
    with _state.lock:
        _state.errors[info.name] = info
    if _strict():
        raise PluginError(_describe(info)) from exc
    warnings.warn(_describe(info), PluginWarning, stacklevel=3)


def _describe(info: PluginInfo) -> str:
    where = info.entry_point or "registered in code"
    dist = f"{info.distribution} {info.version}" if info.distribution else "no distribution"
    return f"obs plugin {info.name!r} ({where}; {dist}) skipped: {info.error}"


def _report_hook_failure(plugin: str, hook: str, exc: BaseException) -> None:
    _report(PluginInfo(name=plugin, error=f"hook {hook} raised {type(exc).__name__}: {exc}"), exc)


class _ObsPluginManager(pluggy.PluginManager):
    """pluggy's manager, isolating each plugin's hook implementations as it registers them."""

    def register(self, plugin: object, name: str | None = None) -> str | None:
        plugin_name = super().register(plugin, name)
        if plugin_name is not None:
            guard_plugin(self, plugin, _report_hook_failure)
        return plugin_name


def _validate(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Reject hookimpls whose name matches no spec, unless marked ``optionalhook=True``.

    pluggy itself checks the arguments of those that have one.
    """
    unknown = [
        caller.name
        for caller in pm.get_hookcallers(plugin) or []
        if caller.spec is None
        and any(i.plugin is plugin and not i.optionalhook for i in caller.get_hookimpls())
    ]
    if unknown:
        pm.unregister(plugin)
        raise PluginError(
            f"plugin {name!r} implements unknown hook(s) {', '.join(sorted(unknown))}; "
            "see obs_core.hookspecs for the hooks that exist"
        )


def _register_checked(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc
    _validate(pm, plugin, name)


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if pm.is_blocked(ep.name) or pm.has_plugin(ep.name):
            continue
        dist = ep.dist
        meta = dist.metadata if dist is not None else None  # parsed once: name and version
        dist_name = meta["Name"] if meta is not None else None
        version = meta["Version"] if meta is not None else None
        _state.dists[ep.name] = (dist_name, version, ep.value)
        try:
            plugin = ep.load()
            _register_checked(pm, plugin, ep.name)
        except Exception as exc:
            info = PluginInfo(
                name=ep.name,
                distribution=dist_name,
                version=version,
                error=f"{type(exc).__name__}: {exc}",
                entry_point=f"{ENTRY_POINT_GROUP}:{ep.name} = {ep.value}",
            )
            _report(info, exc)


def plugin_manager() -> pluggy.PluginManager:
    """The process-wide `PluginManager("obs")`, loading plugins on first use."""
    pm: pluggy.PluginManager | None = _state.pm
    if pm is not None:
        return pm
    with _state.lock:
        if _state.pm is not None:
            found: pluggy.PluginManager = _state.pm
            return found
        pm = _ObsPluginManager("obs")
        pm.add_hookspecs(hookspecs)
        for name in _blocked_names():
            pm.set_blocked(name)
        if not pm.is_blocked(_BUILTIN[0]):
            # by name, as an entry point is: the built-in plugin imports this module
            _register_checked(pm, importlib.import_module(_BUILTIN[1]), _BUILTIN[0])
        if not _env_flag("OBS_DISABLE_PLUGIN_AUTOLOAD"):
            _load_entry_points(pm)
        _state.pm = pm
        return pm


def register(plugin: object, name: str | None = None) -> str:
    """Register a plugin object in code, validating it like an entry-point plugin."""
    pm = plugin_manager()
    plugin_name = name or pm.get_canonical_name(plugin)
    with _state.lock:
        _register_checked(pm, plugin, plugin_name)
    return plugin_name


def unregister(name: str) -> None:
    """Remove a plugin registered under `name` (no error if it is not there)."""
    pm = plugin_manager()
    with _state.lock:
        plugin = pm.get_plugin(name)
        if plugin is not None:
            pm.unregister(plugin, name=name)


def load_errors() -> list[PluginInfo]:
    """Plugins that were skipped, and the failures of hook calls, since loading."""
    plugin_manager()
    return list(_state.errors.values())


def plugin_infos(include_blocked: bool = False) -> list[PluginInfo]:
    """Every registered plugin (and every failed one) with its distribution and hooks."""
    pm = plugin_manager()
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            if include_blocked:
                infos.append(PluginInfo(name=name, error="blocked by OBS_DISABLE_PLUGINS"))
            continue
        dist, version, value = _state.dists.get(name, (None, None, ""))
        if name == "core" and dist is None:
            dist, version = "obs-core", distribution_version("obs-core", None)
        hooks = tuple(sorted(c.name for c in pm.get_hookcallers(plugin) or []))
        infos.append(
            PluginInfo(
                name=name,
                distribution=dist,
                version=version,
                hooks=hooks,
                error=_state.errors.get(name, PluginInfo(name)).error,
                entry_point=f"{ENTRY_POINT_GROUP}:{name} = {value}" if value else None,
            )
        )
    registered = {info.name for info in infos}
    infos.extend(info for name, info in _state.errors.items() if name not in registered)
    return sorted(infos, key=lambda info: info.name)
