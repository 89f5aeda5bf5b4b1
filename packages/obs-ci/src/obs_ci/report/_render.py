"""Reporters: text (ruff-like), json (schema version 1), github workflow commands, markdown."""

from __future__ import annotations

from collections import Counter
from typing import Any

from obs_ci._engine import Result

__all__ = ["JSON_SCHEMA_VERSION", "render", "render_github", "render_json", "render_markdown"]

JSON_SCHEMA_VERSION = 1


def _summary(result: Result) -> str:
    files = len(result.files)
    parts = [f"{len(result.findings)} finding(s) in {files} changed Python file(s)"]
    if result.errors:
        parts.append(f"{len(result.errors)} internal error(s)")
    return "; ".join(parts)


def render_text(result: Result) -> str:
    """``path:line:col: CODE message`` lines, internal errors, then a summary line."""
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in result.findings]
    lines += [f"{e.path}: internal error: {e.message}" for e in result.errors]
    if result.findings or result.errors:
        lines.append(f"Found {_summary(result)}.{_unchecked(result)}")
    else:
        lines.append(
            f"All checks passed ({len(result.files)} changed Python file(s)).{_unchecked(result)}"
        )
    return "\n".join(lines) + "\n"


def _unchecked(result: Result) -> str:
    """`` Not checked: 2 tooling, 1 test.`` for the changed files that were not service code."""
    counts = Counter(c.kind for c in result.classes.values() if c.kind != "service")
    if not counts:
        return ""
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    return f" Not checked: {parts} (--show-files says why)."


def as_dict(result: Result) -> dict[str, Any]:
    """The JSON report (documented in the README; fields are only ever added)."""
    return {
        "version": JSON_SCHEMA_VERSION,
        "tool": "obs-ci",
        "exit_code": result.exit_code,
        "files": list(result.files),
        "classes": {
            path: {"class": c.kind, "reason": c.reason} for path, c in result.classes.items()
        },
        "findings": [
            {
                "code": f.code,
                "rule": f.rule,
                "message": f.message,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "end_line": f.end_line,
                "end_column": f.end_column,
                "plugin": f.plugin,
                "class": f.file_class,
            }
            for f in result.findings
        ],
        "errors": [{"code": e.code, "path": e.path, "message": e.message} for e in result.errors],
        "summary": {
            "findings": len(result.findings),
            "errors": len(result.errors),
            "files": len(result.files),
            "by_code": dict(sorted(Counter(f.code for f in result.findings).items())),
        },
    }


def render_json(result: Result) -> str:
    """The JSON report as text."""
    import json  # only for this format (startup)

    return json.dumps(as_dict(result), indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: Result) -> str:
    """GitHub Actions workflow commands: one ``::error`` annotation per finding."""
    lines = [
        f"::error file={_escape_property(f.path)},line={f.line},col={f.column},"
        f"endLine={f.end_line},title={_escape_property(f'{f.code} {f.rule}')}"
        f"::{_escape_data(f'{f.code} {f.message}')}"
        for f in result.findings
    ]
    lines += [
        f"::error file={_escape_property(e.path)},title=obs-ci internal error::"
        f"{_escape_data(e.message)}"
        for e in result.errors
    ]
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: Result) -> str:
    """A pull-request comment body."""
    if not result.findings and not result.errors:
        return (
            "### obs-ci: all checks passed\n\n"
            f"{len(result.files)} changed Python file(s) checked.\n"
        )
    out = [f"### obs-ci: {_summary(result)}", ""]
    if result.findings:
        out += ["| location | code | message |", "|---|---|---|"]
        out += [
            f"| `{_cell(f.path)}:{f.line}:{f.column}` | {f.code} `{f.rule}` | {_cell(f.message)} |"
            for f in result.findings
        ]
        out.append("")
    if result.errors:
        out += ["**Internal errors** (the run fails until they are fixed):", ""]
        out += [f"- `{_cell(e.path)}`: {_cell(e.message)}" for e in result.errors]
        out.append("")
    out.append("Explain a rule with `obs-ci rule CODE`; silence one line with `# noqa: CODE`.")
    return "\n".join(out) + "\n"


def render(result: Result, fmt: str) -> str:
    """Render `result` in one of: text, json, sarif, github, markdown."""
    if fmt == "sarif":
        from obs_ci.report._sarif import render_sarif

        return render_sarif(result)
    renderers = {
        "text": render_text,
        "json": render_json,
        "github": render_github,
        "markdown": render_markdown,
    }
    return renderers[fmt](result)
