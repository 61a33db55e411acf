"""Bad input from Python gets a clear exception, never a crash.

The cases run in a child process, so that a segmentation fault or an abort
in a kernel would fail the test instead of taking pytest down with it.  Each
case must raise the given exception type with a message naming the problem.
"""
import json
import subprocess
import sys
import textwrap

import pytest

CASES = {
    # wrong dtype
    "int input to a kernel": ("_C.sigmoid_fwd(np.arange(4))", "TypeError", "float32 or float64"),
    "list input to a kernel": ("_C.relu_fwd([1.0, 2.0])", "TypeError", "numpy.ndarray"),
    "mixed dtypes": ("_C.sigmoid_bwd(np.ones(3), np.ones(3, np.float32))", "TypeError", "dtype float32"),
    "out of another dtype": ("_C.tanh_fwd(np.ones(3), out=np.ones(3, np.float32))", "TypeError", "'out'"),
    "float class indices": ("_C.cross_entropy_fwd(np.ones((2, 3)), target=np.array([0.0, 1.0]))", "TypeError",
                            "integers"),
    "read-only out": ("o = np.ones(3); o.flags.writeable = False; _C.sigmoid_fwd(np.ones(3), out=o)", "ValueError",
                      "writeable"),
    # mismatched shapes
    "backward shapes": ("_C.sigmoid_bwd(np.ones(3), np.ones(4))", "ValueError", "shape (4,)"),
    "loss shapes": ("_C.mse_loss_fwd(np.ones(3), np.ones(4))", "ValueError", "shape (4,)"),
    "loss shapes that do not broadcast": ("F.mse_loss(fg.ones(3), fg.ones(4))", "ValueError", "broadcast"),
    "bce target shape": ("F.binary_cross_entropy(fg.ones(3) * 0.5, fg.ones(2))", "ValueError", "target shape"),
    "target rows": ("F.cross_entropy(fg.ones((4, 3)), np.array([0, 1]))", "ValueError", "target has shape"),
    "probability target shape": ("F.cross_entropy(fg.ones((4, 3)), fg.ones((4, 2)))", "ValueError",
                                 "probability target"),
    "pos_weight shape": ("F.binary_cross_entropy_with_logits(fg.ones((2, 3)), fg.ones((2, 3)), "
                         "pos_weight=np.ones(4))", "ValueError", "pos_weight"),
    "features": ("F.linear(fg.ones((2, 3)), fg.ones((4, 5)))", "ValueError", "expects 5"),
    "bias shape": ("F.linear(fg.ones((2, 3)), fg.ones((4, 3)), fg.ones(3))", "ValueError", "bias has shape"),
    # out-of-range class indices
    "class index too large": ("F.cross_entropy(fg.ones((4, 5)), np.array([0, 5, 1, 2]))", "IndexError",
                              "target 5 at position 1 is out of bounds for 5 classes"),
    "negative class index": ("F.cross_entropy(fg.ones((4, 5)), np.array([0, 1, -3, 2]))", "IndexError",
                             "out of bounds"),
    "huge class index": ("_C.cross_entropy_fwd(np.ones((2, 5)), target=np.array([2**40, 0]))", "IndexError",
                         "out of bounds"),
    "class index in the backward": ("_C.cross_entropy_bwd(np.ones((2, 5)), grad=np.ones(2), target=np.array([9, 0]))",
                                    "IndexError", "out of bounds"),
    "class index of a spatial target": ("F.cross_entropy(fg.ones((2, 3, 4)), np.full((2, 4), 7))", "IndexError",
                                        "out of bounds"),
    "nll class index": ("F.nll_loss(fg.ones((2, 3)), np.array([0, 3]))", "IndexError", "out of bounds"),
    # wrong-rank weights
    "1-d linear weight": ("F.linear(fg.ones((2, 3)), fg.ones(3))", "ValueError", "weight must be 2-d"),
    "3-d linear weight": ("F.linear(fg.ones((2, 3)), fg.ones((1, 4, 3)))", "ValueError", "weight must be 2-d"),
    "class weight length": ("F.cross_entropy(fg.ones((2, 3)), np.array([0, 1]), weight=np.ones(4))", "ValueError",
                            "one weight per class"),
    "2-d class weight": ("F.cross_entropy(fg.ones((2, 3)), np.array([0, 1]), weight=np.ones((3, 1)))", "ValueError",
                         "weight"),
    "1-d logits to the kernel": ("_C.cross_entropy_fwd(np.ones(3), target=np.array([0]))", "ValueError", "2-d"),
    # bad parameters and values
    "probabilities above 1": ("F.binary_cross_entropy(fg.tensor([0.5, 1.5]), fg.tensor([1.0, 0.0]))", "ValueError",
                              "between 0 and 1"),
    "label smoothing": ("F.cross_entropy(fg.ones((2, 3)), np.array([0, 1]), label_smoothing=1.5)", "ValueError",
                        "label_smoothing"),
    "reduction": ("F.mse_loss(fg.ones(3), fg.ones(3), reduction='avg')", "ValueError", "reduction"),
    "gelu approximation": ("F.gelu(fg.ones(3), approximate='fast')", "ValueError", "approximate"),
    "activation": ("fg.linear(fg.ones((2, 3)), fg.ones((4, 3)), activation='swish')", "ValueError", "swish"),
    "huber delta": ("F.huber_loss(fg.ones(3), fg.ones(3), delta=0.0)", "ValueError", "delta"),
    "softplus beta": ("F.softplus(fg.ones(3), beta=0.0)", "ValueError", "beta"),
    "softmax axis": ("F.softmax(fg.ones((2, 3)), dim=2)", "ValueError", "out of bounds"),
    "overlapping out": ("a = np.ones(10); _C.sigmoid_fwd(a[:-1], out=a[1:])", "ValueError", "overlaps"),
}

SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import fastgrad as fg
    import fastgrad.nn.functional as F
    from fastgrad import _C

    results = {}
    for name, code in json.loads(sys.argv[1]).items():
        try:
            exec(code)
        except Exception as e:
            results[name] = [type(e).__name__, str(e)]
        else:
            results[name] = [None, "no exception"]
    print(json.dumps(results))
""")


@pytest.fixture(scope="module")
def outcomes():
    codes = {name: code for name, (code, _, _) in CASES.items()}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(codes)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"the child process died (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_raises_a_clear_error(name, outcomes):
    _, kind, fragment = CASES[name]
    got_kind, message = outcomes[name]
    assert got_kind == kind, f"{name}: expected {kind}, got {got_kind}: {message}"
    assert fragment in message, f"{name}: message {message!r} does not mention {fragment!r}"
