"""Numerical primitives shared by the solvers: softmax, sigmoid, simplex projection, the stage-tie tolerance.

One copy of each; kernels import the constants from here (numba freezes them at compile time).

Examples
--------
>>> softmax([0.0, 0.0]).tolist()
[0.5, 0.5]
>>> float(sigmoid(0.0))
0.5
>>> project_to_simplex([[0.6, 0.6], [2.0, 0.0], [0.2, 0.3]]).tolist()
[[0.5, 0.5], [1.0, 0.0], [0.45, 0.55]]
"""

from __future__ import annotations

import numpy as np

__all__ = ["STAGE_TOL", "softmax", "log_softmax", "sigmoid", "project_to_simplex"]

#: Stage-game ties: values within ``STAGE_TOL * max(1, |extreme|)`` of an extreme tie with it. One rule for the
#: Markov solvers, their numba kernels and the tabular learners.
STAGE_TOL = 1e-9


def softmax(logits, tau: float = 1.0) -> np.ndarray:
    """Softmax over the last axis of ``logits / tau`` (shifted by the maximum, so it never overflows)."""
    z = np.asarray(logits, dtype=float) / tau
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(logits, tau: float = 1.0) -> np.ndarray:
    """Log-softmax over the last axis of ``logits / tau``."""
    z = np.asarray(logits, dtype=float) / tau
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def sigmoid(x):
    """The logistic function, written with tanh so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def project_to_simplex(v) -> np.ndarray:
    """Euclidean projection of each row (last axis) of ``v`` onto the probability simplex.

    Sort-based algorithm (Held, Wolfe and Crowder 1974; Duchi et al. 2008). Inputs are trusted (finite floats):
    public callers validate first.
    """
    v = np.asarray(v, dtype=float)
    k = v.shape[-1]
    u = -np.sort(-v, axis=-1)
    cumulative = np.cumsum(u, axis=-1) - 1.0
    index = np.arange(1, k + 1)
    positive = u - cumulative / index > 0
    rho = k - 1 - np.argmax(positive[..., ::-1], axis=-1)
    threshold = np.take_along_axis(cumulative, rho[..., None], axis=-1) / (rho[..., None] + 1.0)
    return np.maximum(v - threshold, 0.0)
