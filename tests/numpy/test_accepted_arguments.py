"""NumPy options that fastgrad.numpy's Tensor versions accept are implemented or refused by
name: out=, copy=False, device=, like=, order= (structured), casting=, kth, reshape's copy."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp


def _leaf(*shape):
    return fg.tensor(np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape), requires_grad=True)


def test_multi_dot_refuses_out():
    with pytest.raises(TypeError, match="multi_dot: out= is not supported on Tensors"):
        fnp.linalg.multi_dot([_leaf(2, 2), _leaf(2, 2)], out=np.empty((2, 2)))


def test_nan_to_num_refuses_copy_false_on_tensors_and_keeps_numpys_for_arrays():
    with pytest.raises(TypeError, match=r"nan_to_num: copy=False \(replacing in place\) is not supported"):
        fnp.nan_to_num(_leaf(3), copy=False)
    a = np.array([np.nan, 1.0])
    assert fnp.nan_to_num(a, copy=False) is a and a[0] == 0.0


@pytest.mark.parametrize("call", [lambda x: fnp.linspace(x, x + 1, 3, device="cuda"),
                                  lambda x: fnp.full((2,), x[0], device="cuda"),
                                  lambda x: fnp.full_like(x, x[0], device="cuda"),
                                  lambda x: fnp.astype(x, np.float32, device="cuda")])
def test_device_other_than_cpu_is_refused(call):
    with pytest.raises(ValueError, match="device must be 'cpu' or None"):
        call(_leaf(3))


def test_device_cpu_is_taken():
    x = _leaf(3)
    assert fnp.full((2,), x[0], device="cpu").shape == (2,)
    assert fnp.astype(x, np.float32, device="cpu").dtype == np.float32
    np.testing.assert_array_equal(fnp.full_like(np.zeros(2), 3.0, device="cpu"), [3.0, 3.0])


def test_full_refuses_like_with_a_tensor_fill_and_passes_it_to_numpy_otherwise():
    with pytest.raises(TypeError, match="full: like= is not supported on Tensors"):
        fnp.full((2,), _leaf(1)[0], like=np.zeros(1))
    np.testing.assert_array_equal(fnp.full((2,), 1.0, like=np.zeros(1)), [1.0, 1.0])


def test_partition_checks_kth_and_refuses_order():
    x = _leaf(4)
    np.testing.assert_array_equal(fnp.partition(x, 2).data, [1.0, 2.0, 3.0, 4.0])
    fnp.partition(x, [-4, 3])
    with pytest.raises(ValueError, match=r"partition: kth\(=4\) out of bounds \(4\)"):
        fnp.partition(x, 4)
    with pytest.raises(TypeError, match="partition: order= is not supported on Tensors"):
        fnp.partition(x, 1, order="f0")


@pytest.mark.parametrize("join", [lambda xs, **kw: fnp.concatenate(xs, **kw), lambda xs, **kw: fnp.stack(xs, **kw),
                                  lambda xs, **kw: fnp.hstack(xs, **kw), lambda xs, **kw: fnp.vstack(xs, **kw)])
def test_joins_follow_the_casting_rule(join):
    xs = [_leaf(2), _leaf(2)]
    assert join(xs, dtype=np.float32).dtype == np.float32                       # same_kind: allowed
    with pytest.raises(TypeError, match="cannot cast array data from float64 to float32 according to the rule 'safe'"):
        join(xs, dtype=np.float32, casting="safe")
    with pytest.raises(TypeError, match="to int64 according to the rule 'same_kind'"):
        join(xs, dtype=np.int64)
    assert join(xs, dtype=np.int64, casting="unsafe").dtype == np.int64
    with pytest.raises(ValueError, match="casting must be one of"):
        join(xs, casting="sometimes")


def test_reshape_copy_true_gives_an_array_of_its_own_with_the_gradient():
    x = _leaf(2, 3)
    y = fnp.reshape(x, (3, 2), copy=True)
    assert not np.shares_memory(y._data, x._data)
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)
