"""The engine: read and parse each changed file once, run every rule in one pass, filter."""

from __future__ import annotations

import ast
import dataclasses
import io
import sys
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from obs_ci._classify import SERVICE, FileClass, by_settings
from obs_ci._config import CiConfig, file_ignores
from obs_ci._context import FileContext, Handlers
from obs_ci._model import HOOK_KINDS, Finding, InternalError, raised_at
from obs_ci._noqa import without_noqa
from obs_ci._project import Project
from obs_ci._registry import LoadedRule, RuleLoadError
from obs_ci._rule import Rule
from obs_ci.change._diff import DiffLines
from obs_ci.change._files import NotSource, read_source
from obs_ci.change._meaning import declaration_lines

__all__ = ["ChangedFile", "Engine", "Result"]

PARSE_ERROR = "OBS001"
MISSING_HOOKS = "OBS002"
#: The code of an internal error that is obs-ci's own, not a rule's.
ENGINE = "OBS000"
_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
_LEAVE_TYPES = ("Module", "FunctionDef", "AsyncFunctionDef", "ClassDef", "Lambda", "ExceptHandler")


@dataclass(frozen=True)
class ChangedFile:
    """A changed file: its repo-relative POSIX path, where to read it, its changed lines.

    `lines` are the sorted lines the change touched (None: the whole file); `added` those
    it added or rewrote, when a diff tells them apart (None: the same as `lines`).
    """

    path: str
    location: Path
    lines: Sequence[int] | None = None
    added: Sequence[int] | None = None

    @classmethod
    def from_diff_lines(cls, path: str, location: Path, lines: DiffLines | None) -> ChangedFile:
        """A file from a diff; None lines mean the whole file (a new, untracked file)."""
        if lines is None:
            return cls(path, location)
        return cls(path, location, lines.touched, lines.added)


@dataclass
class Result:
    """Everything one run found."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rules: list[LoadedRule] = field(default_factory=list)
    #: Every changed Python file's class and the reason, in the order given.
    classes: dict[str, FileClass] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings, 2 internal errors."""
        return 2 if self.errors else 1 if self.findings else 0


