"""Reference twins of the attention softmax kernels (csrc/attention.c).

attention_softmax_fwd(scores, mask, causal) -> p: softmax along the last axis
of scores + mask (mask broadcasting to the scores, or None), the columns
c > r of row r left out when causal; a row with nothing left is zeros.
attention_softmax_bwd(p, gp, keep, keep_scale) -> gs = p (d - sum(p d))
along the last axis, d = gp * keep * keep_scale (keep: the elements dropout
kept, or None for d = gp).
"""


def _causal_allowed(xp, rows, cols):
    """(rows, cols) bools: column c is visible from row r when c <= r."""
    return xp.reshape(xp.arange(rows), (rows, 1)) >= xp.reshape(xp.arange(cols), (1, cols))


def attention_softmax_fwd(xp, scores, mask=None, causal=False):
    rows, cols = scores.shape[-2:]
    s = scores if mask is None else scores + mask
    if causal:
        s = xp.where(_causal_allowed(xp, rows, cols), s, -xp.inf)
    if cols == 0:
        return s
    m = xp.max(s, axis=-1, keepdims=True)
    # the maximum is subtracted for stability; a row that is all -inf keeps m = 0 and gives zeros
    attended = m > -xp.inf
    e = xp.exp(s - xp.where(attended, m, 0.0))
    total = xp.sum(e, axis=-1, keepdims=True)
    return e / xp.where(attended, total, 1.0)


def attention_softmax_bwd(xp, p, gp, keep=None, keep_scale=1.0):
    d = gp if keep is None else xp.where(keep, gp * keep_scale, 0.0)
    return p * (d - xp.sum(p * d, axis=-1, keepdims=True))
