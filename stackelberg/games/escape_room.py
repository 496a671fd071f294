r"""The N-player Escape Room game ER(N, M) as a finite-horizon Markov game.

Rules (Yang's thesis, Fig. 5.1 and App. B; LIO and meta-gradient incentive design): three positions, *start*,
*lever* and *door*; every agent begins at start and each step chooses the position it goes to. The door opens in
a step when at least :math:`M` agents choose the lever. Agent :math:`i`'s reward in that step is

- :math:`+10` if it chooses the door and the door opens,
- :math:`0` if (otherwise) it chooses the position it already occupies,
- :math:`-1` otherwise (it moves).

The episode ends when the door opens and someone chooses the door, or after ``horizon`` (5) steps. Pulling the
lever costs each of the :math:`M` pullers :math:`-1`, so the optimal sum of rewards is :math:`10(N - M) - M`.

**State encoding.** Positions are coded 0 = start, 1 = lever, 2 = door, and an agent's action is the code of the
position it goes to. State :math:`s` in :math:`0 .. 3^N - 1` is the tuple of the agents' positions in C order
(agent 0 slowest, so state 0 is "everyone at start"), named by letters ``S``/``L``/``D`` (e.g. ``"SLD"``); state
:math:`3^N` is ``"exited"``, terminal. Since every agent moves where it chooses, joint action :math:`a` leads to
state :math:`a` unless the game ends. The door is open only during the step in which enough agents pull, so no
door status is needed in the state. Agents are not merged by symmetry: a Markov game needs each agent's own
position. There are :math:`3^N + 1` states and :math:`3^N` joint actions; transitions are sparse (one successor).

The **asymmetric** two-agent room of the thesis's App. B.5.1 (Fig. B.2) is :func:`asymmetric_escape_room`.

References
----------
J. Yang. Cooperation in Multi-Agent Reinforcement Learning. PhD thesis, Georgia Tech, 2021 (Sections 5.1, 6.3).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import check_positive_int
from .markov import MAX_ENTRIES, MarkovGame, check_model_size

__all__ = ["escape_room", "asymmetric_escape_room"]

START, LEVER, DOOR = 0, 1, 2
_LETTERS = "SLD"


def escape_room(n_agents: int, m_required: int, horizon: int = 5, *, max_entries: int = MAX_ENTRIES) -> MarkovGame:
    """ER(N, M): ``n_agents`` agents, the door opens when ``m_required`` of them pull the lever.

    Parameters
    ----------
    n_agents : int
        N >= 2.
    m_required : int
        M with ``1 <= M < N``.
    horizon : int
        Maximum number of steps (5 in the papers).
    max_entries : int, default 100_000_000
        The largest table allowed (see :func:`~stackelberg.games.markov.check_model_size`): ER(N, M) has
        ``3**N + 1`` states and ``3**N`` joint actions, so ``N * 9**N * horizon`` numbers; ER(6, M) fits the
        default, ER(7, M) needs it raised.

    Returns
    -------
    MarkovGame
        Finite-horizon, sparse, ``3**N + 1`` states (see the module docstring for the encoding), actions
        ``("start", "lever", "door")`` per agent.

    Raises
    ------
    ValueError
        If ``N < 2``, ``M`` is outside ``[1, N)`` or ``horizon < 1``.
    ProblemTooLargeError
        (``limit="max_entries"``) before anything is built, if the game's tables would exceed ``max_entries``.

    Examples
    --------
    >>> game = escape_room(2, 1)
    >>> game.n_states, game.n_joint_actions, game.horizon
    (10, 9, 5)
    >>> a = game.joint_index((LEVER, DOOR))        # from the start: one pulls, one exits
    >>> game.rewards[:, 0, a].tolist(), game.state_names[int(game.transitions[[a]].indices[0])]
    ([-1.0, 10.0], 'exited')
    """
    n_agents = check_positive_int("n_agents", n_agents, minimum=2)
    m_required = check_positive_int("m_required", m_required)
    if m_required >= n_agents:
        raise ValueError(f"m_required must be smaller than n_agents ({n_agents}); got {m_required}")
    horizon = check_positive_int("horizon", horizon)
    check_model_size(f"escape_room({n_agents}, {m_required})", n_players=n_agents, n_states=3**n_agents + 1,
                     n_joint_actions=3**n_agents, horizon=horizon, max_entries=max_entries)

    K = 3**n_agents
    positions = np.array(np.unravel_index(np.arange(K), (3,) * n_agents)).T  # (K, N): state or joint action
    door_opens = (positions == LEVER).sum(axis=1) >= m_required  # per joint action
    escapes = door_opens & (positions == DOOR).any(axis=1)
    exited = K
    S, A = K + 1, K

    following = np.broadcast_to(np.where(escapes, exited, np.arange(A)), (S, A)).copy()  # the exit state loops
    following[exited] = exited
    transitions = sp.csr_array((np.ones(S * A), (np.arange(S * A), following.ravel())), shape=(S * A, S))

    chosen = positions.T[:, None, :]  # (N, 1, A)
    current = positions.T[:, :, None]  # (N, K, 1)
    rewards = np.zeros((n_agents, S, A))
    rewards[:, :K, :] = np.where(door_opens[None, None, :] & (chosen == DOOR), 10.0, np.where(chosen == current, 0.0, -1.0))
    return MarkovGame(
        transitions,
        rewards,
        horizon=horizon,
        terminal_states=[exited],
        player_names=[f"Agent {p + 1}" for p in range(n_agents)],
        state_names=["".join(_LETTERS[k] for k in row) for row in positions] + ["exited"],
        action_names=[("start", "lever", "door")] * n_agents,
        action_shape=(3,) * n_agents,
    )


def asymmetric_escape_room(horizon: int = 5) -> MarkovGame:
    """The asymmetric two-agent Escape Room of the thesis's App. B.5.1 (Fig. B.2).

    Agent A1 (player 0) moves between *start* and *door*, agent A2 (player 1) between *start* and *lever*; each
    step both choose the position they go to. Rewards per step:

    - A1: :math:`+10` if it chooses the door while A2 chooses the lever (the game then ends); :math:`-1` whenever A2
      does not choose the lever ("penalized at every time step"); 0 otherwise;
    - A2: :math:`-1` for any change of its position, 0 for staying.

    The optimum combined return is 9 (A2 pulls and A1 exits in the first step); two plain learners end with A2
    staying at start and A1 paying :math:`-1` per step (-5 over 5 steps).

    Parameters
    ----------
    horizon : int
        Maximum number of steps (5 in the thesis).

    Returns
    -------
    MarkovGame
        States ``"SS", "SL", "DS", "DL"`` (A1's then A2's position) and ``"exited"`` (terminal); actions
        ``("start", "door")`` for A1 and ``("start", "lever")`` for A2.

    Raises
    ------
    ValueError
        If ``horizon < 1``.

    Examples
    --------
    >>> game = asymmetric_escape_room()
    >>> game.n_states, game.n_joint_actions, game.state_names[0]
    (5, 4, 'SS')
    >>> a = game.joint_index((1, 1))  # A1 to the door while A2 pulls
    >>> game.rewards[:, 0, a].tolist()
    [10.0, -1.0]
    """
    horizon = check_positive_int("horizon", horizon)
    joint = np.array(np.unravel_index(np.arange(4), (2, 2))).T  # (A, 2): (A1's target, A2's target)
    positions = joint  # state s = the positions (A1, A2) in the same C order
    exited, S, A = 4, 5, 4
    escapes = (joint[:, 0] == 1) & (joint[:, 1] == 1)
    following = np.broadcast_to(np.where(escapes, exited, np.arange(A)), (S, A)).copy()
    following[exited] = exited
    transitions = sp.csr_array((np.ones(S * A), (np.arange(S * A), following.ravel())), shape=(S * A, S))
    rewards = np.zeros((2, S, A))
    rewards[0, :4, :] = np.where(escapes, 10.0, np.where(joint[:, 1] == 1, 0.0, -1.0))[None, :]
    rewards[1, :4, :] = np.where(joint[None, :, 1] == positions[:, 1:2], 0.0, -1.0)
    return MarkovGame(
        transitions,
        rewards,
        horizon=horizon,
        terminal_states=[exited],
        player_names=["A1", "A2"],
        state_names=["SS", "SL", "DS", "DL", "exited"],
        action_names=[("start", "door"), ("start", "lever")],
        action_shape=(2, 2),
    )
