"""obs's JSON logs: the logger, the line formatter, sinks, the stdlib bridge, redaction.

Every module here is private; the public names are in `obs_core` (``get_logger``,
``init_logging``, ``LogSink``). Importing this package loads nothing.
"""
