r"""Tabular grid worlds: single-agent MDPs and multi-agent Markov games on a grid.

The grid is drawn as strings, one per row, top row first; ``"#"`` is a wall and any other character is a free
cell carrying that character as its *label* (rewards and exits refer to labels). A cell is named by coordinates
``(i, j)``: ``j`` is the column from the left, and ``i`` the row counted from the top (``origin="top"``, matrix
convention) or from the bottom (``origin="bottom"``, the incentive-design paper's figure).

Each agent picks a move from ``"N", "S", "E", "W", "stay"``. Agent ``p`` with slip probability
:math:`\alpha_p` enters the intended neighbour with probability :math:`1 - 2\alpha_p` and each of the two
perpendicular neighbours with probability :math:`\alpha_p` ("stay" never slips); a move into a wall or off the
grid leaves the agent in place. Agents move independently and may share a cell, so the joint transition is the
product :math:`P(\vec c\,' \mid \vec c, \vec m) = \prod_p P_p(c'_p \mid c_p, m_p)`.

Rewards are *state-based*: in joint state :math:`\vec c` every joint action pays :math:`R_p(\vec c)`. An *exit*
state pays its reward once and then moves, whatever the actions, to the absorbing zero-reward state ``"Sink"``.

The joint state :math:`(c_0, \dots, c_{N-1})` (free cells enumerated row by row from the top-left) is flattened
in C order, agent 0 slowest; ``"Sink"`` (present when some state exits) is the last state.

References
----------
Incentive design for multi-agent systems: a bilevel optimization framework (TMLR submission), Section 5 (the
6x6 stochastic gridworld).
"""

from __future__ import annotations

import numbers
from typing import Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .._validation import as_finite_array, check_choice, check_positive_int
from .markov import MAX_ENTRIES, MDP, MarkovGame, check_model_size

__all__ = ["gridworld", "incentive_gridworld", "INCENTIVE_LAYOUT"]

_STEPS = {"N": (-1, 0), "S": (1, 0), "E": (0, 1), "W": (0, -1), "stay": (0, 0)}
_PERPENDICULAR = {"N": ("W", "E"), "S": ("W", "E"), "E": ("N", "S"), "W": ("N", "S"), "stay": ()}

#: The incentive-design paper's 6x6 gridworld (top row is i = 5): S start, G goal, F less-desired goal, X fire.
INCENTIVE_LAYOUT = ("G...X.", ".....F", "...XG.", "S..X..", "..X.F.", "....X.")


