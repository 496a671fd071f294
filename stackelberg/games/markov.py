r"""Tabular Markov games and Markov decision processes.

An N-player Markov game (Littman 1994) :math:`\langle S, A_0, \dots, A_{N-1}, P, R_0, \dots, R_{N-1}, \mu\rangle`
has finite states :math:`s \in S = \{0, \dots, |S|-1\}`, per-player actions :math:`a_p \in \{0, \dots, n_p-1\}`,
a transition kernel :math:`P(s' \mid s, \vec a)`, one reward :math:`R_p(s, \vec a)` per player and an initial
distribution :math:`\mu`. Each player maximises either

- the discounted return :math:`\mathbb{E}\sum_{t \ge 0} \gamma^t R_p(s_t, \vec a_t)` with :math:`0 \le \gamma < 1`
  (``gamma=``), or
- the undiscounted return over a finite horizon :math:`\mathbb{E}\sum_{t=0}^{H-1} R_p(s_t, \vec a_t)`
  (``horizon=H``); values are then indexed by the time step :math:`t = 0, \dots, H-1`.

The Bellman equation (Bi-AC, Eq. 1) reads
:math:`Q_p(s, \vec a) = R_p(s, \vec a) + \gamma \sum_{s'} P(s' \mid s, \vec a) V_p(s')`.

**Joint actions.** A joint action :math:`\vec a = (a_0, \dots, a_{N-1})` is flattened in C order (player 0 varies
slowest) to an integer :math:`a = 0, \dots, A-1` with :math:`A = \prod_p n_p`; see
:meth:`MarkovGame.joint_index` and :meth:`MarkovGame.joint_actions`. Arrays indexed by joint action therefore
reshape to ``action_shape = (n_0, ..., n_{N-1})``.

**Transitions** are either a dense array of shape ``(S, A, S)`` or a :mod:`scipy.sparse` matrix of shape
``(S*A, S)`` whose row ``s*A + a`` is :math:`P(\cdot \mid s, a)`. A sparse game is stored as plain CSR arrays
(:attr:`MarkovGame.transition_csr`) and is never densified.

**Terminal states** are absorbing with zero reward: whatever the arrays hold in a terminal state's rows (they
must still be valid distributions) is replaced by a self-loop with reward 0, so a terminal state's value is 0
(the Bi-AC supplement's "terminal state where reward function and transition function are inapplicable").

**Initial distribution.** Default: all mass on state 0 (every builder in this package puts its start state
first).

A :class:`MDP` is the one-player case; it is a :class:`MarkovGame` and shares all of its validation.

References
----------
M. L. Littman. Markov games as a framework for multi-agent reinforcement learning. ICML 1994.

H. Zhang et al. Bi-level actor-critic for multi-agent coordination. AAAI 2020 (Eq. 1).
"""

from __future__ import annotations

import math
import numbers
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .._validation import as_finite_array, check_choice, check_discount, check_positive_int, check_probability_vector
from ..errors import ProblemTooLargeError
from .normal_form import NormalFormGame

__all__ = ["MarkovGame", "MDP", "PROBABILITY_TOL"]

#: Absolute tolerance on probability rows and policies summing to one.
PROBABILITY_TOL = 1e-9

#: Default ``max_entries`` of the Markov-game builders (about 800 MB of float64 per table).
MAX_ENTRIES = 100_000_000


def check_model_size(builder: str, *, n_players: int, n_states: int, n_joint_actions: int, horizon=None,
                     transition_entries: int = 0, max_entries: int = MAX_ENTRIES) -> None:
    """Refuse, before anything is allocated, a model whose tables would hold more than ``max_entries`` numbers.

    The estimate is the largest table the model or a solver builds: the rewards and Q-values
    (``N * S * A``), the stored transitions (``transition_entries``: ``S * A * S`` dense, the non-zeros sparse),
    and for a finite horizon ``H`` the time-indexed Q-values of the dynamic-programming solvers (``H * N * S * A``).
    Arguments are Python ints, so the estimate never overflows.

    Raises
    ------
    ProblemTooLargeError
        With ``limit="max_entries"``, naming ``builder`` and the estimate.

    Examples
    --------
    >>> check_model_size("escape_room", n_players=14, n_states=3**14 + 1, n_joint_actions=3**14, horizon=5)
    Traceback (most recent call last):
    ...
    stackelberg.errors.ProblemTooLargeError: escape_room would build tables of about 1.6e+15 numbers (14 players, 4782970 states, 4782969 joint actions, horizon 5), more than max_entries=100000000
    """
    max_entries = check_positive_int("max_entries", max_entries)
    table = int(n_players) * int(n_states) * int(n_joint_actions)
    estimate = max(table, int(transition_entries))
    if horizon is not None:
        estimate = max(estimate, table * int(horizon))
    if estimate > max_entries:
        criterion = "" if horizon is None else f", horizon {horizon}"
        raise ProblemTooLargeError(
            f"{builder} would build tables of about {float(estimate):.2g} numbers ({n_players} players, {n_states} "
            f"states, {n_joint_actions} joint actions{criterion}), more than max_entries={max_entries}",
            limit="max_entries",
        )


