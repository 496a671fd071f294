"""Network building blocks shared by the neural learners: ReLU MLPs (flax.linen), Gumbel-softmax, table contraction.

Examples
--------
>>> import jax, jax.numpy as jnp
>>> net = MLP(hidden=(8, 8), out=3)
>>> params = net.init(jax.random.PRNGKey(0), jnp.zeros(4))
>>> net.apply(params, jnp.ones(4)).shape
(3,)
>>> y = gumbel_softmax(jax.random.PRNGKey(1), jnp.zeros(3), 1.0)
>>> round(float(y.sum()), 5)
1.0
"""

from __future__ import annotations

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

__all__ = ["MLP", "gumbel_softmax", "contract", "polyak"]


class MLP(nn.Module):
    """A fully connected ReLU network: ``len(hidden)`` hidden layers and a linear output layer of size ``out``.

    The papers' "three-layer" networks are ``hidden=(64, 64)`` (two hidden layers and the output layer).
    """

    hidden: Sequence[int]
    out: int

    @nn.compact
    def __call__(self, x):
        for width in self.hidden:
            x = nn.relu(nn.Dense(width)(x))
        return nn.Dense(self.out)(x)


def gumbel_softmax(key, logits, temperature):
    """A Gumbel-softmax (concrete) sample: ``softmax((logits + g) / temperature)`` with ``g ~ Gumbel(0, 1)``.

    Differentiable in ``logits``; the noise has the shape of ``logits``.
    """
    u = jax.random.uniform(key, jnp.shape(logits), minval=1e-10, maxval=1.0)
    g = -jnp.log(-jnp.log(u))
    return jax.nn.softmax((logits + g) / temperature, axis=-1)


def contract(table, weights):
    """``sum_{a_1..a_N} table[a_1, ..., a_N] * prod_i weights[i][a_i]`` (one weight vector per table axis).

    With one-hot weights this picks an entry; with soft (Gumbel-softmax) weights it is differentiable in them.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> float(contract(jnp.arange(6.0).reshape(2, 3), [jnp.array([0.0, 1.0]), jnp.array([0.5, 0.5, 0.0])]))
    3.5
    """
    out = table
    for w in reversed(list(weights)):
        out = out @ w
    return out


def polyak(target, online, rate):
    """Soft target update ``target <- (1 - rate) * target + rate * online`` over parameter pytrees."""
    return jax.tree_util.tree_map(lambda t, o: (1.0 - rate) * t + rate * o, target, online)
