r"""Vector fields and convergence of exact LIO in repeated 2x2 matrix games.

Two studies of the exact dynamics of :mod:`stackelberg.solvers.incentives.lio` (Yang 2021, Section 5.2.2
and App. B.2):

* :func:`lio_vector_field` -- the field of Fig. 5.2 and Fig. B.1: one exact LIO iteration
  moves the recipient's probability of action 0 (:math:`\theta^2`, vertical axis) and the
  giver's incentive for one of the recipient's actions (:math:`\eta^1_C` or :math:`\eta^1_D`,
  horizontal axis) while the incentive for the other action is held fixed per panel. The giver
  is player 0 (the thesis's agent 1) and the recipient player 1 (agent 2).
* :func:`lio_convergence_study` -- trajectories from a regular grid of initial conditions
  (both policies and both incentive vectors), with the fraction of runs that end at each pure
  outcome and each giver's final *cooperation margin*: the smallest advantage, over the other
  player's actions, of the recipient's action 0 under the incentives,
  :math:`\min_a [R^q(a, 0) - R^q(a, 1)] + \eta_0 - \eta_1`. In the Prisoner's Dilemma this is
  :math:`\eta_C - \eta_D - 1`, positive exactly when cooperation dominates for the recipient
  (Table B.1), which is how the thesis proves Proposition 3.

References
----------
J. Yang, *Cooperation in Multi-Agent Reinforcement Learning*, PhD thesis, 2021, Prop. 3,
Figs. 5.2 and B.1.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .._validation import as_finite_array, check_positive_int, check_real, check_tol
from ..solvers.incentives.lio import _check_game, lio_step, lio_trajectory

__all__ = ["VectorField", "lio_vector_field", "ConvergenceStudy", "lio_convergence_study", "cooperation_margin"]

_OUTCOMES = ("00", "01", "10", "11")


def _check_2x2(game):
    A, B = _check_game(game)
    if game.shape != (2, 2):
        raise ValueError(f"game must be a 2x2 game for this study; got shape {game.shape}")
    return A, B


def _dynamics(gamma, alpha, beta, cost, learners, incentive_bounds) -> dict:
    """The LIO settings both studies pass on to :mod:`stackelberg.solvers.incentives.lio` (which validates them)."""
    return dict(gamma=gamma, alpha=alpha, beta=beta, cost=cost, learners=learners, incentive_bounds=incentive_bounds)


def _check_grid(name: str, grid, low=None, high=None) -> np.ndarray:
    array = as_finite_array(name, grid, ndim=1)
    if array.size < 2:
        raise ValueError(f"{name} must hold at least 2 values; got {array.size}")
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    if (low is not None and array[0] < low) or (high is not None and array[-1] > high):
        raise ValueError(f"{name} must lie in [{low}, {high}]; got [{array[0]}, {array[-1]}]")
    return array


def cooperation_margin(game, eta, recipient: int = 1) -> np.ndarray:
    r"""How much action 0 dominates action 1 for ``recipient`` once it receives incentive ``eta``.

    .. math:: m = \min_{a} \big[R^q(a, 0) - R^q(a, 1)\big] + \eta_0 - \eta_1,

    with :math:`a` the other player's action. :math:`m > 0` makes action 0 strictly dominant;
    in the Prisoner's Dilemma :math:`m = \eta_C - \eta_D - 1` (App. B.2).

    Parameters
    ----------
    game : NormalFormGame
        A 2x2 game.
    eta : array_like
        The incentive paid to ``recipient`` per action of the recipient (trailing axis 2).
    recipient : int
        0 or 1.

    Returns
    -------
    numpy.ndarray
        The margin (shape of ``eta`` without its trailing axis).

    Raises
    ------
    TypeError, ValueError
        On a non-2x2 game, a malformed ``eta`` or ``recipient``.

    Examples
    --------
    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> float(cooperation_margin(pd, [2.5, 0.5]))
    1.0
    """
    A, B = _check_2x2(game)
    if recipient not in (0, 1) or isinstance(recipient, bool):
        raise ValueError(f"recipient must be 0 or 1; got {recipient!r}")
    eta = as_finite_array("eta", eta)
    if eta.shape[-1:] != (2,):
        raise ValueError(f"eta must have a trailing axis of length 2; got shape {eta.shape}")
    own = B if recipient == 1 else A.T  # own[a_other, a_own]
    return np.min(own[:, 0] - own[:, 1]) + eta[..., 0] - eta[..., 1]


@dataclass(frozen=True)
class VectorField:
    """One exact LIO iteration's displacement on a grid (Figs. 5.2, B.1).

    Attributes
    ----------
    incentive : numpy.ndarray
        Horizontal grid: the giver's incentive for recipient action ``incentive_action``.
    theta : numpy.ndarray
        Vertical grid: the recipient's probability of action 0.
    d_incentive, d_theta : numpy.ndarray
        Shape ``(len(theta), len(incentive))``: change of each coordinate in one iteration.
    incentive_action : int
        Which incentive is on the horizontal axis (0 = for C, 1 = for D).
    fixed_incentive : float
        The incentive for the other action, held fixed.
    parameters : dict
        Every other parameter of the dynamics (gamma, alpha, beta, cost, giver_theta, ...).
    """

    incentive: np.ndarray
    theta: np.ndarray
    d_incentive: np.ndarray
    d_theta: np.ndarray
    incentive_action: int
    fixed_incentive: float
    parameters: dict


def lio_vector_field(game, *, incentive_action: int = 0, fixed_incentive: float = 0.0, incentive_grid=None,
                     theta_grid=None, giver_theta: float = 0.5, recipient_incentive=(0.0, 0.0), gamma: float = 0.9,
                     alpha: float = 0.01, beta: float = 0.01, cost: float = 0.0, learners=("lio", "lio"),
                     incentive_bounds=(0.0, 3.0)) -> VectorField:
    r"""The exact LIO vector field of Fig. 5.2 (``incentive_action=0``) / Fig. B.1.

    At every grid point :math:`(\eta^1_a, \theta^2)` the other coordinates are fixed
    (:math:`\eta^1_{1-a}` = ``fixed_incentive``, the giver's :math:`\theta^1` = ``giver_theta``,
    the incentive the recipient pays the giver = ``recipient_incentive``) and one exact
    :func:`~stackelberg.solvers.incentives.lio.lio_step` gives the displacement. In the Prisoner's Dilemma
    :math:`\Delta\theta^2 = \frac{\alpha}{1-\gamma}(\eta_C - \eta_D - 1)` (clipped to [0, 1])
    and, without cost, :math:`\Delta\eta_C = -\Delta\eta_D = \frac{2\beta\alpha}{(1-\gamma)^2}`
    (clipped to ``incentive_bounds``), so the field bends upward as :math:`\eta_C` grows.

    Parameters
    ----------
    game : NormalFormGame
        A 2x2 game (player 0 gives, player 1 receives).
    incentive_action : int
        0: horizontal axis is the incentive for action 0 (C); 1: for action 1 (D).
    fixed_incentive : float
        The incentive for the other action.
    incentive_grid : array_like, optional
        Horizontal grid (default 13 points over ``incentive_bounds`` or [0, 3]).
    theta_grid : array_like, optional
        Vertical grid in [0, 1] (default 11 points).
    giver_theta : float
        The giver's probability of action 0 (irrelevant for the Prisoner's Dilemma).
    recipient_incentive : pair of float
        Incentive the recipient pays the giver per giver action.
    gamma, alpha, beta, cost, learners, incentive_bounds
        As in :func:`~stackelberg.solvers.incentives.lio.lio_step`; ``learners[0]`` must be ``"lio"``.

    Returns
    -------
    VectorField

    Raises
    ------
    TypeError, ValueError
        On malformed input, or if player 0 does not give incentives.

    Examples
    --------
    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> field = lio_vector_field(pd, incentive_grid=[0.0, 3.0], theta_grid=[0.5, 0.6])
    >>> field.d_theta.round(3).tolist(), field.d_incentive.round(3).tolist()
    ([[-0.1, 0.2], [-0.1, 0.2]], [[0.02, 0.0], [0.02, 0.0]])
    """
    _check_2x2(game)
    if incentive_action not in (0, 1) or isinstance(incentive_action, bool):
        raise ValueError(f"incentive_action must be 0 (cooperation) or 1 (defection); got {incentive_action!r}")
    if tuple(learners)[0] != "lio":
        raise ValueError(f"learners[0] must be 'lio': player 0 is the giver of the field; got {learners!r}")
    fixed_incentive = check_real("fixed_incentive", fixed_incentive)
    giver_theta = check_real("giver_theta", giver_theta)
    span = (0.0, 3.0) if incentive_bounds is None else incentive_bounds
    incentive = _check_grid(
        "incentive_grid", np.linspace(span[0], span[1], 13) if incentive_grid is None else incentive_grid
    )
    theta = _check_grid("theta_grid", np.linspace(0.0, 1.0, 11) if theta_grid is None else theta_grid, 0.0, 1.0)
    grid_eta, grid_theta = np.meshgrid(incentive, theta)  # shape (len(theta), len(incentive))
    eta_giver = np.empty(grid_eta.shape + (2,))
    eta_giver[..., incentive_action] = grid_eta
    eta_giver[..., 1 - incentive_action] = fixed_incentive
    recipient_incentive = as_finite_array("recipient_incentive", recipient_incentive, ndim=1)
    dynamics = _dynamics(gamma, alpha, beta, cost, learners, incentive_bounds)
    (_, new_theta), (new_eta, _) = lio_step(
        game,
        (np.full(grid_theta.shape + (1,), giver_theta), grid_theta[..., None]),
        (eta_giver, np.broadcast_to(recipient_incentive, grid_eta.shape + recipient_incentive.shape)),
        **dynamics,
    )
    return VectorField(
        incentive=incentive,
        theta=theta,
        d_incentive=new_eta[..., incentive_action] - grid_eta,
        d_theta=new_theta[..., 0] - grid_theta,
        incentive_action=int(incentive_action),
        fixed_incentive=fixed_incentive,
        parameters=dict(dynamics, learners=tuple(learners), giver_theta=giver_theta,
                        recipient_incentive=tuple(recipient_incentive.tolist())),
    )


@dataclass(frozen=True)
class ConvergenceStudy:
    """Where exact LIO ends from a grid of initial conditions (Prop. 3 check).

    Attributes
    ----------
    initial_theta, final_theta : numpy.ndarray
        Shape ``(n_runs, 2)``: each player's probability of action 0.
    initial_eta, final_eta : numpy.ndarray
        Shape ``(n_runs, 2, 2)``: ``[run, giver, recipient action]``.
    outcome : numpy.ndarray
        Per run, ``"00"``, ``"01"``, ``"10"``, ``"11"`` (the pure profile both policies are
        within ``tol`` of; "00" = mutual action 0 = CC) or ``"mixed"``.
    fractions : dict
        Fraction of runs per outcome label.
    final_margin : numpy.ndarray
        Shape ``(n_runs, 2)``: :func:`cooperation_margin` of the incentive each player *pays*
        at the end (for the PD, :math:`\\eta_C - \\eta_D - 1`).
    final_collective_reward : numpy.ndarray
        Expected per-round sum of extrinsic rewards at the end of each run.
    n_steps : int
    parameters : dict
    """

    initial_theta: np.ndarray
    initial_eta: np.ndarray
    final_theta: np.ndarray
    final_eta: np.ndarray
    outcome: np.ndarray
    fractions: dict
    final_margin: np.ndarray
    final_collective_reward: np.ndarray
    n_steps: int
    parameters: dict

    @property
    def n_runs(self) -> int:
        """Number of initial conditions."""
        return self.initial_theta.shape[0]


def lio_convergence_study(game, *, n_steps: int = 1000, points_per_axis: int = 3, incentive_range=(0.0, 3.0),
                          gamma: float = 0.9, alpha: float = 0.01, beta: float = 0.01, cost: float = 0.0,
                          learners=("lio", "lio"), incentive_bounds=(0.0, 3.0), tol: float = 1e-3) -> ConvergenceStudy:
    r"""Run exact LIO from every point of a regular grid of initial conditions.

    The grid has ``points_per_axis`` values per coordinate: each :math:`\theta^p` over [0, 1]
    and each incentive entry over ``incentive_range``, for the incentives of every ``"lio"``
    player (a ``"pg"`` player pays nothing), so the symmetric LIO pair has
    ``points_per_axis ** 6`` initial conditions. All runs advance together (batched).

    Parameters
    ----------
    game : NormalFormGame
        A 2x2 game.
    n_steps : int
        Iterations per run.
    points_per_axis : int
        Grid resolution per coordinate (>= 2).
    incentive_range : pair of float
        Range of initial incentives.
    gamma, alpha, beta, cost, learners, incentive_bounds
        As in :func:`~stackelberg.solvers.incentives.lio.lio_step`.
    tol : float
        A policy within ``tol`` of a pure action counts as that action.

    Returns
    -------
    ConvergenceStudy

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not a 2x2 game, ``points_per_axis`` is below 2, ``incentive_range`` is not low < high,
        or a LIO setting is malformed (see :func:`~stackelberg.solvers.incentives.lio.lio_trajectory`).

    Examples
    --------
    Proposition 3: every initial condition ends at mutual cooperation in the PD.

    >>> import stackelberg as sb
    >>> pd = sb.NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    >>> study = lio_convergence_study(pd, n_steps=400, points_per_axis=2)
    >>> study.n_runs, study.fractions["00"], float(study.final_margin.min())
    (64, 1.0, 2.0)
    """
    _check_2x2(game)
    n_steps = check_positive_int("n_steps", n_steps)
    k = check_positive_int("points_per_axis", points_per_axis, minimum=2)
    tol = check_tol("tol", tol)
    low, high = (check_real(f"incentive_range[{i}]", v) for i, v in enumerate(incentive_range))
    if not low < high:
        raise ValueError(f"incentive_range must satisfy low < high; got {incentive_range!r}")
    gives = [kind == "lio" for kind in tuple(learners)]
    probabilities, incentives = np.linspace(0.0, 1.0, k), np.linspace(low, high, k)
    axes = [probabilities, probabilities] + [incentives] * (2 * sum(gives))
    points = np.array(list(itertools.product(*axes)), dtype=float)
    theta0 = points[:, 0:2]
    eta0 = np.zeros((points.shape[0], 2, 2))
    column = 2
    for p in (0, 1):
        if gives[p]:
            eta0[:, p, :] = points[:, column : column + 2]
            column += 2
    dynamics = _dynamics(gamma, alpha, beta, cost, learners, incentive_bounds)
    run = lio_trajectory(game, (theta0[:, :1], theta0[:, 1:]), (eta0[:, 0], eta0[:, 1]), n_steps=n_steps, **dynamics)
    final_theta = np.stack([run.theta[0][-1, :, 0], run.theta[1][-1, :, 0]], axis=1)
    final_eta = np.stack([run.eta[0][-1], run.eta[1][-1]], axis=1)
    pure = np.where(final_theta >= 1 - tol, "0", np.where(final_theta <= tol, "1", "m"))
    outcome = np.array([a + b if "m" not in a + b else "mixed" for a, b in pure])
    fractions = {label: float(np.mean(outcome == label)) for label in _OUTCOMES + ("mixed",)}
    margin = np.stack(
        [cooperation_margin(game, final_eta[:, 0], recipient=1), cooperation_margin(game, final_eta[:, 1], recipient=0)],
        axis=1,
    )
    return ConvergenceStudy(
        initial_theta=theta0, initial_eta=eta0, final_theta=final_theta, final_eta=final_eta, outcome=outcome,
        fractions=fractions, final_margin=margin, final_collective_reward=run.collective_reward[-1], n_steps=n_steps,
        parameters=dict(dynamics, learners=tuple(learners), incentive_range=(low, high), points_per_axis=k, tol=tol),
    )
