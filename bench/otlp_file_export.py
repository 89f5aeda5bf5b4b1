"""CPU per span of the embedded OTLP/JSON file exporter vs the protobuf-based conversion.

The direct encoder (obs) and the protobuf path (encode_spans → MessageToDict → json) write
the same lines; this prints what each costs per span, on request-shaped batches.

Run: uv run python bench/otlp_file_export.py
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obs_core.traces import otlp_json_line
from opentelemetry.sdk.trace import ReadableSpan

from tests.core.test_otlp_json import _reference_line, _typical_batch


def microseconds_per_span(encode: Callable[[Sequence[ReadableSpan]], bytes], size: int) -> float:
    spans = _typical_batch(size)
    best = math.inf
    for _ in range(7):
        started = time.perf_counter()
        encode(spans)
        best = min(best, time.perf_counter() - started)
    return best / size * 1e6


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    for batch in (32, 512):
        old = microseconds_per_span(_reference_line, batch)
        new = microseconds_per_span(otlp_json_line, batch)
        print(
            f"batch {batch:>3}: protobuf path {old:5.1f} µs/span, obs direct {new:4.1f} µs/span,"
            f" ratio {new / old:.2f}"
        )


if __name__ == "__main__":
    main()
