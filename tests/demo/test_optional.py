"""Optional packages: one line naming the extra to install when one is missing."""
import sys

import pytest

from fastgrad.demo.optional import INSTALL_HINT, MissingExtra, missing, optional_import, require


@pytest.fixture
def no_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)   # import now raises ImportError


def test_require_names_the_package_the_purpose_and_the_extra(no_matplotlib):
    with pytest.raises(MissingExtra) as info:
        require("matplotlib", "plots")
    assert str(info.value) == f'matplotlib is needed for plots: {INSTALL_HINT}'
    assert INSTALL_HINT == 'pip install "fastgrad[examples]"'


def test_scikit_learn_is_named_by_its_package_name(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(MissingExtra, match="^scikit-learn is needed for"):
        require("sklearn")


def test_present_and_absent_modules(no_matplotlib):
    assert optional_import("matplotlib") is None
    assert optional_import("json") is sys.modules["json"]
    assert missing(["json", "matplotlib"]) == ["matplotlib"]
