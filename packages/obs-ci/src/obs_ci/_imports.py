"""What one module says about itself, read from its text: imports, app and CLI markers.

Text, not a parse: the import graph of a whole repository must cost little more than
reading it, and a docstring line that looks like an import only widens what counts as
reached (the safe side: more service code, never less).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ModuleFacts", "module_facts"]

_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w. \t,]+)", re.MULTILINE)
_FROM = re.compile(
    r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n;#]*)", re.MULTILINE
)

#: Code that builds, runs or instruments a web app (a module with one is an app root).
_APP_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "builds a web app",
        re.compile(
            r"\b(?:Flask|APIFlask|Quart|FastAPI|Starlette|Sanic|Bottle|Litestar)\s*\("
            r"|\bconnexion\.(?:App|FlaskApp|AsyncApp)\s*\(|\bweb\.Application\s*\("
            r"|\bfalcon\.(?:asgi\.)?(?:App|API)\s*\(|\bget_[wa]sgi_application\s*\("
        ),
    ),
    ("declares a blueprint or router", re.compile(r"\b(?:Blueprint|APIRouter)\s*\(")),
    (
        "declares routes",
        re.compile(
            r"^[ \t]*@[\w.]+\.(?:route|get|post|put|patch|delete|websocket)\(\s*[rfb]?[\"']/"
            r"|^[ \t]*@[\w.]+\.route\(|\.add_url_rule\s*\(|\.register_blueprint\s*\(",
            re.MULTILINE,
        ),
    ),
    (
        "instruments a web app",
        re.compile(r"\bFlaskInstrumentor\b|\bPrometheusMetrics\b|\bobs_flask\b"),
    ),
    (
        "is a WSGI/ASGI callable",
        re.compile(r"^(?:async )?def \w+\(\s*(?:environ, start_response|scope, receive, send)"),
    ),
    (
        "runs a web app",
        re.compile(r"\b(?:app|application)\.run\(|\buvicorn\.run\(|\bwaitress\.serve\("),
    ),
)

#: What makes a module a command-line entry point.
_ENTRY_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "has an `if __name__ == '__main__'` block",
        re.compile(r"^if\s+(?:__name__\s*==\s*[\"']__main__[\"']|[\"']__main__[\"']\s*==)", re.M),
    ),
    (
        "is a command-line program (argparse, click, typer, fire, docopt or sys.argv)",
        re.compile(
            r"^[ \t]*(?:import|from)[ \t]+(?:argparse|click|typer|fire|docopt|optparse)\b"
            r"|\bsys\.argv\b",
            re.MULTILINE,
        ),
    ),
)


@dataclass(frozen=True)
class ModuleFacts:
    """One module's imports (``(dots, module, names)``) and why it is an app root or a CLI."""

    imports: tuple[tuple[int, str, tuple[str, ...]], ...]
    app: str | None
    entry: str | None


def _names(text: str) -> tuple[str, ...]:
    names = []
    for part in text.strip().strip("()").replace("\\\n", " ").split(","):
        name = part.split("#", 1)[0].strip().split(" as ", 1)[0].strip()
        if name.isidentifier():
            names.append(name)
    return tuple(names)


def module_facts(text: str) -> ModuleFacts:
    """The facts of one module's source text."""
    imports: list[tuple[int, str, tuple[str, ...]]] = []
    for match in _IMPORT.finditer(text):
        for part in match.group(1).split(","):
            module = part.strip().split(" ", 1)[0].strip()
            if module:
                imports.append((0, module, ()))
    for match in _FROM.finditer(text):
        imports.append((len(match.group(1)), match.group(2), _names(match.group(3))))
    app = next((why for why, pattern in _APP_MARKERS if pattern.search(text)), None)
    entry = next((why for why, pattern in _ENTRY_MARKERS if pattern.search(text)), None)
    return ModuleFacts(tuple(imports), app, entry)
