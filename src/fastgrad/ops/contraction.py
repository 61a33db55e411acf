"""Tensor contractions: einsum (a primitive) and tensordot (matmul after reshapes)."""
import string

from ..autograd.primitive import Primitive as Function
from .linalg import matmul
from .shape import permute, reshape


def parse_einsum(subscripts, shapes):
    """Explicit form of an einsum: one term per operand and the output, no '...'.

    Ellipses become fresh letters (right-aligned, as NumPy broadcasts them) and
    an implicit output becomes NumPy's: ellipsis axes, then the letters that
    appear once, in alphabetical order.
    """
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: '{subscripts}' names {len(terms)} operands but {len(shapes)} were given")
    fresh = iter(c for c in string.ascii_letters if c not in subscripts)
    widest = 0
    for term, shape in zip(terms, shapes):
        if "..." in term:
            widest = max(widest, len(shape) - (len(term) - 3))
    ellipsis = "".join(next(fresh) for _ in range(widest))
    explicit = []
    for term, shape in zip(terms, shapes):
        if "..." in term:
            n = len(shape) - (len(term) - 3)
            term = term.replace("...", ellipsis[widest - n:] if n else "")
        if len(term) != len(shape):
            raise ValueError(f"einsum: term '{term}' has {len(term)} letters for an operand of shape "
                             f"{tuple(shape)}")
        explicit.append(term)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        letters = "".join(explicit)
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return explicit, output, fresh


class Einsum(Function):
    @staticmethod
    def forward(ctx, b, subscripts, *operands, optimize=False):
        terms, output, _ = parse_einsum(subscripts, [op.shape for op in operands])
        ctx.terms, ctx.output, ctx.optimize = terms, output, optimize
        ctx.save_for_backward(*operands)
        if not hasattr(b.xp, "einsum"):
            raise TypeError(f"einsum: the {getattr(b.xp, '__name__', 'array')} namespace has no einsum")
        return b.xp.einsum(subscripts, *operands, optimize=optimize)

    @staticmethod
    def backward(ctx, b, g):
        operands = ctx.saved_arrays
        grads = [None]
        for k, need in enumerate(ctx.needs_input_grad[1:]):
            grads.append(_einsum_operand_grad(b.xp, g, ctx, operands, k) if need else None)
        return tuple(grads)


def _einsum_operand_grad(xp, g, ctx, operands, k):
    """d/d operand_k: an einsum of the output gradient with every other operand.

    Letters repeated within operand k (a diagonal) get an identity matrix;
    letters that only operand k has (summed away) get a vector of ones; axes
    that broadcasting stretched are summed back to length 1.
    """
    terms, output = ctx.terms, ctx.output
    sizes = {}
    for term, op in zip(terms, operands):
        for c, n in zip(term, op.shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = n
    fresh = iter(c for c in string.ascii_letters if c not in "".join(terms) + output)
    specs, args = [output], [g]
    for j, (term, op) in enumerate(zip(terms, operands)):
        if j == k:
            continue
        full = tuple(sizes[c] for c in term)
        specs.append(term)
        args.append(op if tuple(op.shape) == full else xp.broadcast_to(op, full))
    dtype = g.dtype
    raw = ctx.backend.xp  # constants in the arrays' own namespace, also under create_graph
    available = set("".join(specs))
    result, seen = "", set()
    for c in terms[k]:
        if c in seen:
            twin = next(fresh)
            specs.append(c + twin)
            args.append(raw.eye(sizes[c], dtype=dtype))
            result += twin
            continue
        seen.add(c)
        result += c
        if c not in available:
            specs.append(c)
            args.append(raw.ones(sizes[c], dtype=dtype))
            available.add(c)
    grad = xp.einsum(",".join(specs) + "->" + result, *args, optimize=ctx.optimize)
    shape = tuple(operands[k].shape)
    stretched = tuple(i for i, (n, m) in enumerate(zip(shape, grad.shape)) if n == 1 and m != 1)
    if stretched:
        grad = xp.sum(grad, axis=stretched, keepdims=True)
    return grad


def einsum(subscripts, *operands, optimize=False):
    """Einstein summation, as np.einsum: 'ij,jk->ik' is a matrix product.

    The gradient for each operand is itself an einsum of the output gradient
    with the other operands, so any order of derivative works.

    >>> fg.einsum("ij,j->i", a, v)     # a @ v
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string, got {type(subscripts).__name__}")
    return Einsum.apply(subscripts, *operands, optimize=optimize)


def tensordot(a, b, dims=2):
    """Sum of products over the last `dims` axes of a and the first of b, or
    over the axes given as a pair of sequences (np.tensordot's `axes`).

    Computed as one matrix product after moving and merging axes.

    >>> fg.tensordot(a, b, dims=([1], [0]))   # a @ b for matrices
    """
    na, nb = len(a.shape), len(b.shape)
    if isinstance(dims, int):
        axes_a, axes_b = list(range(na - dims, na)), list(range(dims))
    else:
        axes_a, axes_b = dims
        axes_a = [axes_a] if isinstance(axes_a, int) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, int) else list(axes_b)
    axes_a = [i % na for i in axes_a]
    axes_b = [i % nb for i in axes_b]
    if len(axes_a) != len(axes_b):
        raise ValueError(f"tensordot: {len(axes_a)} axes of a against {len(axes_b)} axes of b")
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(f"tensordot: axis {i} of a (length {a.shape[i]}) does not match axis {j} of b "
                             f"(length {b.shape[j]})")
    free_a = [i for i in range(na) if i not in axes_a]
    free_b = [j for j in range(nb) if j not in axes_b]
    k = _size(a.shape[i] for i in axes_a)
    out_a = tuple(a.shape[i] for i in free_a)
    out_b = tuple(b.shape[j] for j in free_b)
    a2 = reshape(permute(a, free_a + axes_a), (_size(out_a), k))
    b2 = reshape(permute(b, axes_b + free_b), (k, _size(out_b)))
    return reshape(matmul(a2, b2), out_a + out_b)


def _size(shape):
    n = 1
    for s in shape:
        n *= s
    return n
