"""Where the float32 products of the recurrent layers run: oneDNN's matmul, or the GEMM layer.

A recurrent layer's products (RNN, LSTM, GRU: the input projection of all steps, per time
step the recurrent product forward and backward, the weight gradients) are
small and many; oneDNN's matmul (`pip install onednn-cpu-gomp`, or
fastgrad[onednn]; loaded at run time, onednn.py) runs them with the widest
vector instructions the CPU has, where MKL's cblas_sgemm takes a narrower path
on some CPUs.  With oneDNN chosen the sequence kernels' time loop runs in C
even when MKL is not installed.  The values agree with the GEMM layer's up to
float32 rounding.  float64 and other dtypes, CuPy arrays, autocast and
higher-order gradients always take the GEMM layer.

The choice comes from `set_recurrent_gemm(...)`, else the
FASTGRAD_RECURRENT_GEMM environment variable, else "auto" (oneDNN when it is
installed and loads); it is made on first use, so importing fastgrad never
loads oneDNN.
"""
from .onednn import OnednnChoice

_choice = OnednnChoice("set_recurrent_gemm", ("auto", "onednn", "blas"), "FASTGRAD_RECURRENT_GEMM", "blas",
                       "using the GEMM layer")
_state = _choice.state


def set_recurrent_gemm(name="auto"):
    """Choose how the float32 products of RNN, LSTM and GRU layers run: "auto", "onednn" or "blas".

    "onednn": oneDNN's matmul (RuntimeError when oneDNN is missing or cannot be
    loaded); "blas": the GEMM layer (MKL, else NumPy's BLAS); "auto": oneDNN when
    installed, else the GEMM layer.  Returns the choice in effect.

    Example::

        from fastgrad.backend.onednn_gemm import set_recurrent_gemm
        set_recurrent_gemm("blas")
    """
    return _choice.choose(name)


def get_recurrent_gemm():
    """How the float32 products of recurrent layers run now: "onednn" or "blas"."""
    return _choice.resolve()


def recurrent_gemm_description():
    """One line naming how the recurrent layers' float32 products run (for `fastgrad info`)."""
    return _choice.describe(lambda: ", matmul", "the GEMM layer")


def runs_on_onednn(arrays):
    """Whether products of these arrays (None for missing ones) go to oneDNN: all float32 NumPy
    arrays, and oneDNN chosen."""
    return _choice.takes(arrays)
