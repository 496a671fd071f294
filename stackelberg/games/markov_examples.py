r"""Markov games from the Bi-level Actor-Critic paper (Zhang et al., AAAI 2020).

- :func:`biac_grid_game`: Fig. 1, a cooperative grid game in which joint policies leading both agents to the
  "10" square or both to the "20" square are Nash equilibria, but only "both to 20" solves bi-level RL (Eq. 5).
- :func:`biac_counterexample`: the supplement's two-state game with a cyclic transition in which the joint
  policy (A, B), values :math:`(V_X, V_Y) = (0, 10)`, satisfies the bi-level Bellman equation (Eq. 7) although the
  BiRL solution is (B, A) with values (10, 0).

References
----------
H. Zhang, W. Chen, Z. Huang, M. Li, Y. Yang, W. Zhang, J. Wang. Bi-level actor-critic for multi-agent
coordination. AAAI 2020 (Fig. 1; supplementary "An example uncovered by Bi-AC").
"""

from __future__ import annotations

import numpy as np

from .._validation import check_discount
from .gridworld import gridworld
from .markov import MarkovGame

__all__ = ["biac_grid_game", "biac_counterexample", "BIAC_GRID_LAYOUT"]

#: Our layout for Bi-AC Fig. 1 (whose picture is not in the text): "1" is the 10 square, "2" the 20 square.
BIAC_GRID_LAYOUT = ("1..", "...", "..2")


def biac_grid_game(gamma: float = 0.9) -> MarkovGame:
    """The cooperative grid game of Bi-AC Fig. 1, on our 3x3 layout.

    Layout :data:`BIAC_GRID_LAYOUT` (``origin="top"``): the "10" square at (0,0) and the "20" square at (2,2).
    Agent A (the leader, player 0) starts at (0,2) and agent B (the follower) at (2,0), so each is two steps from
    both squares. Each agent moves N/S/E/W or stays, deterministically (moves into the border stay put); agents may
    share a cell. Both receive the common reward 10 when both stand on the 10 square and 20 when both stand on the
    20 square; such a joint state then ends the game (moves to the absorbing ``"Sink"``). Nothing else pays.

    Parameters
    ----------
    gamma : float
        Discount factor in ``[0, 1)``.

    Returns
    -------
    MarkovGame
        82 states (9 x 9 joint cells, then ``"Sink"``), 5 x 5 joint actions.

    Examples
    --------
    >>> game = biac_grid_game()
    >>> game.n_states, game.action_shape, game.state_names[game.initial_distribution.argmax()]
    (82, (5, 5), '(0,2)|(2,0)')
    >>> game.rewards[:, game.state_names.index("(2,2)|(2,2)"), 0].tolist()
    [20.0, 20.0]
    """
    gamma = check_discount("gamma", gamma)
    ten, twenty = (0, 0), (2, 2)

    def both_on_square(cells):
        return cells[0] == cells[1] and cells[0] in (ten, twenty)

    def common_reward(cells):
        value = 10.0 if cells == (ten, ten) else 20.0 if cells == (twenty, twenty) else 0.0
        return (value, value)

    return gridworld(
        BIAC_GRID_LAYOUT,
        n_agents=2,
        moves=("N", "S", "E", "W", "stay"),
        rewards=common_reward,
        exits=both_on_square,
        start=[(0, 2), (2, 0)],
        gamma=gamma,
        player_names=("A", "B"),
    )


def biac_counterexample(gamma: float = 0.9) -> MarkovGame:
    r"""The supplement's cyclic counterexample: a bi-level Bellman fixed point that is not the BiRL solution.

    Two agents, X (leader, player 0) and Y (follower), actions A and B, states ``s1`` (start) and ``s2``
    (terminal). In ``s1`` (rewards as (X, Y)):

    =======  ===============  ===============
    X \\ Y   A                B
    =======  ===============  ===============
    A        s1, (0, 0)       s2, (0, 10)
    B        s2, (10, 0)      s1, (-1, -1)
    =======  ===============  ===============

    The paper writes the Q-table of the joint policy (A, B) undiscounted; with a discount :math:`\gamma` the same
    argument holds for :math:`0.1 < \gamma < 1`: given :math:`V = (0, 10)` at ``s1``, Y answers A with B
    (:math:`10 > 10\gamma`) and B with B (:math:`-1 + 10\gamma > 0`), so X's best commitment is A (0 > -1):
    (A, B) reproduces :math:`V = (0, 10)` and is a fixed point of Eq. 7. Yet committing to B makes Y's best
    response A (looping on (B, B) costs Y :math:`-1/(1-\gamma)`), giving the BiRL solution (B, A) with values
    (10, 0).

    Parameters
    ----------
    gamma : float
        Discount factor in ``[0, 1)`` (the fixed point needs ``gamma > 0.1``).

    Returns
    -------
    MarkovGame

    Examples
    --------
    >>> game = biac_counterexample(0.9)
    >>> stage = game.stage_game(0, [[0.0, 0.0], [10.0, 0.0]])   # values of (A, B): V_X = 0, V_Y = 10
    >>> stage.payoffs[0].tolist(), stage.payoffs[1].round(6).tolist()
    ([[0.0, 0.0], [10.0, -1.0]], [[9.0, 10.0], [0.0, 8.0]])
    """
    gamma = check_discount("gamma", gamma)
    s1, s2 = 0, 1
    transitions = np.zeros((2, 2, 2, 2))  # (state, X action, Y action, next state)
    transitions[s1, 0, 0, s1] = transitions[s1, 0, 1, s2] = transitions[s1, 1, 0, s2] = transitions[s1, 1, 1, s1] = 1.0
    transitions[s2, :, :, s2] = 1.0
    rewards = np.zeros((2, 2, 2, 2))  # (player, state, X action, Y action)
    rewards[:, s1] = [[[0.0, 0.0], [10.0, -1.0]], [[0.0, 10.0], [0.0, -1.0]]]
    return MarkovGame(
        transitions,
        rewards,
        gamma=gamma,
        terminal_states=[s2],
        player_names=("X", "Y"),
        state_names=("s1", "s2"),
        action_names=(("A", "B"), ("A", "B")),
    )
