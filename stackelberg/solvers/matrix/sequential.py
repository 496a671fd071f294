r"""N-level (priority-ordered) pure Stackelberg equilibria by backward induction.

In the spatio-temporal sequential game of STEP (Zhang et al., 2023, Eqs. 5-7)
the players move in a priority order :math:`o_0, o_1, \dots, o_{N-1}`: player
:math:`o_k` observes the actions :math:`a^{0:k-1}` of its superiors and
best-responds, knowing that its inferiors best-respond in turn. For a
normal-form game with payoff tensors :math:`u_p` (players renumbered by
priority) the continuation values are defined backwards. With
:math:`W_{N-1}(a^{0:N-1}) = (u_0, \dots, u_{N-1})(a)`, player :math:`k`'s
response set to a prefix :math:`h = a^{0:k-1}` is

.. math:: R_k(h) = \operatorname{tie}_k\Big(\arg\max_{a} W_k(h, a)_k\Big),

and :math:`W_{k-1}(h) = W_k(h, a)_{0:k-1}` for any :math:`a \in R_k(h)`.

**Tie-breaking** (``tie_break``) applies when player :math:`k` is indifferent:

* ``"strong"``: among its best actions it keeps those best for its superiors,
  lexicographically from the first mover: maximise :math:`W_k(h,a)_0`, then
  among those :math:`W_k(h,a)_1`, ..., up to :math:`W_k(h,a)_{k-1}`;
* ``"weak"``: the same with minimisation (worst for the superiors, first
  mover first).

After the tie-break every action in :math:`R_k(h)` gives the same values to
players :math:`0..k`, so :math:`W_{k-1}` is well defined; actions that remain
tied may still give different payoffs to the inferiors, and each of them starts
its own equilibrium path. The first mover's optimal actions, followed through
all response sets, give **all** equilibrium paths. For two players this is the
pure-commitment Stackelberg equilibrium with the same tie-break rule.

Everything is vectorised over the payoff tensor (one reduction per level and
per tie-break criterion). Exact games are solved in ``Fraction``; float games
are solved on each player's payoffs mapped affinely onto ``[0, 1]``
(:func:`stackelberg.games._scale.normalised`), where a value within
``tol`` of the extreme ties with it: tol is relative to the payoff scale (the
range of that player's payoffs), the rule of pure-commitment
:func:`~stackelberg.solvers.matrix.stackelberg.stackelberg_equilibria`.

References
----------
.. [1] B. Zhang, L. Li, Z. Xu, D. Li and G. Fan, "Inducing Stackelberg
   equilibrium through spatio-temporal sequential decision-making in
   multi-agent reinforcement learning", IJCAI 2023.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._validation import check_choice, check_tol
from ...games._scale import normalised
from ...games.normal_form import NormalFormGame
from ._arguments import check_exact, check_game

__all__ = ["SequentialSolution", "sequential_equilibria"]

TIE_BREAKS = ("strong", "weak")


@dataclass(frozen=True, eq=False, kw_only=True)
class SequentialSolution:
    """One equilibrium path of the N-level sequential (Stackelberg) game.

    Attributes
    ----------
    order : tuple of int
        Players by priority: ``order[0]`` moves first.
    actions : tuple of int
        The joint action, indexed by the original player numbers.
    path : tuple of int
        The same actions in move order (``path[k]`` is player ``order[k]``'s).
    payoffs : tuple
        Every player's payoff, in the original player order.
    responses : tuple of numpy.ndarray
        The response rules, shared by all solutions of one call:
        ``responses[k]`` is a boolean array of shape
        ``(n_{order[0]}, ..., n_{order[k]})`` whose ``[a_0, ..., a_{k-1}, a]``
        entry says whether player ``order[k]`` may play ``a`` after its
        superiors played ``a_0, ..., a_{k-1}`` (for the first mover: its
        optimal actions).
    tie_break : str
        ``"strong"`` or ``"weak"``.
    exact : bool
        Whether payoffs are exact rationals.
    method : str
        The algorithm that produced the solution.
    """

    order: tuple
    actions: tuple
    path: tuple
    payoffs: tuple
    responses: tuple
    tie_break: str
    exact: bool
    method: str

    def response(self, level: int, prefix=()) -> tuple[int, ...]:
        """The actions player ``order[level]`` may choose after its superiors played ``prefix``.

        Examples
        --------
        >>> import stackelberg as sb
        >>> game = sb.NormalFormGame.from_bimatrix([[1, 0], [2, 3]], [[1, 0], [0, 1]])
        >>> sequential_equilibria(game)[0].response(1, (0,))
        (0,)
        """
        if isinstance(level, (bool, np.bool_)) or not isinstance(level, numbers.Integral):
            raise TypeError(f"level must be an integer; got {level!r}")
        if not 0 <= level < len(self.order):
            raise ValueError(f"level must be in [0, {len(self.order)}); got {level}")
        prefix = tuple(prefix)
        rule = self.responses[level]
        if len(prefix) != level:
            raise ValueError(f"prefix must hold the actions of the {level} superiors; got {len(prefix)}")
        for k, a in enumerate(prefix):
            if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral) or not 0 <= a < rule.shape[k]:
                raise ValueError(f"prefix[{k}] must be an action in [0, {rule.shape[k]}); got {a!r}")
        return tuple(int(a) for a in np.flatnonzero(rule[prefix]))

    def __eq__(self, other) -> bool:
        if not isinstance(other, SequentialSolution):
            return NotImplemented
        return (self.order, self.actions, self.tie_break) == (other.order, other.actions, other.tie_break)

    __hash__ = None


def sequential_equilibria(
    game: NormalFormGame,
    order=None,
    tie_break: str = "strong",
    *,
    exact: bool | None = None,
    tol: float = 1e-9,
) -> list[SequentialSolution]:
    """All N-level pure Stackelberg equilibrium paths, by backward induction.

    Parameters
    ----------
    game : NormalFormGame
        An N-player game (N >= 1).
    order : sequence of int, optional
        The players by priority, first mover first (default ``0, 1, ..., N-1``).
    tie_break : {"strong", "weak"}
        How an indifferent player chooses: best (strong) or worst (weak) for its
        superiors, lexicographically from the first mover.
    exact : bool, optional
        Compare in ``Fraction`` (default: when the game is exact).
    tol : float
        Float mode: a player's values within ``tol`` times the range of its
        payoffs of an extreme tie with it (tol is relative to the payoff scale).

    Returns
    -------
    list of SequentialSolution
        One per equilibrium path, in lexicographic order of the path.

    Raises
    ------
    TypeError
        If ``game`` is not a NormalFormGame or ``order`` holds non-integers.
    ValueError
        If ``order`` is not a permutation of the players, ``tie_break`` is
        unknown, or ``exact=True`` for a float game.

    Examples
    --------
    >>> import stackelberg as sb
    >>> escape = sb.NormalFormGame.common_payoff([[15, 10, 0], [10, 10, 0], [0, 0, 30]])
    >>> [(s.actions, s.payoffs) for s in sequential_equilibria(escape)]
    [((2, 2), (Fraction(30, 1), Fraction(30, 1)))]
    >>> three = sb.NormalFormGame.common_payoff([[[1, 0], [0, 0]], [[0, 0], [0, 2]]])
    >>> [s.path for s in sequential_equilibria(three, order=[2, 0, 1])]
    [(1, 1, 1)]

    References
    ----------
    .. [1] B. Zhang et al., "Inducing Stackelberg equilibrium through
       spatio-temporal sequential decision-making in multi-agent reinforcement
       learning", IJCAI 2023.
    """
    n_players = check_game(game).n_players
    order = _check_order(order, n_players)
    check_choice("tie_break", tie_break, TIE_BREAKS)
    tol = check_tol("tol", tol)
    exact = check_exact(game, exact)

    ordered = game.permute_players(order) if order != tuple(range(n_players)) else game
    tensors = ordered.exact_payoffs if exact else [normalised(t) for t in ordered.payoffs]
    responses = _backward_induction(np.stack(tensors), tie_break == "strong", None if exact else tol)
    on_path = responses[-1].copy()
    for k, rule in enumerate(responses[:-1]):
        on_path &= rule.reshape(rule.shape + (1,) * (n_players - 1 - k))
    source = game.exact_payoffs if exact else game.payoffs
    out = []
    for path in np.argwhere(on_path):
        path = tuple(int(a) for a in path)
        actions = [0] * n_players
        for k, player in enumerate(order):
            actions[player] = path[k]
        actions = tuple(actions)
        payoffs = tuple(source[p][actions] if exact else float(source[p][actions]) for p in range(n_players))
        out.append(SequentialSolution(order=order, actions=actions, path=path, payoffs=payoffs, responses=responses,
                                      tie_break=tie_break, exact=exact, method="backward induction"))
    return out


def _check_order(order, n_players: int) -> tuple[int, ...]:
    if order is None:
        return tuple(range(n_players))
    if isinstance(order, (str, bytes)) or not hasattr(order, "__iter__"):
        raise TypeError(f"order must be a sequence of player indices; got {order!r}")
    order = list(order)
    for k in order:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral):
            raise TypeError(f"order must hold integer player indices; found {k!r}")
    if sorted(int(k) for k in order) != list(range(n_players)):
        raise ValueError(f"order must be a permutation of the players 0..{n_players - 1}; got {order}")
    return tuple(int(k) for k in order)


def _backward_induction(values: np.ndarray, strong: bool, tol) -> tuple[np.ndarray, ...]:
    """Response rules of every level for payoffs ``values[p, a_0, ..., a_{N-1}]`` (players in move order).

    ``tol`` None means exact comparison (object arrays of ``Fraction``).
    """
    n_players = values.shape[0]
    responses: list[Any] = [None] * n_players
    W = values  # W[q, a_0..a_k]: continuation value of player q <= k after the first k+1 moves
    for k in reversed(range(n_players)):
        chosen = _extreme_mask(W[k], None, True, tol)
        for q in range(k):  # the tie-break, lexicographically from the first mover
            chosen = _extreme_mask(W[q], chosen, strong, tol)
        responses[k] = chosen
        first = chosen.argmax(axis=-1)[..., None]
        W = np.take_along_axis(W[:k], first[None], axis=-1)[..., 0]
    return tuple(responses)


def _extreme_mask(values: np.ndarray, candidates, maximize: bool, tol) -> np.ndarray:
    """Mask of the candidates attaining the max (or min) over the last axis."""
    if candidates is not None:
        fill = -np.inf if maximize else np.inf
        values_in = np.where(candidates, values, fill)
    else:
        values_in = values
    extreme = np.asarray(values_in.max(axis=-1) if maximize else values_in.min(axis=-1))[..., None]
    if tol is None:
        mask = values == extreme
    else:  # normalised payoffs: tol is relative to the payoff scale
        mask = values >= extreme - tol if maximize else values <= extreme + tol
    return mask if candidates is None else mask & candidates
