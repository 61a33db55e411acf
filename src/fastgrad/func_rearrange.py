"""fastgrad.func.rearrange: einops-style reshaping and transposing by a pattern, as
torch.func.rearrange.

    rearrange(images, "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=16, p2=16)    # image patches

Each side lists the axes by name; parentheses group several names into one axis (split on the
left, merged on the right), "..." stands for the axes not named (on both sides or neither), and
"1" or "()" is an axis of size 1. Every name appears once per side and on both sides. The result
is a view or a copy made of reshape and permute, so gradients flow through it.
"""
import math
import re

from .autograd.tensor import Tensor
from .ops.shape import stack

__all__ = ["rearrange"]

_TOKEN = re.compile(r"\.\.\.|\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+|\S")
_ELLIPSIS = "..."


def _parse(side, text):
    """[group, ...], a group being a list of atoms (names, "1" or "..."); ValueError when malformed."""
    groups, current = [], None
    for token in _TOKEN.findall(text):
        if token == "(":
            if current is not None:
                raise ValueError(f"rearrange: nested parentheses in the {side} side {text!r}")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"rearrange: unbalanced parentheses in the {side} side {text!r}")
            groups.append(current)
            current = None
        elif token == _ELLIPSIS or token.isidentifier() or token.isdigit():
            if token.isdigit() and token != "1":
                raise ValueError(f"rearrange: only 1 may be written as a number, got {token} in {text!r}")
            if token == _ELLIPSIS and current is not None:
                raise ValueError(f"rearrange: '...' cannot be inside parentheses ({text!r})")
            (current if current is not None else groups).append(token if current is not None else [token])
        else:
            raise ValueError(f"rearrange: unexpected {token!r} in the {side} side {text!r}")
    if current is not None:
        raise ValueError(f"rearrange: unbalanced parentheses in the {side} side {text!r}")
    names = [a for g in groups for a in g if a != "1"]
    repeated = sorted({a for a in names if names.count(a) > 1})
    if repeated:
        raise ValueError(f"rearrange: the {side} side {text!r} names {repeated[0]!r} more than once")
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """tensor reshaped and transposed as `pattern` ("left -> right") says; a list or tuple of
    tensors is stacked on a new first axis first. axes_lengths give the sizes of split axes (one
    size per group may be left out and is inferred).

    >>> rearrange(fastgrad.zeros(2, 3, 4), "a b c -> c (a b)").shape
    (4, 6)
    """
    if isinstance(tensor, (list, tuple)):
        tensor = stack(list(tensor), 0)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"rearrange: expected a Tensor or a list of Tensors, got {type(tensor).__name__}")
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern must be one string 'left -> right', got {pattern!r}")
    left_text, right_text = pattern.split("->")
    left, right = _parse("left", left_text), _parse("right", right_text)
    left_names = {a for g in left for a in g if a != "1"}
    right_names = {a for g in right for a in g if a != "1"}
    if left_names != right_names:
        only = sorted(left_names ^ right_names)
        raise ValueError(f"rearrange: {only} appear on only one side of {pattern!r} (each name must be on both)")
    unknown = sorted(set(axes_lengths) - left_names)
    if unknown:
        raise ValueError(f"rearrange: axes_lengths names {unknown}, which the pattern {pattern!r} does not")

    shape = tuple(tensor.shape)
    fixed = len(left) - (1 if [_ELLIPSIS] in left else 0)
    if (len(shape) < fixed) if [_ELLIPSIS] in left else (len(shape) != fixed):
        raise ValueError(f"rearrange: the left side of {pattern!r} has {fixed} axes, the tensor has {len(shape)} "
                         f"(shape {shape})")
    sizes, atoms = {}, []
    axis = 0
    for group in left:
        if group == [_ELLIPSIS]:
            count = len(shape) - fixed
            for i in range(count):
                name = f"...{i}"
                sizes[name] = shape[axis + i]
                atoms.append(name)
            axis += count
            continue
        length = shape[axis]
        known = math.prod(1 if a == "1" else axes_lengths.get(a, 1) for a in group)
        missing = [a for a in group if a != "1" and a not in axes_lengths]
        if len(missing) > 1:
            raise ValueError(f"rearrange: cannot infer the sizes of {missing} in one axis of {pattern!r}; give all "
                             f"but one in axes_lengths")
        if missing:
            if known == 0 or length % known:
                raise ValueError(f"rearrange: axis {axis} of size {length} cannot be split by {known} in {pattern!r}")
            sizes[missing[0]] = length // known
        elif known != length:
            raise ValueError(f"rearrange: axis {axis} has size {length}, but {pattern!r} with {axes_lengths} makes it "
                             f"{known}")
        for a in group:
            if a != "1":
                sizes.setdefault(a, axes_lengths.get(a))
                atoms.append(a)
        axis += 1

    elementary = tensor.reshape(*(sizes[a] for a in atoms)) if atoms else tensor.reshape(())
    order = [atoms.index(a) for a in _expanded(right, len(shape) - fixed) if a != "1"]
    if order != list(range(len(order))):
        elementary = elementary.permute(*order)
    out_shape = []
    for group in right:
        if group == [_ELLIPSIS]:
            out_shape.extend(sizes[f"...{i}"] for i in range(len(shape) - fixed))
        else:
            out_shape.append(math.prod(1 if a == "1" else sizes[a] for a in group))
    return elementary.reshape(*out_shape) if tuple(out_shape) != tuple(elementary.shape) else elementary


def _expanded(groups, ellipsis_count):
    """The atoms of the groups in order, "..." spelled out as its axes."""
    atoms = []
    for group in groups:
        for a in group:
            atoms.extend([f"...{i}" for i in range(ellipsis_count)] if a == _ELLIPSIS else [a])
    return atoms
