"""The oneDNN tests' fixtures: oneDNN chosen for one test, then the choice in effect before."""
import pytest


def onednn_for_one_test(setter, state):
    """A fixture's body: setter("onednn") (the test is skipped where oneDNN cannot be used), then
    yield setter; afterwards the choice in effect before (`state`, the module's _state) is put back."""
    saved = dict(state)
    try:
        setter("onednn")
    except RuntimeError as e:
        pytest.skip(f"oneDNN cannot be used here: {e}")
    yield setter
    state.update(saved)
