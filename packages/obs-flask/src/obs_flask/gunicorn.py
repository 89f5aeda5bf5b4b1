"""Gunicorn server hooks for pre-fork deployments.

Use it as the config module, ``gunicorn -c python:obs_flask.gunicorn app:app``, or import the
hooks into your own ``gunicorn.conf.py``::

    from obs_flask.gunicorn import child_exit, post_fork

Set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory so every worker's metrics are merged
in each scrape of ``/metrics``.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["child_exit", "post_fork"]


def post_fork(server: Any, worker: Any) -> None:
    """Re-create the span export machinery in the new worker (threads do not survive fork)."""
    import obs_core

    obs_core.after_fork()


def child_exit(server: Any, worker: Any) -> None:
    """Mark a dead worker's live gauges (in-progress requests) as gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
