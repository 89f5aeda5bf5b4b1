"""The reports of a run: text, JSON, GitHub annotations, Markdown and SARIF."""

from __future__ import annotations

from obs_ci.report._render import render, render_text

__all__ = ["render", "render_text"]
