"""obs's traces: the tracer provider pipeline, exporters, the OTLP/JSON file and its reader.

Every module here is private; the public names are in `obs_core` (``init_tracing``,
``get_tracer``) and `obs_core.traces` (reading a trace file). Importing this package loads
nothing, so ``obs traces`` stays stdlib-only.
"""
