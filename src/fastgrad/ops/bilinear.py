"""The bilinear form x1^T A x2 + b (PyTorch's F.bilinear), composed from one matrix product
and a reduction, so that its gradients come from those ops."""
from ..autograd.tensor import Tensor


def bilinear(input1, input2, weight, bias=None):
    """out[..., o] = sum_{i, j} input1[..., i] weight[o, i, j] input2[..., j] + bias[o], as
    PyTorch's F.bilinear: input1 (*, H1), input2 (*, H2) with the same leading shape, weight
    (O, H1, H2), bias (O,) or None.  Computed as (input1 @ weight viewed as (H1, O * H2)) times
    input2, summed over j.

    >>> import fastgrad as fg
    >>> fg.nn.functional.bilinear(fg.ones((1, 2)), fg.ones((1, 3)), fg.ones((4, 2, 3))).tolist()
    [[6.0, 6.0, 6.0, 6.0]]
    """
    op = "bilinear"
    for name, a in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not hasattr(a, "ndim"):
            raise TypeError(f"{op}: argument '{name}' must be a Tensor or an array, got {type(a).__name__}")
    if weight.ndim != 3:
        raise ValueError(f"{op}: argument 'weight' must be 3-d (out_features, in1_features, in2_features), got "
                         f"shape {tuple(weight.shape)}")
    out_features, h1, h2 = weight.shape
    if input1.ndim == 0 or input1.shape[-1] != h1:
        raise ValueError(f"{op}: argument 'input1' of shape {tuple(input1.shape)} must end with in1_features ({h1})")
    if input2.ndim == 0 or input2.shape[-1] != h2:
        raise ValueError(f"{op}: argument 'input2' of shape {tuple(input2.shape)} must end with in2_features ({h2})")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise ValueError(f"{op}: input1 {tuple(input1.shape)} and input2 {tuple(input2.shape)} must agree in all "
                         "axes but the last")
    if bias is not None and tuple(bias.shape) != (out_features,):
        raise ValueError(f"{op}: argument 'bias' has shape {tuple(bias.shape)}, expected ({out_features},)")
    input1, input2, weight = (a if isinstance(a, Tensor) else Tensor(a) for a in (input1, input2, weight))
    lead = tuple(input1.shape[:-1])
    a = input1.reshape(-1, h1)
    b = input2.reshape(-1, 1, h2)
    mixed = (a @ weight.permute(1, 0, 2).reshape(h1, out_features * h2)).reshape(-1, out_features, h2)
    out = (mixed * b).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(*lead, out_features)
