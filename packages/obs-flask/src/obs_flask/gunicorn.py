"""Gunicorn server hooks for pre-fork deployments.

Use it as the config module, ``gunicorn -c python:obs_flask.gunicorn app:app``, or import the
hooks into your own ``gunicorn.conf.py``::

    from obs_flask.gunicorn import child_exit, post_fork, post_worker_init

Set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory so every worker's metrics are merged
in each scrape of ``/metrics``.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["child_exit", "post_fork", "post_worker_init"]


def post_fork(server: Any, worker: Any) -> None:
    """Re-create the span export machinery in the new worker (threads do not survive fork)."""
    import obs_core

    obs_core.after_fork()


def post_worker_init(worker: Any) -> None:
    """Keep the loaded app out of the garbage collector's full passes (``gc.freeze``).

    The app, Flask, OpenTelemetry and prometheus-client live as long as the worker, yet
    each full collection walks all of them again; spans waiting for export make those
    collections frequent. Collecting once and freezing what is left, after the app is
    loaded, is what the ``gc`` documentation advises for pre-fork servers. Frozen objects
    are still freed when their references go; only cycles among them are never collected.
    """
    import gc

    gc.collect()
    gc.freeze()


def child_exit(server: Any, worker: Any) -> None:
    """Mark a dead worker's live gauges (in-progress requests) as gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
