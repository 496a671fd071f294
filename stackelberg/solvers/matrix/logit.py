r"""The logit quantal response equilibrium correspondence of an N-player game, traced by predictor-corrector.

A profile :math:`\sigma` is a logit quantal response equilibrium (QRE) at precision :math:`\lambda \ge 0`
(McKelvey and Palfrey 1995) when every player logit-responds to the others,

.. math:: \sigma_p(a) = \frac{\exp(\lambda u_p(a, \sigma_{-p}))}{\sum_b \exp(\lambda u_p(b, \sigma_{-p}))} .

At :math:`\lambda = 0` the only QRE is the uniform profile; for a generic game the QRE containing it form a smooth
curve (the *principal branch*) that converges, as :math:`\lambda \to \infty`, to a Nash equilibrium (the logit
solution). In log-probabilities :math:`w_p(a) = \log \sigma_p(a)` the curve is the zero set of

.. math::

    H(w, \lambda) = \Big( \sum_a e^{w_p(a)} - 1, \;\;
    w_p(a) - w_p(a_0) - \lambda \, [u_p(a, \sigma_{-p}) - u_p(a_0, \sigma_{-p})] \Big)_{p,\, a \ne a_0},

:math:`D` equations in :math:`D + 1` unknowns (:math:`D = \sum_p n_p`). :func:`logit_equilibrium` follows it
by arclength, as Gambit's ``logit`` does: an Euler predictor along the unit tangent (the null vector of
:math:`DH`, oriented so that :math:`\det [DH; t]` keeps its sign, which carries the trace through turning
points of :math:`\lambda`), then Newton corrector steps with the Moore-Penrose pseudo-inverse;
the step grows by ``max_accel`` after an easy correction and halves after a hard one or a sharp turn. Payoffs
are scaled by :math:`\max(1, \max|u|)` inside, and every reported :math:`\lambda` is in the game's own units.

With ``lam=None`` the trace stops once the QRE is close to a Nash equilibrium (regret below 1e-3 of the payoff
scale): its support (probabilities above ``support_threshold``) is solved for the exact indifference point by
Newton's method, which must lie within 0.01 of the QRE and have regret at most ``tol`` times the payoff scale;
that equilibrium is certified (and returned exact when rational for exact
games).

References
----------
.. [1] R. D. McKelvey and T. R. Palfrey, "Quantal response equilibria for normal form games", Games and Economic
   Behavior 10, 6-38, 1995.
.. [2] T. L. Turocy, "A dynamic homotopy interpretation of the logistic quantal response equilibrium
   correspondence", Games and Economic Behavior 51, 243-263, 2005.
.. [3] E. L. Allgower and K. Georg, *Introduction to Numerical Continuation Methods*, SIAM, 2003.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..._validation import check_positive, check_positive_int, check_real
from ...errors import IterationLimitError
from ...games.normal_form import NormalFormGame
from ._arguments import check_exact, check_game, check_solver_tol
from .polynomial_nash import _regrets
from .results import Equilibrium, certify_equilibrium

__all__ = ["LogitSolution", "logit_equilibrium"]


@dataclass(frozen=True, kw_only=True)
class LogitSolution:
    """The end of a traced logit QRE branch, and the branch itself.

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        The QRE at ``lam`` (``lam`` given), or the limiting Nash equilibrium (``lam=None``).
    lam : float
        The precision of the last QRE on the path (in the game's payoff units).
    equilibrium : Equilibrium or None
        With ``lam=None``: the certified limiting Nash equilibrium (exact when rational for an exact game).
    path_lambdas : numpy.ndarray
        ``(steps,)``: the precision at every accepted step, starting at 0.
    path_profiles : numpy.ndarray
        ``(steps, sum(game.shape))``: the QRE at every accepted step, players' strategies concatenated.
    max_regret : float
        The regret of ``strategies`` (positive for a QRE at finite ``lam``).
    steps : int
        Predictor-corrector steps taken (accepted or not).
    """

    strategies: tuple
    lam: float
    equilibrium: Equilibrium | None
    path_lambdas: np.ndarray
    path_profiles: np.ndarray
    max_regret: float
    steps: int
    parameters: dict = field(default_factory=dict, compare=False, repr=False)

    def path_strategies(self, player: int) -> np.ndarray:
        """``(steps, n_player)``: one player's QRE strategy along the path (for plotting against ``path_lambdas``)."""
        sizes = self.parameters["shape"]
        start = sum(sizes[:player])
        return self.path_profiles[:, start:start + sizes[player]]


def logit_equilibrium(
    game: NormalFormGame,
    lam: float | None = None,
    *,
    exact: bool | None = None,
    tol: float = 1e-9,
    first_step: float = 0.03,
    max_accel: float = 1.5,
    max_steps: int = 20_000,
    support_threshold: float = 1e-4,
) -> LogitSolution:
    """Trace the principal branch of the logit QRE correspondence (see the module).

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    lam : float, optional
        Stop at this precision and return the QRE there. ``None`` (default): follow the branch to its limiting
        Nash equilibrium.
    exact : bool, optional
        For ``lam=None`` on an exact game: return the limiting equilibrium in ``Fraction`` when it is rational
        (default ``None``: try). ``False``: float.
    tol : float
        Largest regret of the limiting equilibrium, relative to the payoff scale; must be positive.
    first_step : float
        The first arclength step (payoffs scaled to [-1, 1]).
    max_accel : float
        Factor (> 1) by which an easy step grows the next one.
    max_steps : int
        Budget of predictor-corrector steps.
    support_threshold : float
        Probabilities above it make up the support tried for the limiting equilibrium.

    Returns
    -------
    LogitSolution

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or value.
    IterationLimitError
        If the branch needs more than ``max_steps`` steps.

    Examples
    --------
    Matching pennies with a bonus: the logit solution selects one of the game's equilibria, and the path starts at
    the uniform profile.

    >>> import stackelberg as sb
    >>> game = sb.NormalFormGame.from_bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    >>> solution = logit_equilibrium(game)
    >>> [[str(v) for v in s] for s in solution.equilibrium.strategies]
    [['1/2', '1/2'], ['1/10', '9/10']]
    >>> solution.path_profiles[0].tolist(), float(solution.path_lambdas[0])
    ([0.5, 0.5, 0.5, 0.5], 0.0)
    >>> qre = logit_equilibrium(game, lam=1.0)
    >>> round(qre.lam, 12), [round(float(v), 4) for v in qre.strategies[1]]
    (1.0, [0.3128, 0.6872])
    """
    check_game(game)
    if lam is not None:
        lam = check_real("lam", lam, low=0.0)
    want_exact = check_exact(game, exact) if exact is not None else game.is_exact
    tol = check_solver_tol(tol, False, "the limiting equilibrium", "Newton leaves tiny regrets")
    first_step = check_positive("first_step", first_step)
    max_accel = check_real("max_accel", max_accel, low=1.0)
    max_steps = check_positive_int("max_steps", max_steps)
    support_threshold = check_real("support_threshold", support_threshold, low=0.0, high=1.0)
    scale = max(1.0, max(float(np.abs(t).max()) for t in game.payoffs))
    branch = _Branch(tuple(t / scale for t in game.payoffs))
    target = None if lam is None else lam * scale
    y = np.concatenate([np.concatenate([np.full(n, -np.log(n)) for n in game.shape]), [0.0]])
    tangent = branch.tangent(y)
    if tangent[-1] < 0:
        tangent = -tangent
    orientation = branch.orientation(y, tangent)  # kept along the branch, through its turning points
    lambdas, profiles = [0.0], [branch.probabilities(y)]
    h, steps, equilibrium = first_step, 0, None
    while True:
        steps += 1
        if steps > max_steps:
            raise IterationLimitError(f"the logit branch needed more than max_steps = {max_steps} steps",
                                      budget="max_steps")
        corrected, iterations = branch.correct(y + h * tangent)
        if corrected is None:
            h /= 2
            if h < 1e-12:
                raise IterationLimitError("the logit branch could not be continued (a bifurcation or a turning "
                                          "point too sharp for the step control)", budget="max_steps")
            continue
        new_tangent = branch.tangent(corrected)
        if branch.orientation(corrected, new_tangent) != orientation:
            new_tangent = -new_tangent
        if new_tangent @ tangent < 0.9 and h > 1e-8:  # a sharp turn or a jump to another branch: a smaller step
            h /= 2
            continue
        if target is not None and corrected[-1] >= target:  # crossed lam: land on it
            landed = branch.at_lambda(y, corrected, target)
            if landed is not None:
                corrected = landed
                lambdas.append(target / scale)
                profiles.append(branch.probabilities(corrected))
                break
            h /= 2
            continue
        y, tangent = corrected, new_tangent
        lambdas.append(y[-1] / scale)
        profiles.append(branch.probabilities(y))
        h = h * max_accel if iterations <= 3 else h
        if target is None and branch.regret(y) < 1e-3:
            found = branch.limit(y, support_threshold, tol)
            if found is not None:
                equilibrium = found
                break
    if target is not None:
        strategies = branch.split(branch.probabilities(corrected))
        regret = max(_regrets(game.payoffs, strategies))
        return LogitSolution(strategies=strategies, lam=float(target / scale), equilibrium=None,
                             path_lambdas=np.array(lambdas), path_profiles=np.array(profiles),
                             max_regret=float(regret), steps=steps, parameters={"shape": game.shape})
    from .polynomial_nash import _rationalise

    result = None
    if want_exact:
        rational = _rationalise(game, equilibrium, 10**6, 1e-8)
        if rational is not None:
            result = certify_equilibrium(game, rational, exact=True, tol=0.0, method="logit",
                                         parameters={"lam": float(y[-1] / scale)})
    if result is None:
        result = certify_equilibrium(game, equilibrium, exact=False, tol=tol * scale, method="logit",
                                     parameters={"lam": float(y[-1] / scale)})
    return LogitSolution(strategies=result.strategies, lam=float(y[-1] / scale), equilibrium=result,
                         path_lambdas=np.array(lambdas), path_profiles=np.array(profiles),
                         max_regret=float(result.max_regret), steps=steps, parameters={"shape": game.shape})


class _Branch:
    """H(w, lambda) of a game with scaled payoffs, its Jacobian, and the corrector."""

    def __init__(self, payoffs):
        self.payoffs = payoffs
        self.shape = payoffs[0].shape
        self.n = len(self.shape)
        self.offsets = np.cumsum([0] + list(self.shape))
        self.D = int(self.offsets[-1])

    def split(self, flat):
        return tuple(flat[self.offsets[p]:self.offsets[p + 1]] for p in range(self.n))

    def probabilities(self, y):
        return np.exp(y[:-1])

    def _values(self, sigma):
        """values[p][a] = u_p(a, sigma_-p) and cross[p][q][a, b] = u_p(a, b, sigma_-pq)."""
        values, cross = [], []
        for p, tensor in enumerate(self.payoffs):
            pair = {}
            for q in range(self.n):
                if q == p:
                    continue
                t = tensor
                for r in reversed(range(self.n)):
                    if r not in (p, q):
                        t = np.tensordot(t, sigma[r], axes=([r], [0]))
                pair[q] = t if p < q else t.T  # (n_p, n_q)
            q0 = next(iter(pair))
            values.append(pair[q0] @ sigma[q0])
            cross.append(pair)
        return values, cross

    def residual_and_jacobian(self, y):
        w, lam = y[:-1], y[-1]
        sigma = self.split(np.exp(w))
        values, cross = self._values(sigma)
        H = np.zeros(self.D)
        J = np.zeros((self.D, self.D + 1))
        for p in range(self.n):
            o = self.offsets[p]
            n = self.shape[p]
            H[o] = sigma[p].sum() - 1.0
            J[o, o:o + n] = sigma[p]
            du = values[p][1:] - values[p][0]
            H[o + 1:o + n] = w[o + 1:o + n] - w[o] - lam * du
            J[o + 1:o + n, o + 1:o + n] = np.eye(n - 1)
            J[o + 1:o + n, o] = -1.0
            J[o + 1:o + n, -1] = -du
            for q, table in cross[p].items():
                oq = self.offsets[q]
                d = (table[1:] - table[:1]) * sigma[q][None, :]  # d du / d w_q = d du / d sigma_q * sigma_q
                J[o + 1:o + n, oq:oq + self.shape[q]] = -lam * d
        return H, J

    def tangent(self, y):
        _, J = self.residual_and_jacobian(y)
        t = np.linalg.svd(J)[2][-1]
        return t / np.linalg.norm(t)

    def orientation(self, y, tangent) -> float:
        """The sign of det([DH(y); tangent]): constant along a regular branch (Allgower and Georg, ch. 2)."""
        _, J = self.residual_and_jacobian(y)
        return float(np.sign(np.linalg.det(np.vstack([J, tangent]))))

    def correct(self, y, iterations: int = 8):
        for k in range(iterations):
            H, J = self.residual_and_jacobian(y)
            if np.abs(H).max() < 1e-11:
                return y, k
            step = np.linalg.lstsq(J, H, rcond=None)[0]
            if not np.isfinite(step).all() or np.abs(step).max() > 1.0:
                return None, k
            y = y - step
        H, _ = self.residual_and_jacobian(y)
        return (y, iterations) if np.abs(H).max() < 1e-11 else (None, iterations)

    def at_lambda(self, before, after, target):
        """Newton at fixed lambda = target from the chord between two path points."""
        t = (target - before[-1]) / (after[-1] - before[-1])
        y = before + t * (after - before)
        y[-1] = target
        for _ in range(30):
            H, J = self.residual_and_jacobian(y)
            if np.abs(H).max() < 1e-12:
                return y
            try:
                step = np.linalg.solve(J[:, :-1], H)
            except np.linalg.LinAlgError:
                return None
            y[:-1] -= step
        return y if np.abs(self.residual_and_jacobian(y)[0]).max() < 1e-10 else None

    def regret(self, y):
        return max(_regrets(self.payoffs, self.split(self.probabilities(y))))

    def limit(self, y, threshold, tol):
        """The Nash equilibrium on the support of the QRE ``y``, by Newton's method, or None."""
        from .polynomial_nash import _System

        sigma = self.split(self.probabilities(y))
        profile = tuple(tuple(int(a) for a in np.argsort(-s) if s[a] > threshold) for s in sigma)
        system = _System(self.payoffs, profile)
        z = np.concatenate([s[list(support[1:])] / s[list(support)].sum() for s, support in zip(sigma, profile)])
        if system.d:
            z = system._gauss_newton(z)
            if z is None:
                return None
        strategies = system.strategies(z)
        if strategies is None or max(_regrets(self.payoffs, strategies)) > tol:
            return None
        if max(np.abs(a - b).max() for a, b in zip(strategies, sigma)) > 1e-2:  # another equilibrium: go on
            return None
        return strategies
