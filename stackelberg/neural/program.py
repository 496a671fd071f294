"""The contract between learners and :func:`stackelberg.neural.train.train`, and the algorithm registry.

A learner is registered by name with :func:`register_algorithm` as ``(config class, make_train)``, where
``make_train(env, config) -> Program``. A :class:`Program` holds pure functions of one seed; ``train`` runs them
for all seeds at once as ``jax.jit(jax.vmap(...))``:

- ``act(params, obs) -> actions``: the greedy joint action, int32 ``(n_agents,)``, for one observation
  ``(n_agents, obs_dim)`` (used to read off the learned greedy joint policy at every state).
- either ``train_one(key) -> (params, metrics)`` (one compiled call, no progress bar), or the chunked form
  ``init(key) -> carry``, ``chunk(carry) -> (carry, metrics)`` called ``n_chunks`` times and
  ``params(carry) -> params`` (a progress bar advances per chunk).

``carry_axes`` (optional) is the ``in_axes``/``out_axes`` prefix of the carry for ``jax.vmap``: ``0`` for the
entries of each seed, ``None`` for entries every seed shares (the off-policy learners' step counter, so that
replay-buffer writes at ``t % capacity`` are in-place row writes rather than per-seed scatters); default ``0``
(everything per seed). A shared entry must evolve identically for every seed.

Optionally ``step(carry) -> carry`` advances one seed by one environment step (and its update), for per-step
Python loops such as the benchmark's baseline.

``metrics`` is a dict of arrays whose leading axis is the logging block (one row per ``log_every`` environment
steps; chunks are concatenated and cut to ``n_blocks``). Every learner reports ``"step"`` (environment steps
done at the end of the block), ``"reward"`` (mean reward per step of each agent in the block, ``(n_agents,)``)
and ``"joint_action_share"`` (share of each joint action played in the block, ``(A,)``); others are free.

The module imports no learner, so learner modules may import it without an import circle.

Examples
--------
>>> sorted(ALGORITHMS) == sorted(ALGORITHMS.keys())
True
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

__all__ = ["Program", "Algorithm", "ALGORITHMS", "register_algorithm", "ProgramCache"]


class Program(NamedTuple):
    """Pure per-seed functions of a learner (see the module docstring)."""

    act: Callable
    n_blocks: int
    train_one: Callable | None = None
    init: Callable | None = None
    chunk: Callable | None = None
    n_chunks: int = 1
    params: Callable | None = None
    step: Callable | None = None
    carry_axes: Any = 0


@dataclass(frozen=True)
class Algorithm:
    """A registered learner: its configuration class and ``make_train(env, config) -> Program``."""

    name: str
    config_class: type
    make_train: Callable[[Any, Any], Program]
    description: str = ""


def _registry() -> dict:
    """A new registry, or the first one when this file runs a second time under its own name: pytest's importlib
    import mode executes a collected submodule again after its package's ``__init__`` imported it, and learners
    registered before and after that must land in the one dictionary ``train`` reads."""
    package = sys.modules.get(__name__.rpartition(".")[0])
    earlier = getattr(package, __name__.rpartition(".")[2], None)
    registry = getattr(earlier, "ALGORITHMS", None)
    return registry if isinstance(registry, dict) else {}


#: Registered learners by name.
ALGORITHMS: dict[str, Algorithm] = _registry()


def register_algorithm(name: str, config_class: type, make_train: Callable, description: str = "") -> Algorithm:
    """Register (or replace) a learner under ``name``; returns its :class:`Algorithm` entry."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string; got {name!r}")
    entry = Algorithm(name=name, config_class=config_class, make_train=make_train, description=description)
    ALGORITHMS[name] = entry
    return entry


class ProgramCache:
    """Compiled programs by key, built on first use; beyond ``limit`` the oldest is dropped (compiling is the slow
    part of a run, and a compiled program holds its executable's memory).

    Examples
    --------
    >>> cache = ProgramCache(limit=2)
    >>> cache.get("a", lambda: 1), cache.get("a", lambda: 2), cache.get("b", lambda: 3)
    (1, 1, 3)
    >>> cache.get("c", lambda: 4), "a" in cache, "b" in cache
    (4, False, True)
    """

    def __init__(self, limit: int = 8):
        self.limit = limit
        self._programs: dict = {}

    def __contains__(self, key) -> bool:
        return key in self._programs

    def get(self, key, build: Callable[[], Any]):
        """The program stored under ``key``, ``build()`` first if it is missing."""
        if key not in self._programs:
            if len(self._programs) >= self.limit:
                self._programs.pop(next(iter(self._programs)))
            self._programs[key] = build()
        return self._programs[key]
