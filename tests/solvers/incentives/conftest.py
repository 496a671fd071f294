"""Shared fixtures of the incentive tests."""

import numpy as np
import pytest


def _numeric_gradient(f, x, h=1e-6):
    """Central differences of ``f`` at ``x``, one coordinate at a time."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        out[idx] = (f(up) - f(down)) / (2 * h)
    return out


@pytest.fixture(scope="session")
def numeric_gradient():
    """The reference gradient the exact gradients are checked against (session-scoped: usable under @given)."""
    return _numeric_gradient
