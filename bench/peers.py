"""Optional peers of the benchmarks: skipped with a reason when absent, never faked."""
import pytest


def torch_or_skip():
    return pytest.importorskip("torch", reason="PyTorch not installed: its column is skipped")


def library(peer):
    """The module of a peer that spells its API as PyTorch does: "fastgrad" or "torch"."""
    if peer == "torch":
        return torch_or_skip()
    import fastgrad

    return fastgrad
