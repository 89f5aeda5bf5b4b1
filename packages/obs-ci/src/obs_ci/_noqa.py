"""``# noqa`` comments: on a finding's line (``# noqa``, ``# noqa: OBS201,OBS202``) or for
the whole file (a comment line ``# obs-ci: noqa`` or ``# obs-ci: noqa: OBS101``).

Only real comments count, as the tokenizer sees them: ``"# noqa"`` in a string is text.
"""

from __future__ import annotations

import io
import re
import tokenize

from obs_ci._model import Finding

__all__ = ["without_noqa"]

_CODES = r"[A-Z]+[0-9]+(?:[ \t]*,?[ \t]*[A-Z]+[0-9]+)*"
_NOQA = re.compile(rf"#[ \t]*noqa(?::[ \t]*(?P<codes>{_CODES}))?", re.IGNORECASE)
_FILE_NOQA = re.compile(rf"#[ \t]*obs-ci:[ \t]*noqa(?::[ \t]*(?P<codes>{_CODES}))?[ \t]*")
_MENTIONS_NOQA = re.compile("noqa", re.IGNORECASE)


def _codes(text: str | None) -> set[str] | None:
    """None means every code; otherwise the codes listed after ``noqa:``."""
    if text is None:
        return None
    return {code.upper() for code in re.split(r"[\s,]+", text) if code}


def _comments(source: str) -> dict[int, tuple[str, bool]]:
    """Each comment by line, and whether it stands alone there (a ``#`` in a string is text)."""
    comments: dict[int, tuple[str, bool]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                alone = token.line.strip() == token.string.strip()
                comments[token.start[0]] = (token.string, alone)
    except (tokenize.TokenError, SyntaxError):
        pass  # the tree parsed, so this does not happen; keep what was read
    return comments


def _may_apply(findings: list[Finding], source: str) -> bool:
    """A cheap text look before tokenizing: could any noqa comment apply here at all?"""
    if not _MENTIONS_NOQA.search(source):
        return False
    if _FILE_NOQA.search(source):
        return True
    lines = source.splitlines()
    return any(_NOQA.search(lines[f.line - 1]) for f in findings if 0 < f.line <= len(lines))


def without_noqa(findings: list[Finding], source: str) -> list[Finding]:
    """The findings no ``noqa`` comment of `source` silences."""
    if not findings or not _may_apply(findings, source):
        return findings
    comments = _comments(source)
    for text, alone in comments.values():
        file_match = _FILE_NOQA.fullmatch(text) if alone else None
        if file_match is not None:
            file_codes = _codes(file_match.group("codes"))
            if file_codes is None:
                return []
            findings = [f for f in findings if f.code not in file_codes]
    kept = []
    for finding in findings:
        match = _NOQA.search(comments.get(finding.line, ("", False))[0])
        if match is not None:
            codes = _codes(match.group("codes"))
            if codes is None or finding.code in codes:
                continue
        kept.append(finding)
    return kept
