import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # for the helper modules beside this file (torch_parity, ...)


@pytest.fixture(scope="session", autouse=True)
def run_outside_the_source_tree(tmp_path_factory):
    """Run every test from a scratch directory.

    Subprocesses started by tests (`python -c ...`, `python -m fastgrad`) then
    import the installed fastgrad, never the uncompiled source tree that sits
    in the checkout's root."""
    previous = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    os.chdir(previous)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
