r"""Normal-form (matrix) games with N players.

A game with players :math:`p = 0, \dots, N-1`, each with :math:`n_p` actions, is
given by one payoff tensor per player, ``payoffs[p][a_0, ..., a_{N-1}]``. For two
players this is the bimatrix convention of nashpy and Gambit: ``A[i, j]`` and
``B[i, j]`` for row action ``i`` and column action ``j``. The row player is
player 0, the leader of every Stackelberg concept unless a ``leader=`` argument
says otherwise.

Payoffs made only of integers and :class:`fractions.Fraction` are kept exact:
:attr:`NormalFormGame.exact_payoffs` holds them as ``Fraction`` and the solvers
can answer in rationals with zero regret. :attr:`NormalFormGame.payoffs` always
holds plain float64 arrays for the fast paths.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Sequence

import numpy as np

from .._validation import as_finite_array, check_probability_vector, check_tol, is_exact_number
from ._scale import regret_allowances

__all__ = ["NormalFormGame"]


def _to_fraction(value) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    return Fraction(float(value))  # the exact binary value of the float


def _exact_array(values: np.ndarray) -> np.ndarray:
    out = np.empty(values.shape, dtype=object)
    flat_in = values.ravel()
    flat_out = out.ravel()
    for k, v in enumerate(flat_in):
        flat_out[k] = _to_fraction(v)
    return out


def _default_names(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{k + 1}" for k in range(count))


class NormalFormGame:
    """A finite game in normal form with N players.

    Parameters
    ----------
    payoffs : sequence of array_like
        ``payoffs[p]`` is player ``p``'s payoff tensor of shape
        ``(n_0, ..., n_{N-1})``. An array of shape ``(N, n_0, ..., n_{N-1})``
        works too.
    player_names : sequence of str, optional
        One unique name per player (default ``"Player 1"``, ...).
    action_names : sequence of sequence of str, optional
        ``action_names[p]`` names player ``p``'s actions (default ``"a1"``, ...).
    title : str, optional
        A human-readable title (written to ``.nfg`` files).
    exact : bool, optional
        ``None`` (default): exact when every payoff is an integer or a
        ``Fraction``. ``True``: also convert floats exactly (their binary
        value). ``False``: float only.

    Raises
    ------
    ValueError
        If the tensors' shapes disagree, a player has no action, a payoff is
        NaN or infinite, or names are missing or duplicated.
    TypeError
        If a payoff is not a number.

    Examples
    --------
    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> game.shape, game.n_players, game.is_exact
    ((2, 2), 2, True)
    >>> game.pure_payoffs((1, 1))
    (1.0, 1.0)
    """

    def __init__(
        self,
        payoffs,
        *,
        player_names: Sequence[str] | None = None,
        action_names: Sequence[Sequence[str]] | None = None,
        title: str = "",
        exact: bool | None = None,
    ):
        if isinstance(payoffs, np.ndarray) and payoffs.dtype != object:
            tensors = [payoffs[p] for p in range(payoffs.shape[0])] if payoffs.ndim >= 2 else None
            if tensors is None:
                raise ValueError(
                    f"payoffs must be a sequence of N payoff tensors of N dimensions each; got an array of shape {payoffs.shape}"
                )
        else:
            try:
                tensors = list(payoffs)
            except TypeError:
                raise TypeError(f"payoffs must be a sequence of payoff tensors; got {type(payoffs).__name__}") from None
        n_players = len(tensors)
        if n_players == 0:
            raise ValueError("payoffs must hold at least one player's payoff tensor; got none")

        raw = []
        for p, tensor in enumerate(tensors):
            obj = np.asarray(tensor, dtype=object) if not isinstance(tensor, np.ndarray) else tensor
            if obj.ndim != n_players:
                raise ValueError(
                    f"payoffs[{p}] must have {n_players} dimensions (one per player); got shape {np.shape(obj)}"
                )
            if obj.dtype.kind in "USV" or (
                obj.dtype == object and not all(isinstance(v, numbers.Real) for v in obj.ravel())
            ):
                bad = next((v for v in obj.ravel() if not isinstance(v, numbers.Real)), obj.ravel()[0] if obj.size else None)
                raise TypeError(f"payoffs[{p}] must contain only real numbers; found {bad!r}")
            raw.append(obj)
        shape = tuple(int(k) for k in raw[0].shape)
        for p, obj in enumerate(raw):
            if tuple(obj.shape) != shape:
                raise ValueError(f"payoffs[{p}] must have shape {shape} like payoffs[0]; got {tuple(obj.shape)}")
        if any(k == 0 for k in shape):
            player = next(p for p, k in enumerate(shape) if k == 0)
            raise ValueError(f"every player needs at least one action; player {player} has none (shape {shape})")

        floats = tuple(as_finite_array(f"payoffs[{p}]", obj) for p, obj in enumerate(raw))
        for array in floats:
            array.setflags(write=False)

        if exact is None:
            exact = all(self._all_exact(obj) for obj in raw)
        elif exact not in (True, False):
            raise TypeError(f"exact must be True, False or None; got {exact!r}")
        self._payoffs = floats
        self._exact = tuple(_exact_array(np.asarray(obj, dtype=object)) for obj in raw) if exact else None
        self._shape = shape
        self._player_names = self._check_player_names(player_names, n_players)
        self._action_names = self._check_action_names(action_names, shape)
        if not isinstance(title, str):
            raise TypeError(f"title must be a string; got {type(title).__name__}")
        self.title = title

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_bimatrix(cls, A, B, **kwargs) -> "NormalFormGame":
        """Two-player game from the row player's ``A`` and the column player's ``B``.

        Examples
        --------
        >>> NormalFormGame.from_bimatrix([[1, 0]], [[0, 1]]).shape
        (1, 2)
        """
        A_obj, B_obj = np.asarray(A, dtype=object), np.asarray(B, dtype=object)
        if A_obj.ndim != 2:
            raise ValueError(f"A must be a 2-dimensional payoff matrix; got shape {A_obj.shape}")
        if B_obj.ndim != 2:
            raise ValueError(f"B must be a 2-dimensional payoff matrix; got shape {B_obj.shape}")
        if A_obj.shape != B_obj.shape:
            raise ValueError(f"A and B must have the same shape; got {A_obj.shape} and {B_obj.shape}")
        return cls([_keep_dtype(A), _keep_dtype(B)], **kwargs)

    @classmethod
    def zero_sum(cls, A, **kwargs) -> "NormalFormGame":
        """Two-player zero-sum game: the column player receives ``-A``.

        Examples
        --------
        >>> NormalFormGame.zero_sum([[1, -1], [-1, 1]]).pure_payoffs((0, 1))
        (-1.0, 1.0)
        """
        A_obj = np.asarray(A, dtype=object)
        if A_obj.ndim != 2:
            raise ValueError(f"A must be a 2-dimensional payoff matrix; got shape {A_obj.shape}")
        negated = np.vectorize(lambda v: -v, otypes=[object])(A_obj) if A_obj.size else A_obj
        return cls([_keep_dtype(A), negated], **kwargs)

    @classmethod
    def common_payoff(cls, U, n_players: int | None = None, **kwargs) -> "NormalFormGame":
        """Team game: every player receives ``U[a_0, ..., a_{N-1}]``.

        Examples
        --------
        >>> NormalFormGame.common_payoff([[2, 0], [0, 1]]).pure_payoffs((0, 0))
        (2.0, 2.0)
        """
        U_obj = np.asarray(U, dtype=object)
        players = U_obj.ndim if n_players is None else n_players
        if U_obj.ndim != players:
            raise ValueError(f"U must have one dimension per player ({players}); got shape {U_obj.shape}")
        return cls([_keep_dtype(U)] * players, **kwargs)

    # ------------------------------------------------------------------ attributes
    @property
    def payoffs(self) -> tuple[np.ndarray, ...]:
        """Read-only float64 payoff tensors, one per player."""
        return self._payoffs

    @property
    def exact_payoffs(self) -> tuple[np.ndarray, ...] | None:
        """Payoff tensors as object arrays of ``Fraction``, or None for a float game."""
        return self._exact

    @property
    def is_exact(self) -> bool:
        """True when payoffs are held exactly (integers / rationals)."""
        return self._exact is not None

    @property
    def shape(self) -> tuple[int, ...]:
        """Action counts ``(n_0, ..., n_{N-1})``."""
        return self._shape

    @property
    def n_players(self) -> int:
        """Number of players N."""
        return len(self._shape)

    @property
    def player_names(self) -> tuple[str, ...]:
        return self._player_names

    @property
    def action_names(self) -> tuple[tuple[str, ...], ...]:
        return self._action_names

    def bimatrix(self, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The pair ``(A, B)`` of a two-player game (float, or Fraction with ``exact=True``)."""
        self._require_players(2, "bimatrix")
        source = self._exact_or_raise() if exact else self._payoffs
        return source[0], source[1]

    def integer_payoffs(self) -> tuple[tuple[np.ndarray, int], ...]:
        """Per player, integer payoffs and their common denominator.

        ``payoffs[p] == integers / denominator`` exactly; the integer arrays
        hold Python ints (object dtype) so nothing overflows. Positive scaling
        does not change any equilibrium, so exact solvers work on these.

        Examples
        --------
        >>> from fractions import Fraction
        >>> g = NormalFormGame.from_bimatrix([[Fraction(1, 2), 1]], [[Fraction(1, 3), 0]])
        >>> [(ints.tolist(), d) for ints, d in g.integer_payoffs()]
        [([[1, 2]], 2), ([[1, 0]], 3)]
        """
        out = []
        for tensor in self._exact_or_raise():
            denominator = math.lcm(*(v.denominator for v in tensor.ravel()))
            ints = np.empty(tensor.shape, dtype=object)
            ints.ravel()[:] = [int(v * denominator) for v in tensor.ravel()]
            out.append((ints, int(denominator)))
        return tuple(out)

    # ------------------------------------------------------------------ evaluation
    def pure_payoffs(self, actions: Sequence[int], exact: bool = False) -> tuple:
        """Payoff of every player at the pure profile ``actions``."""
        index = self._check_pure(actions)
        source = self._exact_or_raise() if exact else self._payoffs
        return tuple(source[p][index] if exact else float(source[p][index]) for p in range(self.n_players))

    def expected_payoffs(self, profile, exact: bool | None = None) -> tuple:
        """Expected payoff of every player under a mixed profile.

        Parameters
        ----------
        profile : sequence of array_like
            One probability vector per player.
        exact : bool, optional
            Compute in ``Fraction`` (default: when the game and the profile are exact).

        Examples
        --------
        >>> g = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
        >>> g.expected_payoffs(([0.5, 0.5], [0.5, 0.5]))
        (0.0, 0.0)
        """
        strategies, exact = self._check_profile(profile, exact)
        return tuple(self._expected(p, strategies, exact) for p in range(self.n_players))

    def deviation_payoffs(self, profile, player: int, exact: bool | None = None) -> np.ndarray:
        """Player ``player``'s payoff for each of its pure actions against the others' strategies."""
        strategies, exact = self._check_profile(profile, exact)
        return self._action_values(player, strategies, exact)

    def regrets(self, profile, exact: bool | None = None) -> tuple:
        """Each player's gain from its best pure deviation (>= 0; 0 at a Nash equilibrium).

        Examples
        --------
        >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> g.regrets(([1, 0], [1, 0]))
        (Fraction(2, 1), Fraction(2, 1))
        """
        strategies, exact = self._check_profile(profile, exact)
        return self.payoffs_and_regrets(strategies, exact)[1]

    def payoffs_and_regrets(self, strategies, exact: bool) -> tuple[tuple, tuple]:
        """Expected payoffs and regrets of a profile in one pass, without validating it.

        For solvers' certificates: ``strategies`` must already be one probability
        vector per player (``Fraction`` object arrays when ``exact``); public
        callers use :meth:`expected_payoffs` and :meth:`regrets`.
        """
        if exact:
            return self._exact_payoffs_and_regrets(strategies)
        payoffs, regrets = [], []
        for p in range(self.n_players):
            values = self._action_values(p, strategies, exact)
            current, best = float(values @ strategies[p]), float(values.max())
            payoffs.append(current)
            regrets.append(best - current)
        return tuple(payoffs), tuple(regrets)

    def _exact_payoffs_and_regrets(self, strategies) -> tuple[tuple, tuple]:
        """Exact certificates in integers: payoffs ``ints / scale``, strategies ``numerators / d``.

        Contracting integer tensors with integer numerators avoids a ``Fraction`` (and its gcd) per product;
        int64 is used when no partial sum can reach 2**62, Python ints otherwise.
        """
        if getattr(self, "_integer_cache", None) is None:
            self._integer_cache = self.integer_payoffs()
        numerators, denominators = [], []
        for strategy in strategies:
            d = math.lcm(*(Fraction(v).denominator for v in strategy))
            numerators.append([int(Fraction(v) * d) for v in strategy])
            denominators.append(d)
        payoffs, regrets = [], []
        for p, (ints, scale) in enumerate(self._integer_cache):
            bound = max((abs(int(v)) for v in ints.ravel()), default=0)
            for q, nums in enumerate(numerators):
                bound *= max(1, sum(abs(v) for v in nums))
            dtype = np.int64 if bound < 2**62 else object
            tensor = ints.astype(dtype)
            for q in reversed(range(self.n_players)):
                if q != p:
                    tensor = np.tensordot(tensor, np.array(numerators[q], dtype=dtype), axes=([q], [0]))
            values = [int(v) for v in tensor]  # (n_p,) payoffs of p's actions times scale * prod_{q != p} d_q
            denominator = scale * math.prod(d for q, d in enumerate(denominators) if q != p)
            current = sum(v * n for v, n in zip(values, numerators[p]))
            payoffs.append(Fraction(current, denominator * denominators[p]))
            regrets.append(Fraction(max(values) * denominators[p] - current, denominator * denominators[p]))
        return tuple(payoffs), tuple(regrets)

    def max_regret(self, profile, exact: bool | None = None):
        """The largest regret over players: the Nash certificate of ``profile``."""
        return max(self.regrets(profile, exact))

    def is_nash(self, profile, tol: float = 1e-9) -> bool:
        """True when no player gains by deviating: regret 0 in an exact game, else within ``tol`` of its scale.

        ``tol`` is relative to each player's payoff scale, like every tolerance of the matrix solvers
        (:mod:`stackelberg.games._scale`): player ``p``'s regret may be at most ``tol * scale_p`` plus the
        rounding allowance of an expected payoff, so scaling a game's payoffs by ``1e12`` or ``1e-12`` changes no
        answer.

        Examples
        --------
        >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> g.is_nash(([0, 1], [0, 1])), g.is_nash(([1, 0], [1, 0]))
        (True, False)
        >>> a, b = 3.1e12, 7.3e12  # the mixed equilibrium's regret is rounding, 2.4e-4, far above 1e-9
        >>> big = NormalFormGame.from_bimatrix([[a, 0.0], [0.0, b]], [[b, 0.0], [0.0, a]])
        >>> profile = ([a / (a + b), b / (a + b)], [b / (a + b), a / (a + b)])
        >>> big.max_regret(profile) > 1e-9, big.is_nash(profile), big.is_nash(([1, 0], [0, 1]))
        (True, True, False)
        """
        tol = check_tol("tol", tol)
        strategies, exact = self._check_profile(profile, None)
        regrets = self.payoffs_and_regrets(strategies, exact)[1]
        if exact:
            return all(regret == 0 for regret in regrets)
        return all(regret <= allowance for regret, allowance in zip(regrets, regret_allowances(self, tol)))

    # ------------------------------------------------------------------ transformations
    def permute_players(self, order: Sequence[int]) -> "NormalFormGame":
        """The same game with players reordered: new player ``k`` is old player ``order[k]``.

        Examples
        --------
        >>> g = NormalFormGame.from_bimatrix([[1, 2]], [[3, 4]])
        >>> g.permute_players([1, 0]).bimatrix()[0].tolist()
        [[3.0], [4.0]]
        """
        order = [int(k) for k in order]
        if sorted(order) != list(range(self.n_players)):
            raise ValueError(f"order must be a permutation of 0..{self.n_players - 1}; got {order}")
        source = self._exact if self._exact is not None else self._payoffs
        tensors = [np.transpose(source[p], order) for p in order]
        return NormalFormGame(
            tensors,
            player_names=[self._player_names[p] for p in order],
            action_names=[self._action_names[p] for p in order],
            title=self.title,
            exact=self.is_exact,
        )

    def to_float(self) -> "NormalFormGame":
        """A float copy of this game (for float solvers and peers)."""
        return NormalFormGame(
            self._payoffs, player_names=self._player_names, action_names=self._action_names, title=self.title, exact=False
        )

    # ------------------------------------------------------------------ dunder
    def __repr__(self) -> str:
        kind = "exact" if self.is_exact else "float"
        title = f" {self.title!r}" if self.title else ""
        return f"<NormalFormGame{title} {'x'.join(map(str, self._shape))} ({self.n_players} players, {kind})>"

    def __eq__(self, other) -> bool:
        if not isinstance(other, NormalFormGame) or other.shape != self.shape:
            return False
        if self.is_exact and other.is_exact:
            return all(np.array_equal(a, b) for a, b in zip(self._exact, other._exact))
        return all(np.array_equal(a, b) for a, b in zip(self._payoffs, other._payoffs))

    __hash__ = None  # mutable title; games are compared by payoffs

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _all_exact(obj: np.ndarray) -> bool:
        if obj.dtype.kind in "iu":
            return True
        if obj.dtype == object:
            return all(is_exact_number(v) for v in obj.ravel())
        return False

    def _exact_or_raise(self):
        if self._exact is None:
            raise ValueError("this game has float payoffs; exact payoffs need integer or Fraction payoffs (or exact=True)")
        return self._exact

    def _require_players(self, n: int, what: str) -> None:
        if self.n_players != n:
            raise ValueError(f"{what} needs a {n}-player game; this game has {self.n_players} players")

    def _check_pure(self, actions) -> tuple[int, ...]:
        actions = tuple(actions)
        if len(actions) != self.n_players:
            raise ValueError(f"actions must name one action per player ({self.n_players}); got {len(actions)}")
        for p, a in enumerate(actions):
            if not isinstance(a, (int, np.integer)) or isinstance(a, (bool, np.bool_)) or not 0 <= a < self._shape[p]:
                raise ValueError(f"actions[{p}] must be an integer in [0, {self._shape[p]}); got {a!r}")
        return tuple(int(a) for a in actions)

    def _check_profile(self, profile, exact):
        profile = list(profile)
        if len(profile) != self.n_players:
            raise ValueError(f"profile must hold one strategy per player ({self.n_players}); got {len(profile)}")
        for p, s in enumerate(profile):
            check_probability_vector(f"profile[{p}]", s, self._shape[p])
        exact_input = self.is_exact and all(
            is_exact_number(v) for s in profile for v in np.asarray(s, dtype=object).ravel()
        )
        if exact is None:
            exact = exact_input
        if exact:
            self._exact_or_raise()
            return [np.array([_to_fraction(v) for v in np.asarray(s, dtype=object)], dtype=object) for s in profile], True
        return [np.asarray(s, dtype=float) for s in profile], False

    def _action_values(self, player: int, strategies, exact: bool) -> np.ndarray:
        tensor = self._exact[player] if exact else self._payoffs[player]
        # contract every other player's axis with its strategy, highest axis first
        for q in reversed(range(self.n_players)):
            if q != player:
                tensor = np.tensordot(tensor, strategies[q], axes=([q], [0]))
        return tensor

    def _expected(self, player: int, strategies, exact: bool):
        values = self._action_values(player, strategies, exact)
        if exact:
            return sum((values[a] * strategies[player][a] for a in range(len(values))), Fraction(0))
        return float(values @ strategies[player])

    @staticmethod
    def _check_player_names(names, n_players):
        if names is None:
            return _default_names("Player ", n_players)
        names = tuple(str(n) for n in names)
        if len(names) != n_players:
            raise ValueError(f"player_names must hold {n_players} names; got {len(names)}")
        if len(set(names)) != len(names):
            raise ValueError(f"player_names must be unique; got {list(names)}")
        return names

    @staticmethod
    def _check_action_names(names, shape):
        if names is None:
            return tuple(_default_names("a", k) for k in shape)
        names = [tuple(str(a) for a in player) for player in names]
        if len(names) != len(shape):
            raise ValueError(f"action_names must hold one list per player ({len(shape)}); got {len(names)}")
        for p, (labels, k) in enumerate(zip(names, shape)):
            if len(labels) != k:
                raise ValueError(f"action_names[{p}] must hold {k} names; got {len(labels)}")
            if len(set(labels)) != len(labels):
                raise ValueError(f"action_names[{p}] must be unique; got {list(labels)}")
        return tuple(names)


def _keep_dtype(values):
    """Pass numpy arrays through; turn nested lists into object arrays that keep ints and Fractions."""
    if isinstance(values, np.ndarray):
        return values
    return np.asarray(values, dtype=object)
