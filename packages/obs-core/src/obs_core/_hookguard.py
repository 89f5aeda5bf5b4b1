"""Per-plugin isolation inside pluggy's hook calls.

When a plugin is registered, each of its hook implementations is wrapped once: a plain
implementation that raises is reported and answers None, so pluggy goes on to the next
one; a wrapper (``wrapper=True`` or the old ``hookwrapper=True``) that fails passes the
inner result through unchanged. Everything else (order, ``tryfirst``/``trylast``,
``firstresult``, wrappers, hook-call monitoring) is pluggy's own, because every call goes
through pluggy's hook caller.

A `ConfigError` is the user's error, not the plugin's: it is never swallowed. During an
obs hook call (`collecting`) the wrapped implementations also record which plugin gave
which answer, so a wrong answer can be reported naming its plugin.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, cast

import pluggy

from obs_core._errors import ConfigError, PluginError

__all__ = ["Answer", "Report", "collecting", "guard_plugin"]

Report = Callable[[str, str, BaseException], None]
"""Called with (plugin name, hook name, exception) when an implementation fails."""

_GUARDED = "__obs_guarded__"


@dataclass(frozen=True)
class Answer:
    """One plugin's non-None answer to a hook call."""

    plugin: str
    value: Any


@dataclass
class _Call:
    raise_errors: bool
    answers: list[Answer] = field(default_factory=list)


_current: ContextVar[_Call | None] = ContextVar("obs_hook_call", default=None)


@contextmanager
def collecting(raise_errors: bool = False) -> Iterator[list[Answer]]:
    """Record the answers of the hook call made inside the block, in call order.

    With `raise_errors`, an implementation that raises ends the call with a `PluginError`
    naming the plugin instead of being reported and skipped.
    """
    call = _Call(raise_errors)
    token = _current.set(call)
    try:
        yield call.answers
    finally:
        _current.reset(token)


def _failed(plugin: str, hook: str, exc: Exception, report: Report) -> None:
    """Report a failing implementation, or raise when the current call asks for it."""
    if isinstance(exc, ConfigError | PluginError):
        raise exc  # the user's error (or a strict report from a nested call): never swallowed
    call = _current.get()
    if call is not None and call.raise_errors:
        raise PluginError(
            f"plugin {plugin!r}: hook {hook} raised {type(exc).__name__}: {exc}"
        ) from exc
    report(plugin, hook, exc)


def _guard_plain(
    function: Callable[..., Any], plugin: str, hook: str, report: Report
) -> Callable[..., Any]:
    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            result = function(*args, **kwargs)
        except Exception as exc:
            _failed(plugin, hook, exc, report)
            return None
        call = _current.get()
        if result is not None and call is not None:
            call.answers.append(Answer(plugin, result))
        return result

    return guarded


def _guard_wrapper(
    function: Callable[..., Generator[Any, Any, Any]], plugin: str, hook: str, report: Report
) -> Callable[..., Generator[Any, Any, Any]]:
    """A wrapper that fails before or after its ``yield`` lets the inner result through."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        try:
            gen = function(*args, **kwargs)
            next(gen)
        except StopIteration:
            _failed(plugin, hook, RuntimeError("the hook wrapper did not yield"), report)
            return (yield)
        except Exception as exc:
            _failed(plugin, hook, exc, report)
            return (yield)
        try:
            outcome = yield
        except BaseException as inner:  # an inner implementation raised: let the wrapper see it
            try:
                gen.throw(inner)
            except StopIteration as stop:
                return stop.value  # the wrapper handled it and answered
            except BaseException as exc:
                if exc is inner or not isinstance(exc, Exception):
                    raise
                _failed(plugin, hook, exc, report)
                raise inner from None
            gen.close()
            _failed(plugin, hook, RuntimeError("the hook wrapper yielded twice"), report)
            raise
        try:
            gen.send(outcome)
        except StopIteration as stop:
            return stop.value
        except Exception as exc:
            _failed(plugin, hook, exc, report)
            return outcome
        gen.close()
        _failed(plugin, hook, RuntimeError("the hook wrapper yielded twice"), report)
        return outcome

    return guarded


def guard_plugin(pm: pluggy.PluginManager, plugin: object, report: Report) -> None:
    """Wrap every hook implementation `plugin` registered with `pm` (once each)."""
    for caller in pm.get_hookcallers(plugin) or []:
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin or getattr(impl.function, _GUARDED, False):
                continue
            if impl.wrapper or impl.hookwrapper:
                wrapper = cast(Callable[..., Generator[Any, Any, Any]], impl.function)
                guarded = _guard_wrapper(wrapper, impl.plugin_name, caller.name, report)
            else:
                guarded = _guard_plain(impl.function, impl.plugin_name, caller.name, report)
            setattr(guarded, _GUARDED, True)
            # HookImpl.function is read by pluggy at call time; swapping it keeps pluggy's
            # order, firstresult and wrapper handling while isolating this one plugin.
            object.__setattr__(impl, "function", guarded)
