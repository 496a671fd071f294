"""Neural leader-follower learners on JAX, measured against the package's exact solvers.

This subpackage needs the optional ``neural`` extra (JAX, optax, flax): ``pip install "stackelberg[neural]"``.
``import stackelberg`` never imports it; importing ``stackelberg.neural`` without the extra raises
:class:`stackelberg.errors.MissingExtraError`.

- :mod:`stackelberg.neural.envs`: environments as pure ``reset``/``step`` functions that ``jit`` and ``vmap``,
  built from any :class:`~stackelberg.games.normal_form.NormalFormGame` (a repeated matrix game) or tabular
  :class:`~stackelberg.games.markov.MarkovGame` (dense or CSR transitions), and a large coordination gridworld.
- :mod:`stackelberg.neural.train`: ``train(algorithm, env, config, seeds=...)`` runs every seed of a learner as one
  ``jax.jit(jax.vmap(...))`` program and measures the learned greedy joint policies against the exact
  Stackelberg solution.
- :mod:`stackelberg.neural.host_offpolicy`: Bi-AC, I-DQN and MADDPG as host-loop learners (``init``/``act``/
  ``update``) for Python simulators such as highway-env, with the networks and losses of
  :mod:`~stackelberg.neural.offpolicy`.

Importing it adds ``--xla_cpu_enable_concurrency_optimized_scheduler=false`` to ``XLA_FLAGS`` (unless they name
that scheduler already): without it XLA's CPU runtime deadlocks on some vectorised programs
(:mod:`stackelberg.neural._xla`).
"""

from __future__ import annotations

from ..errors import MissingExtraError

try:
    import flax  # noqa: F401
    import jax  # noqa: F401
    import optax  # noqa: F401
except ImportError as _error:  # pragma: no cover - exercised in a subprocess test
    raise MissingExtraError("neural", "stackelberg.neural") from _error

from ._xla import apply_xla_workarounds  # noqa: E402

apply_xla_workarounds()  # before anything below compiles: XLA reads XLA_FLAGS once

from .envs import (  # noqa: E402
    Env,
    EnvState,
    coordination_grid_game,
    grid_env,
    grid_features,
    markov_env,
    matrix_env,
    step_autoreset,
)
from .train import TrainResult, algorithm_names, train  # noqa: E402

__all__ = [
    "train",
    "TrainResult",
    "algorithm_names",
    "Env",
    "EnvState",
    "matrix_env",
    "markov_env",
    "coordination_grid_game",
    "grid_env",
    "grid_features",
    "step_autoreset",
]