def gridworld(
    layout: Sequence[str],
    *,
    n_agents: int = 1,
    moves: Sequence[str] = ("N", "S", "E", "W"),
    slip=0.0,
    rewards: Mapping | Callable | None = None,
    exits: Sequence[str] | Callable = (),
    start=None,
    gamma=None,
    horizon=None,
    origin: str = "top",
    sparse: bool = False,
    player_names: Sequence[str] | None = None,
    max_entries: int = MAX_ENTRIES,
):
    """Build a grid-world MDP (one agent) or Markov game (several agents).

    Parameters
    ----------
    layout : sequence of str
        Equal-length rows, top row first; ``"#"`` marks a wall.
    n_agents : int
        Number of agents N.
    moves : sequence of str
        Each agent's actions, from ``"N", "S", "E", "W", "stay"`` (in this order of action indices).
    slip : float or sequence of float
        Slip probability ``alpha`` in ``[0, 0.5]``, one for all agents or one per agent.
    rewards : mapping or callable, optional
        ``{label: reward}`` (a number for every agent, or a sequence of N numbers) paid to each agent standing on
        a cell with that label; or ``f(cells) -> N rewards`` for joint-state rewards, where ``cells`` is the
        tuple of the agents' ``(i, j)``. Default: no reward.
    exits : collection of str or callable
        Labels of exit cells (a joint state exits when *every* agent stands on an exit-labelled cell), or
        ``f(cells) -> bool``.
    start : optional
        ``None``: every agent starts on the unique cell labelled ``"S"``; a cell ``(i, j)`` for every agent; or a
        sequence of N cells.
    gamma, horizon
        Exactly one: discount factor or finite horizon.
    origin : {"top", "bottom"}
        Where row ``i = 0`` is.
    sparse : bool
        Store transitions as a sparse matrix (for large joint state spaces).
    player_names : sequence of str, optional
        Default ``"Agent 1", ...``.
    max_entries : int, default 100_000_000
        The largest table allowed, checked before anything is built: ``F**N + 1`` states for ``F`` free cells,
        ``M**N`` joint actions, transitions ``S * A * S`` dense or up to ``S * A * 3**N`` sparse (see
        :func:`~stackelberg.games.markov.check_model_size`).

    Returns
    -------
    MDP or MarkovGame
        An :class:`MDP` when ``n_agents == 1``. States are named ``"(i,j)"`` (``"(i,j)|(i,j)"`` for two agents)
        and ``"Sink"``.

    Raises
    ------
    ValueError
        On a ragged or empty layout, an unknown move, a slip outside ``[0, 0.5]``, a start or reward callable of
        the wrong form, or an invalid ``gamma``/``horizon``.
    ProblemTooLargeError
        (``limit="max_entries"``) if the model's tables would exceed ``max_entries``.

    Examples
    --------
    A corridor whose right end exits with reward 1:

    >>> mdp = gridworld(["S.G"], moves=("E", "W"), rewards={"G": 1.0}, exits="G", gamma=0.9)
    >>> mdp.state_names
    ('(0,0)', '(0,1)', '(0,2)', 'Sink')
    >>> mdp.transitions[0, 0].tolist(), mdp.rewards[2].tolist()
    ([0.0, 1.0, 0.0, 0.0], [1.0, 1.0])
    """
    grid = _check_layout(layout)
    n_agents = check_positive_int("n_agents", n_agents)
    origin = check_choice("origin", origin, ("top", "bottom"))
    moves = _check_moves(moves)
    slips = _check_slip(slip, n_agents)
    n_rows = len(grid)
    free = [(r, c) for r in range(n_rows) for c in range(len(grid[0])) if grid[r][c] != "#"]
    index = {cell: k for k, cell in enumerate(free)}
    coords = [((n_rows - 1 - r) if origin == "bottom" else r, c) for r, c in free]
    labels = [grid[r][c] for r, c in free]
    F, M = len(free), len(moves)
    S_estimate, A_estimate = F**n_agents + 1, M**n_agents
    if horizon is not None:
        horizon = check_positive_int("horizon", horizon)
    check_model_size(
        "gridworld", n_players=n_agents, n_states=S_estimate, n_joint_actions=A_estimate, horizon=horizon,
        transition_entries=S_estimate * A_estimate * (3**n_agents if sparse else S_estimate), max_entries=max_entries,
    )

    joint_cells = np.array(np.unravel_index(np.arange(F**n_agents), (F,) * n_agents)).T  # (F^N, N)
    cells_of = [tuple(coords[k] for k in row) for row in joint_cells]
    exit_mask = _exit_mask(exits, cells_of, joint_cells, labels)
    reward_table = _reward_table(rewards, cells_of, joint_cells, labels, n_agents)

    # per-agent kernels as entry lists (cell, move, next cell, probability), combined by Cartesian product
    entries = None
    for p in range(n_agents):
        own = _agent_entries(grid, free, index, moves, slips[p])
        entries = own if entries is None else _combine(entries, own, F, M)
    state, action, following, prob = entries
    n_grid_states, A = F**n_agents, M**n_agents
    has_sink = bool(exit_mask.any())
    S = n_grid_states + has_sink
    keep = ~exit_mask[state]
    rows = [state[keep] * A + action[keep]]
    cols, data = [following[keep]], [prob[keep]]
    if has_sink:
        leaving = np.concatenate([np.flatnonzero(exit_mask), [S - 1]])
        rows.append((leaving[:, None] * A + np.arange(A)[None, :]).ravel())
        cols.append(np.full(leaving.size * A, S - 1))
        data.append(np.ones(leaving.size * A))
    transitions = sp.csr_array(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(S * A, S)
    )
    if not sparse:
        transitions = transitions.toarray().reshape(S, A, S)
    reward_array = np.zeros((n_agents, S, A))
    reward_array[:, :n_grid_states, :] = reward_table.T[:, :, None]

    initial = np.zeros(S)
    initial[_start_state(start, grid, free, coords, n_agents, F)] = 1.0
    state_names = ["|".join(f"({i},{j})" for i, j in cells) for cells in cells_of] + (["Sink"] if has_sink else [])
    common = dict(
        gamma=gamma,
        horizon=horizon,
        initial_distribution=initial,
        terminal_states=[S - 1] if has_sink else None,
        state_names=state_names,
    )
    if n_agents == 1:
        if player_names is not None:
            raise ValueError("player_names applies to several agents; a one-agent grid world is an MDP")
        return MDP(transitions, reward_array[0], action_names=list(moves), **common)
    return MarkovGame(
        transitions,
        reward_array,
        action_shape=(M,) * n_agents,
        action_names=[list(moves)] * n_agents,
        player_names=player_names if player_names is not None else [f"Agent {p + 1}" for p in range(n_agents)],
        **common,
    )


