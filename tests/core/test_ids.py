"""Trace and span ids in hex: what W3C headers, log lines and OTLP/JSON carry."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from obs_core._ids import hex_span_id, hex_trace_id


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_a_trace_id_is_32_lowercase_hex_digits(trace_id: int) -> None:
    written = hex_trace_id(trace_id)
    assert written == format(trace_id, "032x")
    assert len(written) == 32
    assert int(written, 16) == trace_id


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_a_span_id_is_16_lowercase_hex_digits(span_id: int) -> None:
    written = hex_span_id(span_id)
    assert written == format(span_id, "016x")
    assert len(written) == 16


@given(st.integers(min_value=2**128, max_value=2**140) | st.integers(max_value=-1))
def test_an_id_out_of_range_is_written_as_format_writes_it_not_raised(value: int) -> None:
    assert hex_trace_id(value) == format(value, "032x")
    assert hex_span_id(value) == format(value, "016x")
