"""obs's metrics: the registry obs uses, function metrics and the exposition.

Every module here is private; the public names are in `obs_core` (``get_registry``,
``track_function_metrics``, ``render_metrics``). Importing this package loads nothing.
"""
