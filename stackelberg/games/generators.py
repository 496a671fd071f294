r"""Random games: normal-form (iid, correlated "cooperation level", integer) and Markov.

For a game with N players and action counts :math:`(n_0, \dots, n_{N-1})`,
every cell :math:`a` carries a payoff profile
:math:`u(a) = (u_0(a), \dots, u_{N-1}(a))`, drawn independently across cells.

* :func:`random_game`: every payoff iid standard normal.
* :func:`covariance_game`: :math:`u(a) \sim \mathcal N(0, \Sigma_\rho)` with unit
  variances and pairwise covariance :math:`\rho`,
  :math:`\Sigma_\rho = (1 - \rho) I + \rho \mathbf 1 \mathbf 1^\top`. This is
  the generator of the SE-vs-NE study of Bi-AC (Fig. 2), where :math:`\rho`
  is the cooperation level of the game: :math:`\rho = 1` gives a common-payoff
  game, :math:`\rho = -1` (two players) a zero-sum game.
  :math:`\Sigma_\rho` is positive semi-definite exactly when
  :math:`-1/(N-1) \le \rho \le 1`, singular at both ends.
* :func:`random_integer_game`: integer payoffs uniform on ``[low, high]``,
  exact, for property tests and benchmarks.
* :func:`random_markov_game`: a discounted Markov game whose every (state,
  joint action) moves to ``successors`` random states with Dirichlet(1)
  probabilities, rewards iid standard normal (dense or CSR transitions).

Sampling :math:`\mathcal N(0, \Sigma_\rho)` uses the symmetric square root
:math:`\Sigma_\rho^{1/2} = \sqrt{1 + (N-1)\rho}\, \tfrac1N \mathbf 1 \mathbf 1^\top
+ \sqrt{1 - \rho}\, (I - \tfrac1N \mathbf 1 \mathbf 1^\top)` written with a
common factor and orthonormal contrasts:

.. math::

    u(a) = \sqrt{\tfrac{1 + (N-1)\rho}{N}}\; w(a)\, \mathbf 1
         + \sqrt{1 - \rho}\; H^\top z(a),

with :math:`w(a) \sim \mathcal N(0, 1)`, :math:`z(a) \sim \mathcal N(0, I_{N-1})`
and :math:`H` the :math:`(N-1) \times N` Helmert contrasts (orthonormal rows
orthogonal to :math:`\mathbf 1`, so :math:`H^\top H = I - \tfrac1N \mathbf 1 \mathbf 1^\top`).
It needs no factorisation of a singular matrix: at :math:`\rho = 1` the second
term vanishes and all players get the same payoff exactly; at
:math:`\rho = -1/(N-1)` the first term vanishes and the profile sums to zero
(for two players ``B == -A`` exactly, since :math:`H = (1, -1)/\sqrt 2`).

Randomness only through ``seed``: an int, None, or a
:class:`numpy.random.Generator`; the same seed gives the same game.

References
----------
.. [1] H. Zhang et al., "Bi-level Actor-Critic for Multi-agent Coordination",
   AAAI 2020, Fig. 2 and its supplement (random games with covariance rho).
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np

from .._validation import check_positive_int
from .markov import MarkovGame
from .normal_form import NormalFormGame

__all__ = ["random_game", "covariance_game", "random_integer_game", "random_markov_game"]


def _check_shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (numbers.Integral,)) and not isinstance(shape, (bool, np.bool_)):
        n = check_positive_int("shape", shape)
        return (n, n)
    if not isinstance(shape, (tuple, list)) or not shape:
        raise TypeError(f"shape must be an int n (meaning (n, n)) or a non-empty tuple of action counts; got {shape!r}")
    return tuple(check_positive_int(f"shape[{p}]", k) for p, k in enumerate(shape))


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_))):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a non-negative integer; got {seed}")
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, None or a numpy.random.Generator; got {type(seed).__name__}")


def random_game(shape, seed=None) -> NormalFormGame:
    """A game whose payoffs are iid standard normal.

    Parameters
    ----------
    shape : int or tuple of int
        Action counts ``(n_0, ..., n_{N-1})`` of the N players, or an int n
        meaning ``(n, n)``.
    seed : int, None or numpy.random.Generator
        Source of randomness; the same seed gives the same game.

    Returns
    -------
    NormalFormGame
        A float game.

    Raises
    ------
    TypeError
        If ``shape`` or ``seed`` has the wrong type.
    ValueError
        If an action count is below 1 or ``seed`` is negative.

    Examples
    --------
    >>> game = random_game((2, 3, 4), seed=0)
    >>> game.shape, game.is_exact
    ((2, 3, 4), False)
    >>> random_game(3, seed=1) == random_game((3, 3), seed=1)
    True
    """
    shape = _check_shape(shape)
    payoffs = _rng(seed).standard_normal((len(shape), *shape))
    return NormalFormGame(payoffs, title=f"random game {'x'.join(map(str, shape))}")


_RHO_SLACK = 1e-12


def _helmert(n_players: int) -> np.ndarray:
    """The (N-1) x N Helmert contrasts: orthonormal rows, each orthogonal to the all-ones vector."""
    H = np.zeros((n_players - 1, n_players))
    for k in range(1, n_players):
        H[k - 1, :k] = 1.0
        H[k - 1, k] = -k
        H[k - 1] /= np.sqrt(k * (k + 1))
    return H


def covariance_game(shape, rho, seed=None) -> NormalFormGame:
    """A game whose cells' payoff profiles are normal with unit variances and pairwise covariance ``rho``.

    Parameters
    ----------
    shape : int or tuple of int
        Action counts of the N >= 2 players, or an int n meaning ``(n, n)``.
    rho : float
        The covariance (= correlation) between any two players' payoffs in a
        cell, in ``[-1/(N-1), 1]`` (both ends included; values below the lower
        end by at most 1e-12, such as ``-1 / 5`` in floating point, count as
        the lower end): 1 gives a
        common-payoff game, -1 with two players a zero-sum game.
    seed : int, None or numpy.random.Generator
        Source of randomness; the same seed gives the same game.

    Returns
    -------
    NormalFormGame
        A float game.

    Raises
    ------
    TypeError
        If ``shape``, ``rho`` or ``seed`` has the wrong type.
    ValueError
        If the game has fewer than two players, an action count is below 1,
        ``rho`` is outside ``[-1/(N-1), 1]`` or ``seed`` is negative.

    Examples
    --------
    >>> A, B = covariance_game(4, -1.0, seed=0).bimatrix()
    >>> bool((B == -A).all())
    True
    >>> payoffs = covariance_game((2, 2, 2), 1.0, seed=0).payoffs
    >>> bool((payoffs[0] == payoffs[2]).all())
    True
    >>> covariance_game(4, -0.6, seed=0).shape
    (4, 4)
    >>> covariance_game((2, 2, 2), -0.6)
    Traceback (most recent call last):
    ...
    ValueError: rho must lie in [-1/(N-1), 1] = [-1/2, 1] for N = 3 players (otherwise no covariance matrix exists); got -0.6
    """
    shape = _check_shape(shape)
    n_players = len(shape)
    if n_players < 2:
        raise ValueError(f"covariance_game needs at least two players (rho is a covariance between players); got shape {shape}")
    if isinstance(rho, (bool, np.bool_)) or not isinstance(rho, numbers.Real):
        raise TypeError(f"rho must be a real number; got {rho!r}")
    lowest = Fraction(-1, n_players - 1)
    # 1e-12 of slack accepts the lower end computed in floating point, e.g. -1 / 5 < Fraction(-1, 5)
    if not np.isfinite(float(rho)) or not lowest - _RHO_SLACK <= rho <= 1:
        raise ValueError(
            f"rho must lie in [-1/(N-1), 1] = [{lowest}, 1] for N = {n_players} players "
            f"(otherwise no covariance matrix exists); got {rho!r}"
        )
    rho = max(float(rho), float(lowest))
    rng = _rng(seed)
    common = rng.standard_normal(shape)
    contrasts = rng.standard_normal((n_players - 1, *shape))
    common_scale = np.sqrt(max(0.0, (1.0 + (n_players - 1) * rho) / n_players))
    contrast_scale = np.sqrt(1.0 - rho)
    individual = np.tensordot(_helmert(n_players) * contrast_scale, contrasts, axes=([0], [0]))
    payoffs = common_scale * common + individual  # broadcast the common factor over players
    return NormalFormGame(payoffs, title=f"covariance game {'x'.join(map(str, shape))} (rho={rho:g})")


def random_integer_game(shape, low, high, seed=None) -> NormalFormGame:
    """A game whose payoffs are iid integers, uniform on ``[low, high]`` (both included).

    Parameters
    ----------
    shape : int or tuple of int
        Action counts ``(n_0, ..., n_{N-1})``, or an int n meaning ``(n, n)``.
    low, high : int
        The smallest and largest payoff, ``low <= high``.
    seed : int, None or numpy.random.Generator
        Source of randomness; the same seed gives the same game.

    Returns
    -------
    NormalFormGame
        An exact game (integer payoffs).

    Raises
    ------
    TypeError
        If ``shape``, ``low``, ``high`` or ``seed`` has the wrong type.
    ValueError
        If an action count is below 1, ``low > high`` or ``seed`` is negative.

    Examples
    --------
    >>> game = random_integer_game((2, 3), -10, 10, seed=0)
    >>> game.is_exact, int(game.payoffs[0].min()) >= -10
    (True, True)
    """
    shape = _check_shape(shape)
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer; got {value!r}")
    if low > high:
        raise ValueError(f"low must be <= high; got low={low}, high={high}")
    payoffs = _rng(seed).integers(int(low), int(high), size=(len(shape), *shape), endpoint=True)
    return NormalFormGame(payoffs, title=f"random integer game {'x'.join(map(str, shape))} in [{low}, {high}]")


def random_markov_game(n_states, action_shape=(2, 2), *, successors=2, gamma=0.9, sparse=False,
                       seed=None) -> MarkovGame:
    """A discounted Markov game with sparse random transitions and iid standard normal rewards.

    Every (state, joint action) pair moves to ``successors`` distinct states drawn uniformly, with probabilities
    drawn from a flat Dirichlet; every player's reward for every (state, joint action) is iid standard normal.
    The game starts in state 0.

    Parameters
    ----------
    n_states : int
        Number of states, at least 1.
    action_shape : int or tuple of int
        Action counts of the players (an int ``n`` means ``(n, n)``).
    successors : int
        Successor states of each (state, joint action), at most ``n_states``.
    gamma : float
        Discount factor in ``[0, 1)``.
    sparse : bool
        Store the transitions as a CSR array (else dense).
    seed : int, None or numpy.random.Generator
        Source of randomness; the same seed gives the same game.

    Returns
    -------
    MarkovGame

    Raises
    ------
    TypeError, ValueError
        For a non-integer or non-positive size, ``successors > n_states``, a bad ``gamma`` or ``seed``.

    Examples
    --------
    >>> game = random_markov_game(4, (2, 3), seed=0)
    >>> game.n_states, game.action_shape, game.rewards.shape
    (4, (2, 3), (2, 4, 6))
    >>> int((game.transition_matrix() > 0).sum(axis=2).max())
    2
    >>> random_markov_game(4, (2, 3), seed=0, sparse=True).transition_matrix(format="csr").nnz
    48
    """
    n_states = check_positive_int("n_states", n_states)
    action_shape = _check_shape(action_shape)
    successors = check_positive_int("successors", successors)
    if successors > n_states:
        raise ValueError(f"successors must be at most n_states = {n_states}; got {successors}")
    rng = _rng(seed)
    n_joint = int(np.prod(action_shape))
    rows = n_states * n_joint
    columns = np.argsort(rng.random((rows, n_states)), axis=1)[:, :successors]
    weights = rng.dirichlet(np.ones(successors), size=rows)
    P = np.zeros((rows, n_states))
    np.put_along_axis(P, columns, weights, axis=1)
    rewards = rng.standard_normal((len(action_shape), n_states, n_joint))
    transitions = P.reshape(n_states, n_joint, n_states)
    if sparse:
        import scipy.sparse as sps

        transitions = sps.csr_array(P)
    return MarkovGame(transitions, rewards, gamma=gamma, action_shape=action_shape)
