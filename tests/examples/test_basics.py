"""The examples that need only Tensors and backward compute what they claim."""
import math

import numpy as np
import pytest


def test_linear_regression_both_descents_reach_least_squares(example, capsys):
    out = example("linear_regression").main()
    scratch, auto, exact = out["scratch"], out["autograd"], out["least_squares"]
    np.testing.assert_allclose(auto, scratch, rtol=1e-9)
    np.testing.assert_allclose(scratch[:2], exact, atol=1e-6)
    assert abs(scratch[0] - 3) < 0.05 and abs(scratch[1] - 7) < 0.05
    assert "fastgrad autograd" in capsys.readouterr().out


def test_scalar_graph_gradients_match_the_chain_rule(example):
    out = example("scalar_graph").main()
    assert out["polynomial"] == (11.0, 7.0)
    hand, auto = out["hand"], out["autograd"]
    for name in ("w", "b", "z", "a", "L"):
        assert auto[name][1] == pytest.approx(hand[name][1], rel=1e-12)
    assert auto["L"][0] == pytest.approx(8.300142788187649e-07, rel=1e-9)
    assert auto["w"][1] == pytest.approx(-3.3170323732747103e-06, rel=1e-9)


def test_gradcheck_example_passes_the_right_backward_and_catches_the_wrong_one(example):
    out = example("gradcheck_custom_function").main()
    assert out["beta=1.0"] is True and out["beta=2.5"] is True
    assert out["bug_caught"] is True
    assert out["large_inputs"][0] == 0.0 and out["large_inputs"][2] == 800.0
    assert out["large_inputs"][1] == pytest.approx(math.log(2))
