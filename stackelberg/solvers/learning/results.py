"""Results of the tabular learners: the final tables and greedy joint actions of a batch of runs."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LearningHistory", "LearningResult", "convergence_fraction"]


@dataclass(frozen=True)
class LearningHistory:
    """Snapshots of a learner's tables during training (``record_every=k``: after ``0, k, 2k, ...`` episodes).

    Attributes
    ----------
    episodes : numpy.ndarray
        ``(K,)`` number of episodes completed at each snapshot (0 first: the initial tables).
    q_values : tuple of numpy.ndarray
        Per player, the tables of :attr:`LearningResult.q_values` with a leading snapshot axis ``(K, runs, ...)``.
    greedy_actions : numpy.ndarray
        ``(K, runs, S, N)`` greedy joint actions at each snapshot (computed as the final ones are).
    policies : tuple of numpy.ndarray or None
        Per player, :attr:`LearningResult.policies` at each snapshot ``(K, runs, ...)``; None where the learner
        has no policies.
    """

    episodes: np.ndarray
    q_values: tuple
    greedy_actions: np.ndarray
    policies: tuple | None = None


@dataclass(frozen=True)
class LearningResult:
    """Outcome of a batch of independent learning runs.

    Attributes
    ----------
    algorithm : str
        ``"bilevel"``, ``"independent"``, ``"hysteretic"``, ``"lenient"``, ``"bilevel actor-critic"``, ``"nash"``,
        ``"minimax"`` or ``"n-level"``.
    q_values : tuple of numpy.ndarray
        Final tables, one per player (player order): ``(runs, S, n_0, ..., n_{N-1})`` for joint-action learners,
        ``(runs, S, n_i)`` for independent, hysteretic and lenient learning.
    greedy_actions : numpy.ndarray
        ``(runs, S, N)`` integer greedy joint action of each run in each state (player order).
    initial_state : int
        The most likely initial state, at which convergence is measured.
    policies : tuple of numpy.ndarray or None
        Final action probabilities per player where the learner has policies: Bi-AC and the N-level learner give
        player ``order[k]``'s ``(runs, S, n_{order[0]}, ..., n_{order[k-1]}, n_{order[k]})`` (conditioned on its
        superiors' actions, Bi-AC's leader one-hot greedy), Nash-Q and minimax-Q each player's ``(runs, S, n_i)``
        stage strategy. None for bi-level, independent, hysteretic and lenient Q-learning.
    order : tuple of int or None
        The priority order of a sequential learner (leader first).
    parameters : dict
        The validated arguments of the call.
    history : LearningHistory or None
        The snapshots recorded during training with ``record_every=k``; None otherwise.
    """

    algorithm: str
    q_values: tuple
    greedy_actions: np.ndarray
    initial_state: int
    policies: tuple | None = None
    order: tuple | None = None
    parameters: dict = field(default_factory=dict, compare=False, repr=False)
    history: LearningHistory | None = field(default=None, compare=False, repr=False)

    @property
    def runs(self) -> int:
        """Number of independent runs."""
        return self.greedy_actions.shape[0]

    @property
    def n_players(self) -> int:
        """Number of players."""
        return self.greedy_actions.shape[2]


def convergence_fraction(result: LearningResult, joint_action) -> float:
    """Fraction of runs whose greedy joint action at the initial state equals ``joint_action``.

    Parameters
    ----------
    result : LearningResult
    joint_action : sequence of int
        One action per player in player order, e.g. ``(2, 2)`` for C-Z in Escape.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`LearningResult` or ``joint_action`` holds non-integers.
    ValueError
        If ``joint_action`` does not have one entry per player.

    Examples
    --------
    >>> import numpy as np
    >>> result = LearningResult("bilevel", (), np.array([[[2, 2]], [[0, 0]]]), 0)
    >>> convergence_fraction(result, (2, 2))
    0.5
    """
    if not isinstance(result, LearningResult):
        raise TypeError(f"result must be a LearningResult; got {type(result).__name__}")
    action = tuple(joint_action)
    n = result.n_players
    if len(action) != n:
        raise ValueError(f"joint_action must have {n} entries (one per player); got {joint_action!r}")
    if not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in action):
        raise TypeError(f"joint_action must hold integers; got {joint_action!r}")
    greedy = result.greedy_actions[:, result.initial_state]
    return float(np.mean(np.all(greedy == np.asarray(action), axis=1)))
