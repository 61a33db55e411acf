"""Where float32 convolutions of NumPy arrays run: oneDNN's convolution primitives, or im2col + GEMM.

oneDNN (`pip install onednn-cpu-gomp`, or fastgrad[onednn]) is loaded at run
time, as for the bfloat16 GEMM (onednn.py); its forward, backward-data and
backward-weights convolutions run in its own blocked layouts, into which the
arrays are reordered and back, and give the values of the im2col path up to
float32 rounding.  float64 and other dtypes, autocast, empty batches and
higher-order gradients (create_graph) always take the im2col path.

The choice comes from `set_conv_algorithm(...)`, else the FASTGRAD_CONV
environment variable, else "auto" (oneDNN when it is installed and loads);
it is made on first use, so importing fastgrad never loads oneDNN.
"""
from .onednn import OnednnChoice

_choice = OnednnChoice("set_conv_algorithm", ("auto", "onednn", "im2col"), "FASTGRAD_CONV", "im2col",
                       "using im2col convolutions")
_state = _choice.state


def set_conv_algorithm(name="auto"):
    """Choose how float32 convolutions of NumPy arrays run: "auto", "onednn" or "im2col".

    "onednn": oneDNN's convolutions (RuntimeError when oneDNN is missing or cannot
    be loaded); "im2col": the patch gather and GEMMs of fastgrad's own kernels;
    "auto": oneDNN when installed, else im2col.  Returns the choice in effect.

    Example::

        from fastgrad.backend.onednn_conv import set_conv_algorithm
        set_conv_algorithm("im2col")
    """
    return _choice.choose(name)


def get_conv_algorithm():
    """How float32 convolutions run now: "onednn" or "im2col"."""
    return _choice.resolve()


resolve = _choice.resolve  # FASTGRAD_CONV (default "auto") applied unless set_conv_algorithm already chose


def conv_description():
    """One line naming how float32 convolutions run (for `fastgrad info`)."""
    return _choice.describe(lambda: "", "im2col + GEMM")


def runs_on_onednn(*arrays):
    """Whether a convolution of these arrays (None for a missing bias) goes to oneDNN: all
    float32 NumPy arrays, and oneDNN chosen."""
    return _choice.takes(arrays)
