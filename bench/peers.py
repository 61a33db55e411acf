"""Optional peers of the benchmarks: skipped with a reason when absent, never faked."""
import pytest


def torch_or_skip():
    return pytest.importorskip("torch", reason="PyTorch not installed: its column is skipped")
