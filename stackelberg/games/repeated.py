r"""Repeated normal-form games as Markov games.

- :func:`repeated_game`: the stage game :math:`G` played at every step in a single state, with rewards
  :math:`R_p(s, \vec a) = u_p(\vec a)`.
- :func:`memory_one_game`: the iterated game whose state is the previous joint action (plus a start state), as
  in the iterated prisoner's dilemma of LIO (Yang's thesis, App. B.2): a stationary policy of this game is a
  memory-one strategy :math:`\pi_p(a_p \mid \vec a_{t-1})`.

References
----------
J. Yang. Cooperation in Multi-Agent Reinforcement Learning. PhD thesis, Georgia Tech, 2021 (App. B.2).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int
from .markov import MAX_ENTRIES, MarkovGame, check_model_size
from .normal_form import NormalFormGame

__all__ = ["repeated_game", "memory_one_game"]


def repeated_game(game: NormalFormGame, gamma=None, *, horizon=None, max_entries: int = MAX_ENTRIES) -> MarkovGame:
    """The normal-form ``game`` repeated in one state, discounted or over a finite horizon.

    Parameters
    ----------
    game : NormalFormGame
        The stage game.
    gamma : float, optional
        Discount factor in ``[0, 1)``.
    horizon : int, optional
        Number of rounds. Exactly one of ``gamma`` and ``horizon`` must be given.
    max_entries : int, default 100_000_000
        The largest table allowed, checked before anything is built (see
        :func:`~stackelberg.games.markov.check_model_size`; a finite horizon counts ``horizon`` times).

    Returns
    -------
    MarkovGame
        One state named ``"stage"``; joint actions in C order of ``game.shape``.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`.
    ValueError
        If not exactly one of ``gamma``/``horizon`` is valid.
    ProblemTooLargeError
        (``limit="max_entries"``) if the game's tables would exceed ``max_entries``.

    Examples
    --------
    >>> pd = NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> repeated = repeated_game(pd, 0.9)
    >>> repeated.n_states, repeated.action_shape, repeated.rewards[1, 0].tolist()
    (1, (2, 2), [-1.0, 0.0, -3.0, -2.0])
    """
    tensors, shape = _stage_rewards(game)
    A = int(np.prod(shape))
    _check_size("repeated_game", len(shape), 1, A, horizon, A, max_entries)
    return MarkovGame(
        np.ones((1, A, 1)),
        tensors[:, None, :],
        gamma=gamma,
        horizon=horizon,
        player_names=game.player_names,
        state_names=("stage",),
        action_names=game.action_names,
        action_shape=shape,
    )


def memory_one_game(game: NormalFormGame, gamma=None, *, horizon=None, max_entries: int = MAX_ENTRIES) -> MarkovGame:
    """The iterated ``game`` whose state is the last joint action.

    State 0 is ``"start"`` (no history); state ``1 + a`` means the previous joint action was ``a`` (C order), named
    by its action names joined with commas (e.g. ``"C,D"``). Every joint action ``a`` leads to state ``1 + a``
    and pays the stage payoffs.

    Parameters
    ----------
    game : NormalFormGame
        The stage game.
    gamma : float, optional
        Discount factor in ``[0, 1)``.
    horizon : int, optional
        Number of rounds. Exactly one of ``gamma`` and ``horizon`` must be given.
    max_entries : int, default 100_000_000
        The largest table allowed, checked before anything is built (see
        :func:`~stackelberg.games.markov.check_model_size`; a finite horizon counts ``horizon`` times).

    Returns
    -------
    MarkovGame
        ``1 + A`` states, deterministic transitions.

    Examples
    --------
    >>> pd = NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]], action_names=[["C", "D"]] * 2)
    >>> ipd = memory_one_game(pd, gamma=0.9)
    >>> ipd.state_names
    ('start', 'C,C', 'C,D', 'D,C', 'D,D')
    >>> int(ipd.transitions[0, ipd.joint_index((0, 1))].argmax())
    2
    """
    tensors, shape = _stage_rewards(game)
    A = int(np.prod(shape))
    S = 1 + A
    _check_size("memory_one_game", len(shape), S, A, horizon, S * A * S, max_entries)
    transitions = np.zeros((S, A, S))
    transitions[:, np.arange(A), 1 + np.arange(A)] = 1.0
    names = ["start"] + [
        ",".join(game.action_names[p][k] for p, k in enumerate(np.unravel_index(a, shape))) for a in range(A)
    ]
    return MarkovGame(
        transitions,
        np.repeat(tensors[:, None, :], S, axis=1),
        gamma=gamma,
        horizon=horizon,
        player_names=game.player_names,
        state_names=names,
        action_names=game.action_names,
        action_shape=shape,
    )


def _stage_rewards(game):
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame; got {type(game).__name__}")
    shape = game.shape
    return np.stack([np.asarray(u, dtype=float).reshape(-1) for u in game.payoffs]), shape


def _check_size(builder, n_players, n_states, n_joint_actions, horizon, transition_entries, max_entries):
    if horizon is not None:
        horizon = check_positive_int("horizon", horizon)
    check_model_size(builder, n_players=n_players, n_states=n_states, n_joint_actions=n_joint_actions,
                     horizon=horizon, transition_entries=transition_entries, max_entries=max_entries)