def incentive_gridworld(alpha: float = 0.1, start=(2, 0), *, gamma: float = 0.95) -> MDP:
    """One robot's MDP in the incentive-design paper's 6x6 stochastic gridworld.

    Layout :data:`INCENTIVE_LAYOUT` (coordinates ``(i, j)`` with ``i`` counted from the bottom, as in the paper):
    goal ``G`` at (5,0) and (3,4) pays 10, less-desired goals ``F`` at (4,5) and (1,4) pay 8, fire ``X`` pays -5
    per step spent there; goals lead to the absorbing ``"Sink"``. Moves N/S/E/W with slip ``alpha``.

    Parameters
    ----------
    alpha : float
        Slip probability in ``[0, 0.5]`` (the paper's robots: 0.1 and 0.05).
    start : tuple of int
        The robot's start cell ``(i, j)`` (default (2,0), the ``S`` cell).
    gamma : float
        Discount factor (the paper does not publish one; 0.95 is our choice).

    Returns
    -------
    MDP
        37 states (36 cells, then ``"Sink"``), 4 actions.

    Examples
    --------
    >>> mdp = incentive_gridworld(0.1)
    >>> mdp.n_states, mdp.n_actions, mdp.state_names[mdp.initial_distribution.argmax()]
    (37, 4, '(2,0)')
    >>> north = mdp.transitions[mdp.state_names.index("(2,0)"), 0]   # "N" from the start
    >>> {mdp.state_names[s]: round(float(north[s]), 2) for s in north.nonzero()[0]}
    {'(3,0)': 0.8, '(2,0)': 0.1, '(2,1)': 0.1}
    """
    return gridworld(
        INCENTIVE_LAYOUT,
        slip=alpha,
        rewards={"X": -5.0, "F": 8.0, "G": 10.0},
        exits="GF",
        start=start,
        gamma=gamma,
        origin="bottom",
    )


# ---------------------------------------------------------------------- helpers
def _check_layout(layout):
    if isinstance(layout, str) or not all(isinstance(row, str) for row in layout):
        raise TypeError("layout must be a sequence of strings, one per grid row (top row first)")
    grid = list(layout)
    if not grid or not grid[0]:
        raise ValueError("layout must have at least one non-empty row")
    if any(len(row) != len(grid[0]) for row in grid):
        raise ValueError(f"layout rows must all have length {len(grid[0])}; got lengths {[len(r) for r in grid]}")
    if all(ch == "#" for row in grid for ch in row):
        raise ValueError("layout must have at least one free (non-'#') cell")
    return grid


def _check_moves(moves):
    if isinstance(moves, str):
        raise TypeError("moves must be a sequence of move names such as ('N', 'S', 'E', 'W'); got a single string")
    moves = tuple(moves)
    if not moves:
        raise ValueError("moves must hold at least one move")
    for m in moves:
        if m not in _STEPS:
            raise ValueError(f"moves must be taken from {tuple(_STEPS)}; got {m!r}")
    if len(set(moves)) != len(moves):
        raise ValueError(f"moves must not repeat; got {moves}")
    return moves


