"""Per-call cost of one structured JSON log line: obs against the usual alternatives.

    uv run python bench/logging_throughput.py [--rounds 25] [--calls 2000] [--profile]

Each contender writes one JSON line per call to its own file, inside an active span, with
three fields. Rounds alternate between the contenders (in rotating order) in one process,
so machine noise hits them alike; the figure is the median of the per-round µs/call.

``loguru floor`` is a bare loguru call with the trivial format ``{message}``: what a line
costs through loguru's record at the least. obs skips that record when only its own sinks
take the line (its direct route), so obs can cost less than the floor. ``--profile`` prints
a cProfile of the obs path, grouped by part, to show where that time goes.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import structlog
from loguru import logger as loguru_logger
from obs_core import ObsConfig, get_logger, init_logging
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from pythonjsonlogger.json import JsonFormatter

Call = Callable[[int], None]


def _ids() -> dict[str, str]:
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return {}
    return {"trace_id": format(ctx.trace_id, "032x"), "span_id": format(ctx.span_id, "016x")}


def make_obs(folder: Path) -> Call:
    init_logging(
        ObsConfig(
            service_name="bench",
            log_stdout=False,
            log_file=str(folder / "obs.log"),
            log_stdlib=False,
        )
    )
    log = get_logger("bench")

    def call(i: int) -> None:
        log.info("Order created", order_id="12345", amount=1000, attempt=i)

    return call


def make_structlog(folder: Path) -> Call:
    def add_ids(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        event.update(_ids())
        return event

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            add_ids,
            structlog.processors.JSONRenderer(serializer=orjson.dumps),
        ],
        logger_factory=structlog.BytesLoggerFactory((folder / "structlog.log").open("wb")),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=True,
    )
    log = structlog.get_logger("bench")

    def call(i: int) -> None:
        log.info("Order created", order_id="12345", amount=1000, attempt=i)

    return call


def make_loguru_serialize(folder: Path) -> Call:
    log = copy.deepcopy(loguru_logger)  # an independent loguru, made before obs adds sinks
    log.add(folder / "loguru.log", serialize=True, level="INFO")

    def call(i: int) -> None:
        log.info("Order created", order_id="12345", amount=1000, attempt=i)

    return call


def make_loguru_floor(folder: Path) -> Call:
    log = copy.deepcopy(loguru_logger)
    log.add(folder / "floor.log", format="{message}", level="INFO")

    def call(i: int) -> None:
        log.info("Order created")

    return call


def make_python_json_logger(folder: Path) -> Call:
    class AddIds(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.__dict__.update(_ids())
            return True

    handler = logging.FileHandler(folder / "pjl.log")
    handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}", style="{"))
    handler.addFilter(AddIds())
    log = logging.getLogger("bench.pjl")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)

    def call(i: int) -> None:
        log.info("Order created", extra={"order_id": "12345", "amount": 1000, "attempt": i})

    return call


def per_call_us(call: Call, calls: int) -> float:
    start = time.perf_counter()
    for i in range(calls):
        call(i)
    return (time.perf_counter() - start) / calls * 1e6


def profile_obs(call: Call, calls: int) -> None:
    """A cProfile of the obs path: the top functions, then where each call's time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(calls):
        call(i)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(16)
    print(out.getvalue())
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]

    def cumulative(path_part: str, function: str) -> float:
        return sum(
            row[3] for (path, _, name), row in raw.items() if path_part in path and name == function
        )

    total = cumulative("bench", "call")
    method = cumulative("obs_core/logging/_logger.py", "method")
    direct = cumulative("obs_core/logging/_direct.py", "emit")
    loguru = cumulative("loguru/_logger.py", "log")
    line = cumulative("obs_core/logging/_format.py", "compose")
    write = cumulative("obs_core/logging/_linefile.py", "append")
    parts = {
        "bench loop": total - method,
        "obs ObsLogger.info (wrapper)": method - direct - loguru,
        "loguru record + handler": loguru - line - write if loguru else 0.0,
        "obs direct route (no record)": direct - line - write if direct else 0.0,
        "obs JSON line (formatter)": line,
        "file write (LineFile)": write,
    }
    print(f"where one obs call's time goes ({calls} calls, cProfile overhead included):")
    for name, seconds in parts.items():
        print(f"  {name:<30} {seconds / calls * 1e6:6.2f} µs  {seconds / total:5.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--calls", type=int, default=2000, help="calls per contender per round")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of obs")
    args = parser.parse_args()
    os.environ.setdefault("OBS_DISABLE_PLUGIN_AUTOLOAD", "1")  # obs's own path, no test plugins

    trace.set_tracer_provider(TracerProvider())
    tracer = trace.get_tracer("bench")
    loguru_logger.remove()  # loguru's stderr default; the copies below start without handlers
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        serialize, floor_call = make_loguru_serialize(folder), make_loguru_floor(folder)
        contenders = {
            "obs get_logger": make_obs(folder),
            "structlog+orjson": make_structlog(folder),
            "loguru serialize=True": serialize,
            "python-json-logger": make_python_json_logger(folder),
            "loguru floor ({message})": floor_call,
        }
        names = list(contenders)
        results: dict[str, list[float]] = {name: [] for name in names}
        with tracer.start_as_current_span("bench"):
            for name in names:  # warm-up: caches, lazy imports, first file writes
                per_call_us(contenders[name], 200)
            for round_no in range(args.rounds):
                shift = round_no % len(names)
                for name in names[shift:] + names[:shift]:
                    results[name].append(per_call_us(contenders[name], args.calls))
            if args.profile:
                profile_obs(contenders["obs get_logger"], 20000)
        line = (folder / "obs.log").read_text().splitlines()[-1]

    medians = {name: statistics.median(values) for name, values in results.items()}
    base = medians["structlog+orjson"]
    floor = medians["loguru floor ({message})"]
    print(f"{args.rounds} rounds x {args.calls} calls, Python {sys.version.split()[0]}")
    print(f"{'contender':<26} {'µs/call':>8} {'x structlog':>12}")
    for name in names:
        print(f"{name:<26} {medians[name]:8.2f} {medians[name] / base:11.2f}x")
    print(f"target: obs <= 1.25 x structlog+orjson = {1.25 * base:.2f} µs/call")
    obs = medians["obs get_logger"]
    print(f"obs against the loguru floor: {obs / floor:.2f}x ({obs - floor:+.2f} µs/call)")
    print(f"an obs line: {line}")


if __name__ == "__main__":
    main()