class Engine:
    """Runs the enabled rules over changed files."""

    def __init__(
        self,
        rules: Sequence[LoadedRule],
        config: CiConfig,
        enabled: Iterable[str],
        project: Project | None = None,
    ) -> None:
        self.rules = list(rules)
        self.project = project
        self.config = config
        self.enabled = set(enabled)
        self._all_codes = [loaded.rule.code for loaded in self.rules]
        self._plugins = {loaded.rule.code: loaded.source for loaded in self.rules}
        self._names = {loaded.rule.code: loaded.rule.name for loaded in self.rules}
        active = [loaded.rule for loaded in self.rules if loaded.rule.code in self.enabled]
        self.visit: Handlers = {}
        self.leave: Handlers = {}
        self.begin: list[Rule] = []
        self.end: list[Rule] = []
        for rule in active:
            self._index(rule)

    def _index(self, rule: Rule) -> None:
        for attr in dir(type(rule)):
            prefix, _, node_name = attr.partition("_")
            if prefix not in ("visit", "leave") or not node_name:
                continue
            node_type = getattr(ast, node_name, None)
            if not (isinstance(node_type, type) and issubclass(node_type, ast.AST)):
                raise RuleLoadError(f"rule {rule.code}: {attr} names no ast node type")
            if prefix == "leave" and node_name not in _LEAVE_TYPES:
                raise RuleLoadError(
                    f"rule {rule.code}: {attr} is never called; leave_ exists for "
                    + ", ".join(_LEAVE_TYPES)
                )
            table = self.visit if prefix == "visit" else self.leave
            table.setdefault(node_type, []).append((rule, getattr(rule, attr)))
        if type(rule).begin_file is not Rule.begin_file:
            self.begin.append(rule)
        if type(rule).end_file is not Rule.end_file:
            self.end.append(rule)

    def classify(self, path: str) -> FileClass:
        """A changed Python file's class; without a repository, all but tests and excluded
        files are service code."""
        if self.project is not None:
            return self.project.classify(path)
        return by_settings(self.config, path) or FileClass(SERVICE, "checked (no repository)")

    def run(self, files: Iterable[ChangedFile]) -> Result:
        """Check every changed Python file that is service code (not tooling, tests or
        excluded files)."""
        result = Result(rules=self.rules)
        hooks: set[str] = set()
        first: tuple[str, int] | None = None
        for changed in files:
            path = changed.path
            if not path.endswith(".py"):
                continue
            try:
                file_class = self.classify(path)
            except Exception as exc:  # the safe side: check it as service code
                result.errors.append(_crash(path, exc))
                file_class = FileClass(SERVICE, "checked (obs-ci could not classify it)")
            result.classes[path] = file_class
            if file_class.kind != SERVICE:
                continue
            try:
                ctx = self.check_file(changed, result)
                if ctx is None:
                    continue
                hooks |= ctx.changed_hooks
                if first is None:
                    line = _first_code_line(changed, ctx) if self.config.strict else None
                    first = None if line is None else (path, line)
            except Exception as exc:  # one file never ends the run for the others
                result.errors.append(_crash(path, exc))
        if self.config.strict and first is not None and MISSING_HOOKS in self.enabled:
            missing = [kind for kind in HOOK_KINDS if kind not in hooks]
            if missing:
                result.findings.append(
                    self._finding(
                        first[0],
                        first[1],
                        1,
                        MISSING_HOOKS,
                        "strict: the changed service code has no "
                        + ", ".join(f"{kind} hook" for kind in missing)
                        + " (metrics, tracing and logging are all required)",
                    )
                )
        result.findings = sorted(
            dataclasses.replace(f, file_class=result.classes[f.path].kind)
            if f.path in result.classes
            else f
            for f in result.findings
        )
        return result

    def _finding(self, path: str, line: int, column: int, code: str, message: str) -> Finding:
        return Finding(
            path=path,
            line=line,
            column=column,
            code=code,
            message=message,
            end_line=line,
            end_column=column,
            rule=self._names.get(code, ""),
            plugin=self._plugins.get(code, ""),
        )

    def check_file(self, changed: ChangedFile, result: Result) -> FileContext | None:
        """Parse one file and run the rules; findings and errors go into `result`.

        Returns None when the file cannot be read or parsed (a parse error is a finding).
        """
        path = changed.path
        try:
            data: bytes | None = read_source(changed.location)
            problem = ""
        except NotSource as exc:
            data, problem = None, str(exc)
        except OSError:
            return None  # deleted since the diff was taken: nothing to check
        result.files.append(path)
        ignored = file_ignores(self.config, path, self._all_codes)
        source, problem = (None, problem) if data is None else _decode(data)
        tree: ast.Module | None = None
        line = column = 1
        if source is not None:
            try:
                tree = ast.parse(source, filename=path)
            except SyntaxError as exc:
                problem = f"syntax error: {exc.msg} (as Python {_PYTHON} reads it)"
                line, column = exc.lineno or 1, exc.offset or 1
            except (ValueError, RecursionError, MemoryError) as exc:
                problem = f"cannot parse: {exc or 'too deeply nested'}"
        if tree is None or source is None:
            if PARSE_ERROR in self.enabled and PARSE_ERROR not in ignored:
                message = f"{problem}; the file was not checked"
                result.findings.append(self._finding(path, line, column, PARSE_ERROR, message))
            return None
        ctx = FileContext(path, source, tree, changed.lines, self._plugins, self.project)
        for rule in self.begin:
            try:
                rule.begin_file(ctx)
            except Exception as exc:
                ctx.fail(rule, exc)
        ctx.walk(self.visit, self.leave)
        failed = {error.code for error in ctx.errors}
        for rule in self.end:
            if rule.code not in failed:
                try:
                    rule.end_file(ctx)
                except Exception as exc:
                    ctx.fail(rule, exc)
        result.errors.extend(ctx.errors)
        result.findings.extend(_unsuppressed(ctx, ignored))
        return ctx


def _crash(path: str, exc: Exception) -> InternalError:
    """obs-ci itself failed on one file: an internal error for that file alone."""
    message = f"obs-ci failed on this file: {type(exc).__name__}: {exc}{raised_at(exc)}"
    return InternalError(path, ENGINE, message)


def _first_code_line(changed: ChangedFile, ctx: FileContext) -> int | None:
    """The first line of code that does something the change added (not blank, not a
    comment, not an import or a constant: `declaration_lines`), if any."""
    lines = ctx.source.splitlines()
    added = changed.added if changed.added is not None else changed.lines
    if added is None:
        added = range(1, len(lines) + 1)
    declarations = declaration_lines(ctx.tree)
    for number in added:
        text = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        if text and not text.startswith("#") and number not in declarations:
            return number
    return None


def _decode(data: bytes) -> tuple[str | None, str]:
    """The source text, or None and why not: UTF-8 unless a coding cookie says otherwise."""
    if b"\0" in data:
        return None, "binary file"
    try:
        return data.decode("utf-8").removeprefix("\ufeff"), ""
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})"
    try:  # PEP 263: `# -*- coding: latin-1 -*-` on line 1 or 2
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), ""
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None, problem


def _unsuppressed(ctx: FileContext, ignored: set[str]) -> list[Finding]:
    """The findings left after per-file-ignores, failed rules and ``noqa`` comments."""
    failed = {error.code for error in ctx.errors}
    findings = [f for f in ctx.findings if f.code not in ignored and f.code not in failed]
    return without_noqa(findings, ctx.source)