class MarkovGame:
    """A tabular N-player Markov (stochastic) game, discounted or finite-horizon.

    Parameters
    ----------
    transitions : array_like or scipy.sparse matrix
        Dense ``(S, A, S)`` (or ``(S, n_0, ..., n_{N-1}, S)``) array with ``transitions[s, a, s2] = P(s2 | s, a)``,
        or a sparse matrix of shape ``(S*A, S)`` whose row ``s*A + a`` is ``P(. | s, a)``.
    rewards : array_like
        ``(N, S, n_0, ..., n_{N-1})`` or ``(N, S, A)``; ``rewards[p, s, a]`` is player ``p``'s reward.
        The flat form needs ``action_shape`` (or ``action_names``) when ``N > 1``.
    gamma : float, optional
        Discount factor in ``[0, 1)``. Exactly one of ``gamma`` and ``horizon`` must be given.
    horizon : int, optional
        Number of decision steps ``H >= 1`` of an undiscounted finite-horizon game.
    initial_distribution : array_like, optional
        Distribution of the first state (default: all mass on state 0).
    terminal_states : sequence of int, optional
        Absorbing zero-reward states (their rows are replaced, see the module docstring).
    player_names, state_names : sequence of str, optional
        Unique names (defaults ``"Player 1", ...`` and ``"s0", "s1", ...``).
    action_names : sequence of sequence of str, optional
        ``action_names[p]`` names player ``p``'s actions (default ``"a1", ...``).
    action_shape : sequence of int, optional
        Per-player action counts ``(n_0, ..., n_{N-1})``; needed only for flat ``(N, S, A)`` rewards with
        ``N > 1`` and no ``action_names``.

    Raises
    ------
    ValueError
        If shapes disagree, a probability is negative, a row of ``transitions`` does not sum to 1, a reward is
        not finite, ``gamma`` is outside ``[0, 1)``, not exactly one of ``gamma``/``horizon`` is given, or a name
        or state index is invalid.
    TypeError
        If an argument has the wrong type (e.g. a non-integer horizon).

    Examples
    --------
    Matching pennies played once per state, in a single absorbing state:

    >>> import numpy as np
    >>> P = np.ones((1, 4, 1))
    >>> R = np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]], dtype=float)[:, None]
    >>> game = MarkovGame(P, R, gamma=0.9)
    >>> game.n_players, game.n_states, game.action_shape, game.n_joint_actions
    (2, 1, (2, 2), 4)
    >>> game.joint_index((1, 0)), game.joint_actions(2)
    (2, (1, 0))
    """

    def __init__(
        self,
        transitions,
        rewards,
        *,
        gamma=None,
        horizon=None,
        initial_distribution=None,
        terminal_states=None,
        player_names: Sequence[str] | None = None,
        state_names: Sequence[str] | None = None,
        action_names: Sequence[Sequence[str]] | None = None,
        action_shape: Sequence[int] | None = None,
    ):
        rewards, action_shape = _check_rewards(rewards, action_shape, action_names)
        n_states = rewards.shape[1]
        dense, csr = _check_transitions(transitions, n_states, action_shape)
        gamma, horizon = _check_criterion(gamma, horizon)
        terminal = _check_terminal_states(terminal_states, n_states)
        if terminal.any():
            dense, csr, rewards = _make_absorbing(dense, csr, rewards, terminal)
        self._assign(
            dense,
            csr,
            rewards,
            gamma,
            horizon,
            _check_initial_distribution(initial_distribution, n_states),
            terminal,
            _check_names("player_names", player_names, rewards.shape[0], "Player ", 1),
            None if state_names is None else _check_names("state_names", state_names, n_states, "s", 0),
            _check_action_names(action_names, action_shape),
            action_shape,
        )

    # ------------------------------------------------------------------ construction helpers
    def _assign(self, dense, csr, rewards, gamma, horizon, mu, terminal, players, states, actions, shape):
        arrays = [rewards, mu, terminal]
        arrays += [dense] if csr is None else [csr.indptr, csr.indices, csr.data]
        for array in arrays:
            array.setflags(write=False)
        self._dense, self._csr, self._rewards = dense, csr, rewards
        self._gamma, self._horizon = gamma, horizon
        self._initial, self._terminal = mu, terminal
        self._player_names, self._state_names, self._action_names = players, states, actions
        self._action_shape = shape

    def _with_parts(self, cls, rewards, dense, csr, players, actions, shape):
        """A new ``cls`` model on this one's states, criterion and initial distribution (inputs validated)."""
        out = cls.__new__(cls)
        out._assign(
            dense, csr, rewards, self._gamma, self._horizon, self._initial, self._terminal,
            players, self._state_names, actions, shape,
        )
        return out

    # ------------------------------------------------------------------ attributes
    @property
    def n_players(self) -> int:
        """Number of players N."""
        return self._rewards.shape[0]

    @property
    def n_states(self) -> int:
        """Number of states S."""
        return self._rewards.shape[1]

    @property
    def n_joint_actions(self) -> int:
        """Number of joint actions ``A = n_0 * ... * n_{N-1}``."""
        return self._rewards.shape[2]

    @property
    def action_shape(self) -> tuple[int, ...]:
        """Per-player action counts ``(n_0, ..., n_{N-1})``."""
        return self._action_shape

    @property
    def gamma(self) -> float | None:
        """The discount factor, or None for a finite-horizon game."""
        return self._gamma

    @property
    def horizon(self) -> int | None:
        """The number of decision steps H, or None for a discounted game."""
        return self._horizon

    @property
    def is_finite_horizon(self) -> bool:
        """True for an undiscounted finite-horizon game."""
        return self._horizon is not None

    @property
    def step_discount(self) -> float:
        """The factor on continuation values in the Bellman equation: gamma, or 1 for a finite horizon."""
        return 1.0 if self._gamma is None else self._gamma

    @property
    def is_sparse(self) -> bool:
        """True when transitions are stored as CSR arrays."""
        return self._csr is not None

    @property
    def transitions(self):
        """Read-only dense ``(S, A, S)`` array, or the ``(S*A, S)`` :class:`scipy.sparse.csr_array`."""
        return self._csr if self._csr is not None else self._dense

    @property
    def transition_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(indptr, indices, data)`` of the ``(S*A, S)`` CSR transition matrix (sparse games only).

        Column indices are sorted within each row and free of duplicates.
        """
        if self._csr is None:
            raise ValueError("transition_csr is available for sparse games only; this game has dense transitions")
        return self._csr.indptr, self._csr.indices, self._csr.data

    def transition_matrix(self, format: str = "dense", *, max_dense_entries: int = 10**8):
        """The transitions in the layout a caller needs, converted only when asked for.

        Parameters
        ----------
        format : {"dense", "csr", "stored"}
            ``"dense"``: a ``(S, A, S)`` array (a sparse game is densified, see ``max_dense_entries``);
            ``"csr"``: a ``(S*A, S)`` :class:`scipy.sparse.csr_array` (a dense game is converted; a sparse game's
            own array is returned, column indices sorted, no duplicates); ``"stored"``: whichever of the two the game
            holds (as :attr:`transitions`), never converted.
        max_dense_entries : int
            Largest ``S * A * S`` a sparse game may be densified to (default ``10**8``, 800 MB of floats).

        Returns
        -------
        numpy.ndarray or scipy.sparse.csr_array
            Read-only for the stored layout; a new array when converted.

        Raises
        ------
        ValueError
            On an unknown ``format``.
        ProblemTooLargeError
            If a sparse game's dense transitions would have more than ``max_dense_entries`` entries.

        Examples
        --------
        >>> import numpy as np
        >>> P = np.zeros((2, 1, 2)); P[:, 0, 1] = 1.0
        >>> game = MarkovGame(P, np.zeros((1, 2, 1)), gamma=0.5)
        >>> game.transition_matrix("csr").indices.tolist(), game.transition_matrix("dense").shape
        ([1, 1], (2, 1, 2))
        """
        format = check_choice("format", format, ("dense", "csr", "stored"))
        if format == "stored":
            return self.transitions
        S, A = self.n_states, self.n_joint_actions
        if format == "csr":
            if self._csr is not None:
                return self._csr
            return sp.csr_array(np.asarray(self._dense).reshape(S * A, S))
        if self._csr is None:
            return self._dense
        max_dense_entries = check_positive_int("max_dense_entries", max_dense_entries)
        if S * A * S > max_dense_entries:
            raise ProblemTooLargeError(
                f"dense transitions of this sparse game would have S * A * S = {S} * {A} * {S} = {S * A * S} entries "
                f"({S} states), more than max_dense_entries={max_dense_entries}", limit="max_dense_entries")
        return self._csr.toarray().reshape(S, A, S)

    @property
    def rewards(self) -> np.ndarray:
        """Read-only ``(N, S, A)`` float64 rewards."""
        return self._rewards

    @property
    def initial_distribution(self) -> np.ndarray:
        """Read-only distribution ``mu`` of the first state."""
        return self._initial

    @property
    def terminal_states(self) -> tuple[int, ...]:
        """Indices of the absorbing zero-reward states."""
        return tuple(int(s) for s in np.flatnonzero(self._terminal))

    @property
    def is_terminal(self) -> np.ndarray:
        """Read-only boolean mask of terminal states."""
        return self._terminal

    @property
    def player_names(self) -> tuple[str, ...]:
        return self._player_names

    @property
    def state_names(self) -> tuple[str, ...]:
        """State names (default ``"s0", "s1", ...``)."""
        if self._state_names is None:
            return tuple(f"s{s}" for s in range(self.n_states))
        return self._state_names

    @property
    def action_names(self) -> tuple[tuple[str, ...], ...]:
        return self._action_names

    # ------------------------------------------------------------------ joint actions
    def joint_index(self, actions: Sequence[int]) -> int:
        """Flat index of the joint action ``(a_0, ..., a_{N-1})`` (C order: player 0 slowest).

        Examples
        --------
        >>> import numpy as np
        >>> game = MarkovGame(np.ones((1, 6, 1)), np.zeros((2, 1, 2, 3)), gamma=0.5)
        >>> game.joint_index((1, 2))
        5
        """
        actions = tuple(actions)
        if len(actions) != self.n_players:
            raise ValueError(f"actions must name one action per player ({self.n_players}); got {len(actions)}")
        for p, (a, n) in enumerate(zip(actions, self._action_shape)):
            if not _is_int(a) or not 0 <= a < n:
                raise ValueError(f"actions[{p}] must be an integer in [0, {n}); got {a!r}")
        return int(np.ravel_multi_index(tuple(int(a) for a in actions), self._action_shape))

    def joint_actions(self, a: int) -> tuple[int, ...]:
        """The per-player actions of the flat joint action ``a`` (inverse of :meth:`joint_index`).

        Examples
        --------
        >>> import numpy as np
        >>> MarkovGame(np.ones((1, 6, 1)), np.zeros((2, 1, 2, 3)), gamma=0.5).joint_actions(5)
        (1, 2)
        """
        if not _is_int(a) or not 0 <= a < self.n_joint_actions:
            raise ValueError(f"a must be an integer joint action in [0, {self.n_joint_actions}); got {a!r}")
        return tuple(int(k) for k in np.unravel_index(int(a), self._action_shape))

    # ------------------------------------------------------------------ Bellman building blocks
    def expected_next(self, values) -> np.ndarray:
        """Expected continuation ``sum_s2 P(s2 | s, a) V(s2)`` for every ``(s, a)``.

        Parameters
        ----------
        values : array_like
            ``(S,)`` or ``(K, S)`` (e.g. one value vector per player).

        Returns
        -------
        numpy.ndarray
            ``(S, A)`` or ``(K, S, A)``.

        Examples
        --------
        >>> import numpy as np
        >>> P = np.zeros((2, 1, 2)); P[:, 0, 1] = 1.0
        >>> MarkovGame(P, np.zeros((1, 2, 1)), gamma=0.5).expected_next([3.0, 7.0])
        array([[7.],
               [7.]])
        """
        values = as_finite_array("values", values)
        if values.ndim not in (1, 2) or values.shape[-1] != self.n_states:
            raise ValueError(f"values must have shape ({self.n_states},) or (K, {self.n_states}); got {values.shape}")
        matrix = values.reshape(-1, self.n_states).T  # (S, K)
        if self._csr is not None:
            out = np.asarray(self._csr @ matrix).reshape(self.n_states, self.n_joint_actions, -1)
        else:
            out = self._dense @ matrix
        out = np.moveaxis(out, -1, 0)
        return out[0] if values.ndim == 1 else out

    def stage_game(self, state: int, values) -> NormalFormGame:
        """The one-shot game of Q-values at ``state`` given each player's continuation values.

        ``Q_p(state, a) = R_p(state, a) + discount * sum_s2 P(s2 | state, a) V_p(s2)`` (Bi-AC Eq. 1), where
        the discount is ``gamma`` (or 1 for a finite horizon, with ``values`` those of the next time step).

        Parameters
        ----------
        state : int
            The state index.
        values : array_like
            ``(N, S)`` continuation values, one row per player.

        Returns
        -------
        NormalFormGame
            Float payoffs of shape ``action_shape``, with this game's player and action names.

        Examples
        --------
        >>> import numpy as np
        >>> game = MarkovGame(np.ones((1, 4, 1)), np.arange(8.0).reshape(2, 1, 2, 2), gamma=0.5)
        >>> game.stage_game(0, [[2.0], [0.0]]).payoffs[0].tolist()
        [[1.0, 2.0], [3.0, 4.0]]
        """
        if not _is_int(state) or not 0 <= state < self.n_states:
            raise ValueError(f"state must be an integer in [0, {self.n_states}); got {state!r}")
        values = as_finite_array("values", values)
        if values.shape != (self.n_players, self.n_states):
            raise ValueError(f"values must have shape ({self.n_players}, {self.n_states}); got {values.shape}")
        A = self.n_joint_actions
        if self._csr is not None:
            rows = self._csr[state * A : (state + 1) * A]
            expected = np.asarray(rows @ values.T).T  # (N, A)
        else:
            expected = values @ self._dense[state].T
        q = self._rewards[:, state, :] + self.step_discount * expected
        return NormalFormGame(
            [q[p].reshape(self._action_shape) for p in range(self.n_players)],
            player_names=self._player_names,
            action_names=self._action_names,
            title=f"stage game at {self.state_names[state]}",
            exact=False,
        )

    # ------------------------------------------------------------------ policies
    def policy_matrix(self, policy, *, player: int | None = None, name: str = "policy") -> np.ndarray:
        """Validate a policy and return it as a stochastic matrix.

        Parameters
        ----------
        policy : array_like
            - integer array ``(S,)``: a deterministic stationary policy (action index per state);
            - array ``(S, n)`` with rows on the simplex: a stochastic stationary policy;
            - finite horizon only: integer array ``(H, S)`` (deterministic) or ``(H, S, n)`` (stochastic),
              indexed by time step.

            ``n`` is the number of joint actions, or player ``player``'s action count.
        player : int, optional
            Validate a policy over this player's own actions instead of joint actions.
        name : str
            The argument name used in error messages.

        Returns
        -------
        numpy.ndarray
            ``(S, n)`` or ``(H, S, n)`` float64 probabilities.

        Raises
        ------
        ValueError
            If the shape does not fit, an action index is out of range, or a row is not a distribution. An
            integer ``(H, S)`` array that also has shape ``(S, n)`` is ambiguous and rejected.

        Examples
        --------
        >>> import numpy as np
        >>> mdp = MDP(np.ones((1, 2, 1)), np.zeros((1, 2)), gamma=0.5)
        >>> mdp.policy_matrix([1])
        array([[0., 1.]])
        """
        if player is None:
            n = self.n_joint_actions
        else:
            if not _is_int(player) or not 0 <= player < self.n_players:
                raise ValueError(f"player must be an integer in [0, {self.n_players}); got {player!r}")
            n = self._action_shape[player]
        S, H = self.n_states, self._horizon
        raw = np.asarray(policy)
        if raw.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be an array of action indices or probabilities; got dtype {raw.dtype}")
        stochastic_shapes = [(S, n)] + ([(H, S, n)] if H is not None else [])
        if raw.dtype.kind in "iu" and (raw.ndim == 1 or (raw.ndim == 2 and H is not None and raw.shape == (H, S))):
            if raw.ndim == 2 and raw.shape == (S, n):
                raise ValueError(
                    f"{name} of shape {raw.shape} is ambiguous (time-indexed action indices or action "
                    f"probabilities): pass probabilities as floats, or indices as one-hot np.eye(n)[{name}]"
                )
            if raw.shape[-1] != S:
                shapes = f"({S},)" + (f" or ({H}, {S})" if H is not None else "")
                raise ValueError(f"{name} must be integer action indices of shape {shapes}; got shape {raw.shape}")
            if (raw < 0).any() or (raw >= n).any():
                raise ValueError(f"{name} action indices must lie in [0, {n}); got values in [{raw.min()}, {raw.max()}]")
            return np.eye(n)[raw]
        if raw.shape not in stochastic_shapes:
            expected = " or ".join(str(s) for s in stochastic_shapes)
            raise ValueError(
                f"{name} must be integer action indices of shape ({S},) or probabilities of shape {expected}; "
                f"got shape {raw.shape}"
            )
        matrix = as_finite_array(name, raw)
        if (matrix < 0).any():
            raise ValueError(f"{name} probabilities must be non-negative; found {matrix.min():g}")
        sums = matrix.sum(axis=-1)
        worst = np.abs(sums - 1.0).max()
        if worst > PROBABILITY_TOL:
            index = np.unravel_index(np.argmax(np.abs(sums - 1.0)), sums.shape)
            raise ValueError(
                f"{name} rows must sum to 1 (within {PROBABILITY_TOL:g}); row {tuple(int(i) for i in index)} "
                f"sums to {sums[index]:.12g}"
            )
        return np.array(matrix, dtype=float)

    # ------------------------------------------------------------------ derived models
    def restrict_to_player(self, player: int, other_policies: Sequence) -> "MDP":
        """The MDP that ``player`` faces when every other player follows a fixed stationary policy.

        ``P_p(s2 | s, a_p) = sum_{a_-p} pi_-p(a_-p | s) P(s2 | s, a_p, a_-p)`` and likewise for the reward:
        the follower's problem in bi-level RL (Bi-AC Eq. 5) and in incentive design. Sparse games give a
        sparse MDP.

        Parameters
        ----------
        player : int
            The player left free.
        other_policies : sequence
            One entry per player: ``None`` at ``player``, elsewhere that player's policy over its own actions
            (integer ``(S,)`` or stochastic ``(S, n_q)``).

        Returns
        -------
        MDP
            With the same states, criterion, initial distribution and terminal states.

        Examples
        --------
        The follower's MDP when the leader always plays action 1:

        >>> import numpy as np
        >>> R = np.array([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])[:, None]
        >>> game = MarkovGame(np.ones((1, 4, 1)), R, gamma=0.5)
        >>> game.restrict_to_player(1, [[1], None]).rewards
        array([[7., 8.]])
        """
        if not _is_int(player) or not 0 <= player < self.n_players:
            raise ValueError(f"player must be an integer in [0, {self.n_players}); got {player!r}")
        others = list(other_policies)
        if len(others) != self.n_players:
            raise ValueError(f"other_policies must hold one entry per player ({self.n_players}); got {len(others)}")
        if others[player] is not None:
            raise ValueError(f"other_policies[{player}] must be None (the player left free); got a policy")
        S, A, n_p = self.n_states, self.n_joint_actions, self._action_shape[player]
        weights = np.ones((S,) + self._action_shape)
        for q, policy in enumerate(others):
            if q == player:
                continue
            pi = self.policy_matrix(policy, player=q, name=f"other_policies[{q}]")
            if pi.ndim != 2:
                raise ValueError(f"other_policies[{q}] must be stationary ((S,) or (S, n_q)); got shape {pi.shape}")
            shape = [S] + [1] * self.n_players
            shape[1 + q] = self._action_shape[q]
            weights = weights * pi.reshape(shape)
        others_axes = tuple(1 + q for q in range(self.n_players) if q != player)
        rewards = (weights * self._rewards[player].reshape(weights.shape)).sum(axis=others_axes)
        if self._csr is not None:
            own_action = np.unravel_index(np.arange(A), self._action_shape)[player]  # a_p of each joint action
            rows = (np.arange(S)[:, None] * n_p + own_action[None, :]).ravel()
            mixing = sp.csr_array((weights.ravel(), (rows, np.arange(S * A))), shape=(S * n_p, S * A))
            csr, dense = _canonical_csr(mixing @ self._csr), None
        else:
            joint = self._dense.reshape((S,) + self._action_shape + (S,))
            dense, csr = (weights[..., None] * joint).sum(axis=others_axes), None
        return self._with_parts(
            MDP, rewards[None], dense, csr, (self._player_names[player],), (self._action_names[player],), (n_p,)
        )

    def team_mdp(self, weights=None) -> "MDP":
        """The MDP of a team choosing joint actions to maximise ``sum_p weights[p] * R_p`` (default weights 1).

        Examples
        --------
        >>> import numpy as np
        >>> game = MarkovGame(np.ones((1, 4, 1)), np.arange(8.0).reshape(2, 1, 4), gamma=0.5, action_shape=(2, 2))
        >>> game.team_mdp().rewards
        array([[ 4.,  6.,  8., 10.]])
        """
        w = np.ones(self.n_players) if weights is None else as_finite_array("weights", weights, ndim=1)
        if w.shape != (self.n_players,):
            raise ValueError(f"weights must have one entry per player ({self.n_players}); got shape {w.shape}")
        rewards = np.tensordot(w, self._rewards, axes=1)[None]
        labels = tuple(
            ",".join(self._action_names[p][k] for p, k in enumerate(self.joint_actions(a)))
            for a in range(self.n_joint_actions)
        )
        return self._with_parts(MDP, rewards, self._dense, self._csr, ("Team",), (labels,), (self.n_joint_actions,))

    def with_rewards(self, rewards) -> "MarkovGame":
        """The same game (shared transitions) with new rewards of this game's reward shape.

        Examples
        --------
        >>> import numpy as np
        >>> mdp = MDP(np.ones((1, 2, 1)), [[0.0, 1.0]], gamma=0.5)
        >>> mdp.with_rewards([[2.0, 3.0]]).rewards
        array([[2., 3.]])
        """
        expected = self.rewards.shape
        array = as_finite_array("rewards", rewards)
        if array.shape != expected:
            raise ValueError(f"rewards must have shape {expected} like this game's rewards; got {array.shape}")
        full = np.array(array, dtype=float).reshape(self._rewards.shape)
        full[:, self._terminal, :] = 0.0
        return self._with_parts(
            type(self), full, self._dense, self._csr, self._player_names, self._action_names, self._action_shape
        )

    # ------------------------------------------------------------------ dunder
    def __repr__(self) -> str:
        criterion = f"gamma={self._gamma}" if self._gamma is not None else f"horizon={self._horizon}"
        storage = "sparse" if self.is_sparse else "dense"
        return (
            f"<{type(self).__name__} {self.n_players} players, {self.n_states} states, "
            f"{'x'.join(map(str, self._action_shape))} actions, {criterion}, {storage}>"
        )


class MDP(MarkovGame):
    """A tabular Markov decision process: the one-player :class:`MarkovGame`.

    Parameters
    ----------
    transitions : array_like or scipy.sparse matrix
        Dense ``(S, A, S)`` or sparse ``(S*A, S)`` (row ``s*A + a``).
    rewards : array_like
        ``(S, A)`` rewards ``R(s, a)``.
    gamma, horizon, initial_distribution, terminal_states, state_names
        As for :class:`MarkovGame`.
    action_names : sequence of str, optional
        One name per action (default ``"a1", ...``).

    Notes
    -----
    :attr:`rewards` is ``(S, A)`` here (the game's ``(1, S, A)`` without the player axis).

    Examples
    --------
    >>> import numpy as np
    >>> P = np.zeros((2, 2, 2)); P[:, 0, 0] = 1.0; P[:, 1, 1] = 1.0   # action a goes to state a
    >>> mdp = MDP(P, [[0.0, 1.0], [0.0, 1.0]], gamma=0.9)
    >>> mdp.n_states, mdp.n_actions, mdp.rewards.shape
    (2, 2, (2, 2))
    """

    def __init__(
        self,
        transitions,
        rewards,
        *,
        gamma=None,
        horizon=None,
        initial_distribution=None,
        terminal_states=None,
        state_names: Sequence[str] | None = None,
        action_names: Sequence[str] | None = None,
    ):
        array = as_finite_array("rewards", rewards)
        if array.ndim != 2:
            raise ValueError(f"rewards must be a 2-dimensional (S, A) array; got shape {array.shape}")
        if action_names is not None:
            if isinstance(action_names, str):
                raise TypeError("action_names must be a sequence of strings, one per action; got a single string")
            action_names = [list(action_names)]
        super().__init__(
            transitions,
            array[None],
            gamma=gamma,
            horizon=horizon,
            initial_distribution=initial_distribution,
            terminal_states=terminal_states,
            player_names=None,
            state_names=state_names,
            action_names=action_names,
        )

    @property
    def n_actions(self) -> int:
        """Number of actions A."""
        return self.n_joint_actions

    @property
    def rewards(self) -> np.ndarray:
        """Read-only ``(S, A)`` rewards."""
        return self._rewards[0]


# ---------------------------------------------------------------------- validation helpers
def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _check_rewards(rewards, action_shape, action_names):
    array = as_finite_array("rewards", rewards)
    if array.ndim < 3:
        raise ValueError(f"rewards must have shape (N, S, A) or (N, S, n_0, ..., n_(N-1)); got shape {array.shape}")
    n_players, n_states = array.shape[0], array.shape[1]
    if n_players == 0 or n_states == 0:
        raise ValueError(f"rewards needs at least one player and one state; got shape {array.shape}")
    if array.ndim == n_players + 2:
        shape = tuple(int(k) for k in array.shape[2:])
    elif array.ndim == 3:
        if action_shape is not None:
            shape = tuple(int(k) for k in action_shape)
            if len(shape) != n_players or any(k < 1 for k in shape):
                raise ValueError(f"action_shape must hold {n_players} positive action counts; got {tuple(action_shape)}")
        elif action_names is not None:
            shape = tuple(len(names) for names in action_names)
        elif n_players == 1:
            shape = (array.shape[2],)
        else:
            raise ValueError(
                f"rewards of shape {array.shape} have flat joint actions: pass action_shape (per-player action "
                f"counts) or rewards of shape (N, S, n_0, ..., n_(N-1))"
            )
        if math.prod(shape) != array.shape[2]:
            raise ValueError(
                f"action_shape {shape} gives {math.prod(shape)} joint actions but rewards has {array.shape[2]}"
            )
    else:
        raise ValueError(
            f"rewards must have shape (N, S, A) or (N, S, n_0, ..., n_(N-1)) with N = {n_players}; got shape {array.shape}"
        )
    if action_shape is not None and tuple(int(k) for k in action_shape) != shape:
        raise ValueError(f"action_shape {tuple(action_shape)} disagrees with the rewards' action axes {shape}")
    if any(k == 0 for k in shape):
        raise ValueError(f"every player needs at least one action; got action counts {shape}")
    flat = np.array(array, dtype=float).reshape(n_players, n_states, -1)
    return flat, shape


def _check_transitions(transitions, n_states, action_shape):
    A = int(np.prod(action_shape))
    if sp.issparse(transitions):
        if tuple(transitions.shape) != (n_states * A, n_states):
            raise ValueError(
                f"sparse transitions must have shape (S*A, S) = ({n_states * A}, {n_states}); got {transitions.shape}"
            )
        csr = _safe_csr(transitions, n_states * A, n_states)
        sums = np.asarray(csr.sum(axis=1)).ravel()
        _check_row_sums(sums, lambda row: divmod(int(row), A))
        return None, csr
    array = as_finite_array("transitions", transitions)
    expected = [(n_states, A, n_states), (n_states, *action_shape, n_states)]
    if array.shape not in expected:
        raise ValueError(
            f"transitions must have shape {expected[0]}"
            + (f" or {expected[1]}" if expected[1] != expected[0] else "")
            + f" (S from rewards, A joint actions); got {array.shape}"
        )
    array = np.array(array, dtype=float).reshape(n_states, A, n_states)
    if (array < 0).any():
        index = tuple(int(i) for i in np.argwhere(array < 0)[0])
        raise ValueError(f"transitions must be non-negative; found {array[index]:g} at index {index}")
    sums = array.sum(axis=2)
    _check_row_sums(sums.ravel(), lambda row: divmod(int(row), A))
    return array, None


def _check_row_sums(sums, locate):
    error = np.abs(sums - 1.0)
    if error.size and error.max() > PROBABILITY_TOL:
        row = int(np.argmax(error))
        s, a = locate(row)
        raise ValueError(
            f"transitions rows must sum to 1 (within {PROBABILITY_TOL:g}); P(. | s={s}, a={a}) sums to {sums[row]:.12g}"
        )


def check_csr_arrays(name: str, indptr, indices, data, shape) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate the raw arrays of a CSR probability matrix before anything reads through them.

    The numba kernels (and scipy's compiled routines) index memory with these arrays without bounds checks, so a
    stray column index or a non-monotone ``indptr`` would read or write outside the arrays. Checked here:
    ``indptr`` and ``indices`` are 1-dimensional integer arrays, ``data`` a 1-dimensional real array;
    ``indptr`` has ``n_rows + 1`` entries, starts at 0, never decreases and ends at ``len(indices) == len(data)``;
    every column index lies in ``[0, n_columns)``; every probability is finite and in ``[0, 1]``.
    Sortedness and duplicates are not required: :func:`_canonical_csr` sums duplicates and sorts afterwards.

    Parameters
    ----------
    name : str
        The argument named in error messages (e.g. ``"transitions"``).
    indptr, indices, data : array_like
        The CSR arrays.
    shape : tuple of int
        ``(n_rows, n_columns)``.

    Returns
    -------
    tuple of numpy.ndarray
        ``indptr`` and ``indices`` as int64, ``data`` as float64 (copies).

    Raises
    ------
    ValueError
        Naming ``name`` and the failed check.

    Examples
    --------
    >>> check_csr_arrays("transitions", [0, 1, 2], [0, 5], [1.0, 1.0], (2, 2))
    Traceback (most recent call last):
    ...
    ValueError: transitions (CSR) has a column index out of range: indices must lie in [0, 2); found 5 at position 1
    """
    n_rows, n_columns = (int(k) for k in shape)
    arrays = {}
    for part, value in (("indptr", indptr), ("indices", indices), ("data", data)):
        array = np.asarray(value)
        if array.ndim != 1:
            raise ValueError(f"{name} (CSR) {part} must be a 1-dimensional array; got shape {array.shape}")
        arrays[part] = array
    for part in ("indptr", "indices"):
        if arrays[part].dtype.kind not in "iu":  # a uint64 above 2**63 wraps negative below and is refused there
            raise ValueError(f"{name} (CSR) {part} must hold integers; got dtype {arrays[part].dtype}")
    if arrays["data"].dtype.kind not in "iuf" or arrays["data"].dtype.itemsize > 8:
        raise ValueError(f"{name} (CSR) data must hold real numbers (probabilities); got dtype {arrays['data'].dtype}")
    pointer = arrays["indptr"].astype(np.int64)
    columns = arrays["indices"].astype(np.int64)
    values = arrays["data"].astype(np.float64)
    if pointer.size != n_rows + 1:
        raise ValueError(f"{name} (CSR) indptr must have n_rows + 1 = {n_rows + 1} entries; got {pointer.size}")
    if columns.size != values.size:
        raise ValueError(f"{name} (CSR) indices and data must have the same length; got {columns.size} and {values.size}")
    if pointer[0] != 0 or pointer[-1] != columns.size:
        raise ValueError(
            f"{name} (CSR) indptr must start at 0 and end at len(indices) = {columns.size}; "
            f"got {pointer[0]} ... {pointer[-1]}"
        )
    steps = np.diff(pointer)
    if (steps < 0).any():
        row = int(np.argmax(steps < 0))
        raise ValueError(f"{name} (CSR) indptr must never decrease; indptr[{row + 1}] = {pointer[row + 1]} < "
                         f"indptr[{row}] = {pointer[row]}")
    bad = (columns < 0) | (columns >= n_columns)
    if bad.any():
        position = int(np.argmax(bad))
        raise ValueError(f"{name} (CSR) has a column index out of range: indices must lie in [0, {n_columns}); "
                         f"found {columns[position]} at position {position}")
    bad = ~np.isfinite(values)
    if bad.any():
        position = int(np.argmax(bad))
        raise ValueError(f"{name} must contain only finite probabilities; found {values[position]} at data position "
                         f"{position}")
    for bad, expected in ((values < 0, "must be non-negative"), (values > 1.0 + PROBABILITY_TOL, "must be at most 1")):
        if bad.any():
            position = int(np.argmax(bad))
            raise ValueError(f"{name} {expected} (probabilities); found {values[position]:g} at data position "
                             f"{position}")
    return pointer, columns, values


def _safe_csr(matrix, n_rows: int, n_columns: int) -> sp.csr_array:
    """A canonical CSR copy of a scipy sparse ``matrix``, its raw index arrays validated before any scipy routine
    (compiled, unchecked) reads through them."""
    name = "transitions"
    fmt = getattr(matrix, "format", None)
    if fmt in ("csr", "csc"):
        if fmt == "csr":
            pointer, columns, values = check_csr_arrays(name, matrix.indptr, matrix.indices, matrix.data,
                                                        (n_rows, n_columns))
            matrix = sp.csr_array((values, columns, pointer), shape=(n_rows, n_columns))
        else:  # a CSC matrix is the CSR matrix of its transpose
            pointer, rows, values = check_csr_arrays(name, matrix.indptr, matrix.indices, matrix.data,
                                                     (n_columns, n_rows))
            matrix = sp.csc_array((values, rows, pointer), shape=(n_rows, n_columns))
    elif fmt == "coo":
        coords = [np.asarray(c) for c in matrix.coords] if hasattr(matrix, "coords") else [matrix.row, matrix.col]
        for axis, (coord, bound) in enumerate(zip(coords, (n_rows, n_columns))):
            if coord.dtype.kind not in "iu" or (coord.size and (coord.min() < 0 or coord.max() >= bound)):
                raise ValueError(f"{name} (COO) has a {'row' if axis == 0 else 'column'} index outside [0, {bound})")
    elif fmt == "bsr":
        try:
            matrix.check_format(full_check=True)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{name} (BSR) is not a valid sparse matrix: {error}") from None
    elif fmt not in ("lil", "dok", "dia"):
        raise TypeError(f"{name} must be a dense array or a scipy.sparse matrix; got {type(matrix).__name__}")
    if matrix.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real probabilities; got dtype {matrix.dtype}")
    csr = _canonical_csr(matrix)
    check_csr_arrays(name, csr.indptr, csr.indices, csr.data, (n_rows, n_columns))
    return csr


def _canonical_csr(matrix) -> sp.csr_array:
    csr = sp.csr_array(matrix, dtype=float, copy=True)
    csr.sum_duplicates()  # also sorts the column indices
    csr.eliminate_zeros()
    return csr


def _check_criterion(gamma, horizon):
    if (gamma is None) == (horizon is None):
        raise ValueError("give exactly one of gamma (discounted) and horizon (finite horizon); got "
                         + ("neither" if gamma is None else "both"))
    if gamma is not None:
        return check_discount("gamma", gamma), None
    return None, check_positive_int("horizon", horizon)


def _check_initial_distribution(mu, n_states):
    if mu is None:
        out = np.zeros(n_states)
        out[0] = 1.0
        return out
    return np.array(check_probability_vector("initial_distribution", mu, n_states, tol=PROBABILITY_TOL))


def _check_terminal_states(states, n_states):
    mask = np.zeros(n_states, dtype=bool)
    if states is None:
        return mask
    for s in states:
        if not _is_int(s) or not 0 <= s < n_states:
            raise ValueError(f"terminal_states must hold state indices in [0, {n_states}); got {s!r}")
        if mask[s]:
            raise ValueError(f"terminal_states must not repeat a state; {s} appears twice")
        mask[s] = True
    return mask


def _make_absorbing(dense, csr, rewards, terminal):
    """Replace terminal states' rows by zero-reward self-loops."""
    rewards = rewards.copy()
    rewards[:, terminal, :] = 0.0
    S, A = rewards.shape[1], rewards.shape[2]
    states = np.flatnonzero(terminal)
    if dense is not None:
        dense = dense.copy()
        dense[states] = 0.0
        dense[states, :, states] = 1.0
        return dense, None, rewards
    keep = np.repeat(~terminal, A).astype(float)
    loops_rows = (states[:, None] * A + np.arange(A)[None, :]).ravel()
    loops = sp.csr_array((np.ones(loops_rows.size), (loops_rows, np.repeat(states, A))), shape=(S * A, S))
    return None, _canonical_csr(sp.diags_array(keep) @ csr + loops), rewards


def _check_names(name, names, count, prefix, start):
    if names is None:
        return tuple(f"{prefix}{k + start}" for k in range(count))
    if isinstance(names, str):
        raise TypeError(f"{name} must be a sequence of strings; got a single string")
    names = tuple(str(n) for n in names)
    if len(names) != count:
        raise ValueError(f"{name} must hold {count} names; got {len(names)}")
    if len(set(names)) != len(names):
        raise ValueError(f"{name} must be unique; got duplicates in {list(names)[:10]}")
    return names


def _check_action_names(names, shape):
    if names is None:
        return tuple(tuple(f"a{k + 1}" for k in range(n)) for n in shape)
    names = list(names)
    if len(names) != len(shape):
        raise ValueError(f"action_names must hold one list per player ({len(shape)}); got {len(names)}")
    return tuple(_check_names(f"action_names[{p}]", labels, n, "a", 1) for p, (labels, n) in enumerate(zip(names, shape)))
