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

__all__ = ["STAGE_TOL", "stage_floors", "softmax", "log_softmax", "sigmoid", "project_to_simplex"]

#: Stage-game ties: player ``p``'s values within ``STAGE_TOL * max(M_p, |extreme|)`` of an extreme tie with it,
#: ``M_p`` the largest ``|reward|`` of player ``p`` (:func:`stage_floors`), so that scaling a player's rewards by
#: any ``c > 0`` (which changes no equilibrium of a Markov game) changes no decision. One rule for the Markov value
#: iteration solvers and their numba kernels; the tabular learners' kernels keep ``M_p = 1``.
STAGE_TOL = 1e-9


def stage_floors(rewards) -> np.ndarray:
    """Per player, the magnitude ``M_p = max |R_p|`` below which stage ties are judged absolutely (1 if all zero).

    ``rewards`` has the players on its first axis (a :class:`~stackelberg.games.markov.MarkovGame`'s ``rewards``).
    The Q-values of a player's stage games are sums of its rewards, so ``STAGE_TOL * M_p`` is the smallest slack
    that means the same for a game in any units (with ``M_p = 1`` a game whose rewards are of size ``1e-9`` ties
    everywhere).

    Examples
    --------
    >>> stage_floors(np.array([[[3.0, -5.0]], [[0.0, 0.0]], [[2e-12, 1e-12]]])).tolist()
    [5.0, 1.0, 2e-12]
    """
    R = np.asarray(rewards, dtype=float)
    top = np.abs(R.reshape(R.shape[0], -1)).max(axis=1) if R.size else np.zeros(R.shape[0])
    return np.where(top > 0, top, 1.0)


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
