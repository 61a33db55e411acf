"""Ratios of medians printed after a bench module's groups: the form its targets are stated in.

A module records each benchmark's median with `record(benchmark)` and lists the ratios it
wants as (group, numerator, denominator, note); `print_after(request, title, wanted)`
(from a module-scoped fixture) adds a line for every ratio whose two benchmarks ran (none
in smoke mode) to the summary bench/conftest.py prints at the end of the run.
`print_ratios = ratios.printed_after_module(title, wanted)` is that fixture for a fixed list.
"""
import pytest

_MEDIANS = {}  # (group, benchmark name) -> median seconds, over the whole run


def record(benchmark):
    """Keep the median of a benchmark that has just run (nothing when timing is disabled)."""
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        _MEDIANS[(benchmark.group, benchmark.name)] = stats.stats.median


def print_after(request, title, wanted):
    lines = []
    for group, top, bottom, note in wanted:
        if (group, top) in _MEDIANS and (group, bottom) in _MEDIANS:
            ratio = _MEDIANS[(group, top)] / _MEDIANS[(group, bottom)]
            lines.append(f"  {group}: {top} / {bottom} = {ratio:.2f}x" + (f"  ({note})" if note else ""))
    if lines:
        earlier = getattr(request.config, "bench_summary_lines", None) or []
        request.config.bench_summary_lines = earlier + [title] + lines


def printed_after_module(title, wanted):
    """An autouse module fixture that calls print_after(request, title, wanted) once the
    module's benchmarks have run; assign it to a module-level name."""

    @pytest.fixture(scope="module", autouse=True)
    def print_ratios(request):
        yield
        print_after(request, title, wanted)

    return print_ratios
