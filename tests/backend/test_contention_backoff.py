"""The contention back-off of csrc/fg_parallel.h, driven with synthetic loop timings.

A loop whose calling thread waited at the barrier over FG_TEAM_LATE_NS (2 ms) and
longer than its own share came from a late team.  One late team alone is a stray
scheduler tick and changes nothing; two in a row start a back-off (loops run on
the calling thread for 100 ms, doubling while teams keep coming late); one prompt
team ends it.
"""
import pytest

from fastgrad import _C

MS = 1_000_000
LATE = dict(own_ns=100_000, wait_ns=5 * MS)
PROMPT = dict(own_ns=100_000, wait_ns=10_000)


@pytest.fixture(autouse=True)
def prompt_team_around_each_test():
    _C._team_note(**PROMPT)
    yield
    _C._team_note(**PROMPT)   # never leave the rest of the suite backed off


def test_one_late_team_is_ignored():
    before = _C.contention_backoffs()
    assert _C._team_note(**LATE) is True
    assert _C._team_note(**PROMPT) is True
    assert _C._team_note(**LATE) is True
    assert _C.contention_backoffs() == before


def test_two_late_teams_in_a_row_back_off_and_a_prompt_one_ends_it():
    before = _C.contention_backoffs()
    assert _C._team_note(**LATE) is True
    assert _C._team_note(**LATE) is False
    assert _C.contention_backoffs() == before + 1
    assert _C._team_note(**PROMPT) is True
    assert _C.contention_backoffs() == before + 1


def test_a_long_wait_behind_a_longer_own_share_is_not_late():
    before = _C.contention_backoffs()
    for _ in range(3):
        assert _C._team_note(own_ns=10 * MS, wait_ns=5 * MS) is True
    assert _C.contention_backoffs() == before


def test_a_late_team_during_a_back_off_extends_it():
    before = _C.contention_backoffs()
    _C._team_note(**LATE)
    assert _C._team_note(**LATE) is False
    assert _C._team_note(**LATE) is False     # doubled, still serial
    assert _C.contention_backoffs() == before + 2


def test_results_do_not_change_while_backed_off():
    import numpy as np

    x = np.random.default_rng(0).standard_normal(1 << 22).astype(np.float32)
    with_team = (_C.sigmoid_fwd(x), _C.sum_squares([x]))
    _C._team_note(**LATE)
    assert _C._team_note(**LATE) is False
    alone = (_C.sigmoid_fwd(x), _C.sum_squares([x]))
    np.testing.assert_array_equal(alone[0], with_team[0])
    assert alone[1] == with_team[1]
