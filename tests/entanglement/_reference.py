"""Dense numpy reference for entanglement profiles (independent of qtwin.tensornet)."""

from __future__ import annotations

import math

import numpy as np


def dense_reference(w: np.ndarray, row_dims, col_dims, perm=None, alpha=1.0):
    """Entropy at every cut from np.linalg.svd of each reshaping (independent of qtwin)."""
    dims = list(row_dims) + list(col_dims)
    t = (w / np.linalg.norm(w)).reshape(dims)
    if perm is not None:
        t = np.transpose(t, perm)
        dims = [dims[i] for i in perm]
    out = []
    for c in range(1, len(dims)):
        left = int(np.prod(dims[:c]))
        s = np.linalg.svd(t.reshape(left, -1), compute_uv=False)
        p = s**2
        p = p[p > 1e-28]
        if alpha == 1:
            out.append(-np.sum(p * np.log(p)))
        elif alpha == 0:
            out.append(np.log(p.size))
        elif math.isinf(alpha):
            out.append(-np.log(p.max()))
        else:
            out.append(np.log(np.sum(p**alpha)) / (1 - alpha))
    return np.array(out)
