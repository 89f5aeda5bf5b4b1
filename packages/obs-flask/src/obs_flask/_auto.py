"""Client-side instrumentation turned on with the app: outgoing `requests`, SQLAlchemy queries.

Each is used only when its OpenTelemetry instrumentation package is installed
(``pip install obs-flask[requests,sqlalchemy]``), and is instrumented once per process.
"""

from __future__ import annotations

import importlib
import logging

__all__ = ["instrument_libraries"]

_LIBRARIES = {
    "requests": ("opentelemetry.instrumentation.requests", "RequestsInstrumentor"),
    "sqlalchemy": ("opentelemetry.instrumentation.sqlalchemy", "SQLAlchemyInstrumentor"),
}
# The SQLAlchemy instrumentation declares "< 2.1" while its engine events work on 2.1;
# its own version check would instrument nothing, so it is skipped (the tests prove 2.1).
_SKIP_DEP_CHECK = {"sqlalchemy"}
_log = logging.getLogger("obs_flask")


def instrument_libraries() -> list[str]:
    """Instrument every supported library whose instrumentation is installed; names done."""
    done = []
    for library, (module_name, class_name) in _LIBRARIES.items():
        try:
            importlib.import_module(library)
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        instrumentor = getattr(module, class_name)()
        try:
            if not instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.instrument(skip_dep_check=library in _SKIP_DEP_CHECK)
            done.append(library)
        except Exception as exc:  # a broken instrumentation must not stop the app
            _log.warning("obs-flask could not instrument %s: %s", library, exc)
    return done