def _check_slip(slip, n_agents):
    values = as_finite_array("slip", slip)
    if values.ndim == 0:
        values = np.full(n_agents, float(values))
    if values.shape != (n_agents,):
        raise ValueError(f"slip must be one number or one per agent ({n_agents}); got shape {values.shape}")
    if ((values < 0) | (values > 0.5)).any():
        raise ValueError(f"slip probabilities must lie in [0, 0.5]; got {values.tolist()}")
    return values


def _agent_entries(grid, free, index, moves, alpha):
    """One agent's transition entries over free cells: arrays (cell, move, next cell, probability)."""
    n_rows, n_cols = len(grid), len(grid[0])

    def land(r, c, move):
        dr, dc = _STEPS[move]
        r2, c2 = r + dr, c + dc
        if 0 <= r2 < n_rows and 0 <= c2 < n_cols and grid[r2][c2] != "#":
            return index[(r2, c2)]
        return index[(r, c)]

    out = {}
    for k, (r, c) in enumerate(free):
        for m, move in enumerate(moves):
            sides = _PERPENDICULAR[move]
            outcomes = [(land(r, c, move), 1.0 - len(sides) * alpha)] + [(land(r, c, side), alpha) for side in sides]
            for target, p in outcomes:
                if p > 0:
                    out[(k, m, target)] = out.get((k, m, target), 0.0) + p
    keys = np.array(list(out.keys()), dtype=np.int64).reshape(-1, 3)
    return keys[:, 0], keys[:, 1], keys[:, 2], np.array(list(out.values()))


def _combine(first, second, F, M):
    """Cartesian product of two entry lists: joint cell/move/next indices in C order, product probabilities."""
    n1, n2 = first[0].size, second[0].size
    a = [np.repeat(x, n2) for x in first]
    b = [np.tile(x, n1) for x in second]
    return a[0] * F + b[0], a[1] * M + b[1], a[2] * F + b[2], a[3] * b[3]


def _exit_mask(exits, cells_of, joint_cells, labels):
    if callable(exits):
        return np.array([bool(exits(cells)) for cells in cells_of], dtype=bool)
    if isinstance(exits, str):
        exits = tuple(exits)
    exits = set(exits)
    on_exit = np.array([label in exits for label in labels], dtype=bool)
    return on_exit[joint_cells].all(axis=1)


def _reward_table(rewards, cells_of, joint_cells, labels, n_agents):
    """(F^N, N) reward of each agent in each grid state."""
    if rewards is None:
        return np.zeros((len(cells_of), n_agents))
    if callable(rewards):
        table = np.array([np.broadcast_to(np.asarray(rewards(cells), dtype=float), (n_agents,)) for cells in cells_of])
        return as_finite_array("rewards (callable values)", table)
    if not isinstance(rewards, Mapping):
        raise TypeError(f"rewards must be a mapping {{label: reward}} or a callable; got {type(rewards).__name__}")
    per_label = np.zeros((len(labels), n_agents))
    for label, value in rewards.items():
        value = as_finite_array(f"rewards[{label!r}]", value)
        if value.ndim > 1 or value.size not in (1, n_agents):
            raise ValueError(f"rewards[{label!r}] must be a number or {n_agents} numbers; got shape {value.shape}")
        for k, cell_label in enumerate(labels):
            if cell_label == label:
                per_label[k] = value
    return per_label[joint_cells, np.arange(n_agents)[None, :]]


def _start_state(start, grid, free, coords, n_agents, F):
    if start is None:
        starts = [k for k, (r, c) in enumerate(free) if grid[r][c] == "S"]
        if len(starts) != 1:
            raise ValueError(f"start is needed: the layout must have exactly one 'S' cell to default to; found {len(starts)}")
        cells = [starts[0]] * n_agents
    else:
        given = list(start)
        if len(given) == 2 and all(isinstance(x, numbers.Integral) for x in given):
            given = [tuple(given)] * n_agents
        if len(given) != n_agents:
            raise ValueError(f"start must be one cell (i, j) or one cell per agent ({n_agents}); got {start!r}")
        cells = []
        for cell in given:
            cell = tuple(cell)
            if cell not in coords:
                raise ValueError(f"start cell {cell} is not a free cell of the layout")
            cells.append(coords.index(cell))
    return int(np.ravel_multi_index(tuple(cells), (F,) * n_agents))
