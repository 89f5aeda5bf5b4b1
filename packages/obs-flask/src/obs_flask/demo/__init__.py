"""The demo service: a small farm-lending API instrumented with obs-flask (`obs demo`)."""

from __future__ import annotations

from obs_flask.demo._app import create_app

__all__ = ["create_app"]
