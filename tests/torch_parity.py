"""Checks shared by the tests that compare fastgrad with PyTorch on the same float64 inputs."""
import contextlib
import re
import textwrap

import numpy as np
import pytest

import fastgrad as fg

try:
    import torch
except ImportError:  # the tests that compare with PyTorch skip; the others run
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def copy_weights(mine, peer):
    """Loads the PyTorch module's state_dict into mine (the keys must match, in order)."""
    assert list(mine.state_dict()) == list(peer.state_dict())
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in peer.state_dict().items()})


def check_outputs_and_gradients(torch, mine, peer, got, expected, inputs_m, inputs_t, rng, tol):
    """Compares each output (None where PyTorch returns None), back-propagates the same random
    weighting of all outputs through both modules, then compares the gradients of the inputs
    and of every parameter, by name."""
    loss_m, loss_t = 0, 0
    for g, e in zip(got, expected):
        if e is None:
            assert g is None
            continue
        assert g.shape == tuple(e.shape)
        np.testing.assert_allclose(g.data, e.detach().numpy(), **tol)
        seed = rng.standard_normal(g.shape)
        loss_m = loss_m + (g * fg.tensor(seed)).sum()
        loss_t = loss_t + (e * torch.tensor(seed)).sum()
    loss_m.backward()
    loss_t.backward()
    for a, b in zip(inputs_m, inputs_t):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), **tol)
    params = dict(mine.named_parameters())
    assert list(params) == [k for k, _ in peer.named_parameters()]
    for k, p in peer.named_parameters():
        np.testing.assert_allclose(params[k].grad.data, p.grad.numpy(), err_msg=k, **tol)


def check_module_against_torch(torch, mine, peer, a, tol):
    """Both modules on tensors made from the same array: the same outputs, and the same gradient
    of the outputs' sum in the input.  Returns fastgrad's input and output."""
    x, t = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = mine(x), peer(t)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **tol)
    return x, y


def check_against_torch(torch, fn_mine, fn_torch, arrays, rng, tol, grad_tol=None):
    """Runs both functions on leaves made from the same arrays and compares the outputs, then
    back-propagates one random weighting of the output through both and compares the input
    gradients (to `grad_tol` when given, else `tol`)."""
    mine = [fg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    got, expected = fn_mine(*mine), fn_torch(*theirs)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **tol)
    seed = rng.standard_normal(got.shape)
    (got * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.grad.data, t.grad.numpy(), **(grad_tol or tol))


def check_case_against_torch(torch, case, rng, tol, wrap_torch=None):
    """A case (name, call, shapes, domain): call(library, *tensors) on float64 arrays drawn as
    domain(rng, shape), compared with PyTorch by check_against_torch; `wrap_torch`, when given,
    wraps PyTorch's call (to silence its warnings, say)."""
    _, call, shapes, domain = case
    arrays = [domain(rng, s) for s in shapes]
    theirs = lambda *x: call(torch, *x)
    check_against_torch(torch, lambda *x: call(fg, *x), theirs if wrap_torch is None else wrap_torch(theirs),
                        arrays, rng, tol)


def gradcheck_case(case, rng):
    """Whether fastgrad's call of a case (name, call, shapes, domain) passes gradcheck on float64
    leaves drawn as domain(rng, shape)."""
    _, call, shapes, domain = case
    leaves = [fg.tensor(domain(rng, s), requires_grad=True) for s in shapes]
    return fg.gradcheck(lambda *x: call(fg, *x), leaves)


def assert_same_result(mine, theirs, rtol=None):
    """A result without a gradient equals PyTorch's: tuples and lists item by item, plain values
    with ==, tensors in dtype, shape and values (exactly, or to `rtol` when given)."""
    if isinstance(theirs, (tuple, list)):
        assert len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            assert_same_result(m, t, rtol)
        return
    if not hasattr(theirs, "numpy"):
        assert mine == theirs
        return
    expected = theirs.numpy()
    assert mine.dtype == expected.dtype and tuple(mine.shape) == expected.shape
    if rtol is None:
        np.testing.assert_array_equal(mine.numpy(), expected)
    else:
        np.testing.assert_allclose(mine.numpy(), expected, rtol=rtol)


def check_second_derivative_against_torch(torch, name, x, kwargs, tol):
    """F.<name>(x, **kwargs) in fastgrad and PyTorch: the gradient in x of sum(g * g), g the
    gradient of sum(y ** 3) taken with create_graph, is the same."""
    mine = fg.tensor(x, requires_grad=True)
    (g,) = fg.autograd.grad((getattr(fg.nn.functional, name)(mine, **kwargs) ** 3).sum(), mine, create_graph=True)
    (g * g).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad((getattr(torch.nn.functional, name)(theirs, **kwargs) ** 3).sum(), theirs,
                                create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), **tol)


def to_fastgrad(source):
    """The script with only its imports changed: `torch` becomes `fastgrad` in every import line."""
    source = re.sub(r"^import torch$", "import fastgrad as torch", source, flags=re.M)
    source = re.sub(r"^import torch\.(\S+) as ", r"import fastgrad.\1 as ", source, flags=re.M)
    # `import torch.utils.data` binds `torch`: under fastgrad the name is already bound by `import torch`
    source = re.sub(r"^import torch\.(\S+)$", r"import fastgrad.\1", source, flags=re.M)
    return re.sub(r"^from torch(\.\S+)? import ", lambda m: f"from fastgrad{m.group(1) or ''} import ", source,
                  flags=re.M)


def run_script(source, library, name):
    """Runs a PyTorch script's source (dedented) with `library` ("torch", or "fastgrad" with only
    the imports changed) and returns its global namespace."""
    source = textwrap.dedent(source)
    if library == "fastgrad":
        source = to_fastgrad(source)
    namespace = {"__name__": f"{name}_{library}"}
    exec(compile(source, f"<{name} with {library}>", "exec"), namespace)
    return namespace


@contextlib.contextmanager
def float64_scripts(*libraries):
    """New tensors and parameters are float64 in every given library (torch, fastgrad) inside."""
    before = [library.get_default_dtype() for library in libraries]
    try:
        for library in libraries:
            library.set_default_dtype(library.float64)
        yield
    finally:
        for library, dtype in zip(libraries, before):
            library.set_default_dtype(dtype)


def start_from(namespace, class_name, state):
    """The script's Module class `class_name` starts from the given weights (NumPy arrays by
    state_dict key) with every dropout off, so that its instances take the same steps under both
    libraries."""
    torch = namespace["torch"]
    module_class = namespace[class_name]
    script_init = module_class.__init__

    def __init__(self, *args, **kwargs):
        script_init(self, *args, **kwargs)
        self.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        for module in self.modules():
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.0

    module_class.__init__ = __init__


def state_arrays(module):
    """A module's state_dict as NumPy arrays (copies)."""
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def assert_same_state(mine, peer, rtol=1e-8, atol=1e-11):
    """The two modules' state_dicts hold the same keys in the same order, with equal dtypes and
    values (parameters and buffers: BatchNorm's running statistics and step counts too)."""
    expected = peer.state_dict()
    assert list(mine.state_dict()) == list(expected)
    for key, value in mine.state_dict().items():
        assert value.numpy().dtype == expected[key].numpy().dtype, key
        np.testing.assert_allclose(value.numpy(), expected[key].numpy(), rtol=rtol, atol=atol, err_msg=key)
