r"""Incentive-design experiments: Example 1 (Fig. 2) and the two-robot 6x6 gridworld (Table 1, Figs 4-6).

Runs Algorithm 1 (:func:`~stackelberg.solvers.incentives.design.incentive_design`) on the paper's two problems
(built in :mod:`stackelberg.games.incentive`: :func:`~stackelberg.games.incentive.example1_problem`,
:func:`~stackelberg.games.incentive.gridworld_problem`), writing PNG + CSV. The choices behind those models are
explained here.

**Example 1** (Section 3.3; Fig. 1 is missing from the text, the layout below follows the papers' README): states
``0, 1, 2, Sink``, actions ``a1, a2``; from state 0 action ``a1`` leads to state 1 and ``a2`` to state 2, both then
to the absorbing Sink. Follower 1's goal is state 1 (reward 1), follower 2's is state 2 (reward 2); the leader pays
follower 1 for going to state 2 (:math:`x_1`) and follower 2 for going to state 1 (:math:`x_2`). *Our choice:* the
rewards and payments are attached to the move from state 0 into the goal (``(s, a) = (0, a1)`` / ``(0, a2)``), so
that any follower discount (we use :math:`\gamma_i = 0.9`; the paper's :math:`\gamma_i = 1` is not a discounted
MDP) leaves the thresholds :math:`x_1 = 1, x_2 = 2` and the softmax probabilities
:math:`p_1 = e^{20}/(e^{20} + e^{20x_1})`, :math:`p_2 = e^{20x_2}/(e^{20x_2} + e^{40})` (:math:`\tau = 0.05`)
exactly as in the paper. The leader (discount 1) gets 6 at joint state (2, 1), 5 at (1, 1) and (2, 2) (one
follower at the other's goal) and 0 otherwise, which gives the paper's
:math:`f_m(x) = 5 + 4p_1p_2 - 5p_1 + p_2 - (x_1 + x_2)` (the text's "(2, 0) or (0, 1)" cannot occur in a
simultaneous move; the formula fixes the intent). Cost :math:`C(x) = x_1 + x_2`, :math:`w = 1`.

**Gridworld** (Section 4; layout from the README, :func:`~stackelberg.games.gridworld.incentive_gridworld`): two
robots with slips :math:`\alpha_1 = 0.1`, :math:`\alpha_2 = 0.05` (the README's example values), both starting at
the ``S`` cell (2, 0), follower discount :math:`\gamma_i = 0.99` (not published; chosen below), leader discount 1
(the paper's). Slips (``slip="intended"``, our reading of the paper's "enters its intended cell with a probability
of :math:`1 - 2\alpha`, while entering the neighboring cells (west and east) with probabilities :math:`\alpha`"):
the two cells beside the *intended* cell (west and east of it for N/S, north and south for E/W); any outcome off
the grid leaves the robot in place. ``slip="current"`` is the README's reading (the current cell's perpendicular
neighbours). Leader reward on the joint state with :math:`\mathcal F = \{(1,4), (4,5)\}`: 10 if both robots are
in :math:`\mathcal F`, 8 if one is in :math:`\mathcal F` and the other in Sink, 2 if one is in
:math:`\mathcal F` and the other elsewhere, 0 otherwise. State payments (every action at the cell): robot 1 at
(4, 5), robot 2 at (1, 4); cost :math:`C(x) = x_1 + x_2`, :math:`w = 0.1`; :math:`x^{(0)} = (2, 2)`.
Initialisations (Table 1): (1) each robot's best response to :math:`x^{(0)}`; (2) policies maximising the
leader's value: each robot heads for the less-desired goal where it is paid (the optimal policy of its MDP
rewarded 1 at that cell only, fire ignored); (3) robot 1 as in (2), robot 2 heads for the goals G (rewarded 1 at G
only), so it rarely reaches :math:`\mathcal F`. Under the softmax parameterisation the same policies are used as
:math:`\theta = \tau \log \pi` of the policy mixed with 1% uniform noise (softmax cannot represent a deterministic
policy).

**Algorithm 1's settings** (not published): :math:`\eta = 50`, 3000 iterations, the last 20% of them with a
tenfold smaller step (``anneal=(0.2, 0.1)``); direct :math:`\xi = 0.01`, softmax :math:`\xi = 0.005`,
:math:`\tau = 0.05`. With :math:`\eta = 5` (direct) or 1 (softmax), the earlier defaults, the multiplier is too
weak: the runs trade feasibility for leader value and end (init 2, earlier model) at :math:`q \approx -0.02`
(direct) and :math:`-0.2` (softmax) against the paper's :math:`\sim -10^{-4}`; with :math:`\eta = 50` the runs end
at :math:`q = -5\cdot10^{-4}` to :math:`-1.1\cdot10^{-3}` (direct) and :math:`-6\cdot10^{-3}` (softmax). A payment
that buys nothing falls by :math:`\xi w = 0.001` per step, so 2000 steps bring it from 2 to its stationary
value 0 (the paper's init-3 :math:`x_2 = 0.5067` is consistent with that fall stopped after about 1500 steps:
ours is 0.5000 at step 1500); the final small step shrinks the chattering of a payment sitting on a
best-response switch tenfold.

**Choosing the follower model from the paper's numbers.** The paper's payments settle where a robot's best
response switches to its less-desired goal (Example 1's stationary points are such switches), so the switch
payments identify the unpublished follower model. From S, the payment above which robot 1's greedy best response
reaches (4, 5) with probability above 1/2, and robot 2's reaches (1, 4):

============================  =================  =================
model                         robot 1, (4, 5)    robot 2, (1, 4)
============================  =================  =================
current-cell slips, 0.95      7.55 (p = 0.80)    5.45 (p = 1.0)
current-cell slips, 0.97      5.78               4.32
current-cell slips, 0.99      4.16               3.31
intended-cell slips, 0.97     4.76 (p = 0.90)    4.02
intended-cell slips, 0.98     4.04               3.58
intended-cell slips, 0.99     3.24 (p = 0.84)    3.16 (p = 0.95)
paper's converged payments    3.2322 / 3.2299    4.3604
============================  =================  =================

(:math:`p`: the probability of reaching the paid cell just above the switch.) Intended-cell slips with
:math:`\gamma_i = 0.99` put robot 1's switch at the paper's :math:`x_1` to 0.01 and our runs from
initialisations 2 and 3 end at :math:`x_1 = 3.241, 3.242` (paper 3.2322, 3.2299), with leader value 9.35 against
9.70 in (2); the earlier defaults (current-cell slips, 0.95) ended (2) at :math:`x = (5.54, 5.51)`, value 8.23.
This is a fit to the paper's numbers, not a published value. No model we tried puts robot 2's switch at 4.36 with
robot 1's at 3.23 (robot 1, more slippery and paid farther from S, always needs more or about the same).

**Checked against the paper's numbers.** (a) Cost: leader value minus objective equals
:math:`0.1\,(x_1 + x_2)` in all three rows of Table 1 (0.7593, 0.3437, 0.3737), so the paper pays one state
payment per robot (``payment_mask`` of shape ``(n, S)``), not one per state-action pair; at an exit cell every
action leads to Sink, so state and state-action payments give the same followers' values. (b) Leader reward: as
the text states (10 / 8 / 2 / 0 on the joint state, discount 1). (c) What we do not reproduce: in initialisation
3 the paper's leader value 2.12 (about :math:`2p_1`) means robot 1 reaches its less-desired goal *before* robot 2
reaches a goal G; from the common start S robot 2 reaches G (5, 0) in 3 moves and robot 1 needs at least 7, which
pays the leader 8 per the text (ours: 7.27 :math:`\approx 8p_1`). So in the paper the robots start in different
cells, or the leader's 8 needs the other robot to have reached a *less-desired* goal (2 + 8 = 10 for arrivals one
after the other). The latter is ``gridworld_problem(earlier="less-desired")``: with it row 3 ends at value 1.82
(paper 2.12) and rows 1-2 are unchanged; ``stackelberg.figures.incentive_gridworld`` keeps it (its docstring has
the readings x rows table) and ``stackelberg incentive gridworld`` keep it (:data:`GRIDWORLD_READING`); the
functions here keep the text's reading by default. In
initialisation 1 the paper stops at :math:`x = (1.62, 1.82)` with value 0.41, which must be a best-response switch
in its model; ours has none below :math:`x^{(0)} = 2` (the lowest is robot 1's at 2.74, where it starts to reach
(4, 5) with probability 0.03) and no F visits on the way to G, so the payments fall to the stationary point
:math:`x = 0`, value 0. Robot 2's :math:`x_2` in initialisation 2: 3.38 against 4.36.
"""

from __future__ import annotations

import csv
import os
import warnings
from typing import Sequence

import numpy as np

from .._plotting import pyplot, save_figure
from .._validation import check_choice, check_positive_int
from ..games.gridworld import INCENTIVE_LAYOUT
from ..games.incentive import (
    EXAMPLE1_STATIONARY_POINTS,
    IncentiveDesignProblem,
    example1_objective_closed_form,
    example1_problem,
    gridworld_problem,
)
from ..solvers.markov import value_iteration
from ..solvers.incentives import (
    IncentiveDesignResult,
    NotConvergedWarning,
    evaluate_incentive_design,
    incentive_design,
    leader_objective_brute_force,
)

__all__ = [
    "EXAMPLE1_STARTS",
    "GRIDWORLD_PAPER_TABLE1",
    "GRIDWORLD_DEFAULTS",
    "GRIDWORLD_READING",
    "gridworld_initial_policies",
    "run_example1",
    "run_gridworld",
    "run_gridworld_table",
]

#: Starting payments of the Example 1 runs (uniform initial policies).
EXAMPLE1_STARTS = ((0.5, 0.5), (1.5, 0.5), (0.5, 2.5), (2.5, 2.5))

#: Table 1 of the paper (direct parameterisation): x_1, x_2, feasibility, leader value, leader objective.
GRIDWORLD_PAPER_TABLE1 = {
    1: dict(x1=1.6217, x2=1.8154, feasibility=-1.4121e-06, leader_value=0.4145, leader_objective=0.0708),
    2: dict(x1=3.2322, x2=4.3604, feasibility=-2.6256e-04, leader_value=9.6954, leader_objective=8.9361),
    3: dict(x1=3.2299, x2=0.5067, feasibility=-1.3950e-04, leader_value=2.1214, leader_objective=1.7477),
}

#: Our choices where the paper is silent (see the module docstring).
GRIDWORLD_DEFAULTS = dict(alphas=(0.1, 0.05), starts=((2, 0), (2, 0)), follower_gamma=0.99, leader_gamma=1.0,
                          weight=0.1, slip="intended", x0=(2.0, 2.0),
                          direct=dict(xi=0.01, eta=50.0, tau=1.0, iterations=3000, anneal=(0.2, 0.1)),
                          softmax=dict(xi=0.005, eta=50.0, tau=0.05, iterations=3000, anneal=(0.2, 0.1)))

#: The reading of the leader's reward that ``stackelberg.figures.incentive_gridworld`` and ``stackelberg incentive
#: gridworld`` keep (keyword arguments of :func:`gridworld_problem`; the figure's docstring has the readings x rows
#: table): the leader's 8 only after the other robot reached a *less-desired* goal. The functions here default to
#: the text's reading (``gridworld_problem()``, 8 after any goal).
GRIDWORLD_READING = dict(earlier="less-desired")

_GOALS = ((5, 0), (3, 4))


def gridworld_initial_policies(problem: IncentiveDesignProblem, init: int, x0=(2.0, 2.0)) -> np.ndarray:
    """Initial deterministic policies ``(n, S, A)`` of Table 1's initialisations 1, 2, 3 (module docstring).

    Examples
    --------
    >>> problem = gridworld_problem()
    >>> pi = gridworld_initial_policies(problem, 2)
    >>> pi.shape, bool((pi.sum(axis=2) == 1).all())
    ((2, 37, 4), True)
    """
    init = _check_init(init)
    n, S, A = problem.n_followers, problem.n_states, problem.n_actions
    names = problem.followers[0].state_names
    policies = np.zeros((n, S, A))
    if init == 1:
        ev = evaluate_incentive_design(problem, np.asarray(x0, dtype=float), np.full((n, S, A), 1.0 / A))
        return ev.optimal_policies
    paid = [[names[s] for s in np.flatnonzero(problem.payment_mask[i].reshape(S, -1).any(axis=1))]
            for i in range(n)]
    for i, follower in enumerate(problem.followers):
        heads_for_f = init == 2 or i == 0
        targets = [tuple(int(v) for v in c.strip("()").split(",")) for c in paid[i]] if heads_for_f else _GOALS
        reward = np.zeros((S, A))
        for cell in targets:
            reward[names.index(f"({cell[0]},{cell[1]})")] = 1.0
        solution = value_iteration(follower.with_rewards(reward), tol=1e-10)
        policies[i, np.arange(S), solution.policy] = 1.0
    return policies


def _check_anneal(anneal):
    if anneal is None:
        return None
    try:
        fraction, factor = (float(v) for v in anneal)
    except (TypeError, ValueError):
        raise ValueError(f"anneal must be None or a pair (fraction, factor) of numbers; got {anneal!r}") from None
    if not (0.0 < fraction < 1.0 and 0.0 < factor <= 1.0):
        raise ValueError(f"anneal must have 0 < fraction < 1 and 0 < factor <= 1; got {anneal!r}")
    return fraction, factor


def _annealed_design(problem, parameterization, x0, theta0, iterations, xi, eta, tau, anneal, *, seed=None,
                     **options):
    """Algorithm 1 with a two-phase step size: ``xi`` first, then ``factor * xi`` for the last ``fraction``."""
    iterations = check_positive_int("iterations", iterations)
    second = 0 if anneal is None else int(round(anneal[0] * iterations))
    first = iterations - second
    if second == 0 or first == 0:
        return incentive_design(problem, parameterization, x0=x0, theta0=theta0, iterations=iterations, xi=xi,
                                eta=eta, tau=tau, seed=seed, **options)
    if seed is None or isinstance(seed, np.random.Generator):
        seeds = (seed, seed)
    else:
        seeds = tuple(np.random.SeedSequence(seed).spawn(2))
    with warnings.catch_warnings():  # the first phase is not meant to end at a stationary point
        warnings.simplefilter("ignore", NotConvergedWarning)
        a = incentive_design(problem, parameterization, x0=x0, theta0=theta0, iterations=first, xi=xi, eta=eta,
                             tau=tau, seed=seeds[0], **options)
    b = incentive_design(problem, parameterization, x0=a.final_x, theta0=a.final_theta, iterations=second,
                         xi=xi * anneal[1], eta=eta, tau=tau, seed=seeds[1], **options)
    join = lambda u, v: np.concatenate([u, v[1:]])  # noqa: E731  (b's first entry repeats a's last)
    parameters = dict(a.parameters, iterations=iterations, seed=seed, anneal=dict(
        first_iterations=first, xi_final=xi * anneal[1], fraction=anneal[0], factor=anneal[1]))
    arrays = dict(x=join(a.x, b.x), theta=join(a.theta, b.theta),
                  multipliers=np.concatenate([a.multipliers, b.multipliers]),
                  stationarity=join(a.stationarity, b.stationarity),
                  stationarity_unprojected=join(a.stationarity_unprojected, b.stationarity_unprojected),
                  feasibility=join(a.feasibility, b.feasibility), leader_value=join(a.leader_value, b.leader_value),
                  objective=join(a.objective, b.objective), cost=join(a.cost, b.cost),
                  follower_occupancy=np.stack([a.follower_occupancy[0], b.follower_occupancy[1]]))
    for array in arrays.values():
        array.setflags(write=False)
    return IncentiveDesignResult(**arrays, parameterization=parameterization, parameters=parameters,
                                 converged=b.converged, stop_reason=b.stop_reason, message=b.message)


def _check_init(init):
    if isinstance(init, (bool, np.bool_)) or init not in (1, 2, 3):
        raise ValueError(f"init must be 1, 2 or 3 (Table 1's initialisations); got {init!r}")
    return int(init)


def _theta0(policies, parameterization, tau):
    if parameterization == "direct":
        return policies
    mixed = 0.99 * policies + 0.01 / policies.shape[-1]
    return tau * np.log(mixed)


def run_example1(parameterization: str = "direct", out_dir=None, *,
                 starts: Sequence[Sequence[float]] = EXAMPLE1_STARTS, iterations: int = 2000, xi: float = 0.01,
                 eta: float = 0.5, tau: float = 0.05, grid_points: int = 121, progress: bool | None = None) -> dict:
    r"""Example 1: the contours of :math:`f_m` (Fig. 2) and Algorithm 1 from several starting payments.

    Parameters
    ----------
    parameterization : {"direct", "softmax"}
    out_dir : str or os.PathLike, optional
        Where ``example1_<parameterization>_fm.csv``, ``..._runs.csv``, ``..._trajectory<k>.csv`` and
        ``..._contour.png`` go (nothing written if None).
    starts : sequence of (float, float)
        Initial payments of the runs (the policies start uniform).
    iterations, xi, eta, tau
        Algorithm 1's settings (``tau`` is the paper's 0.05).
    grid_points : int
        Grid points per axis of the contour plot on :math:`[0, 3]^2`.
    progress : bool

    Returns
    -------
    dict
        ``runs`` (per start: ``x0``, ``final_x``, ``final_objective``, ``final_feasibility``,
        ``final_stationarity`` and, direct only, ``nearest_stationary_point`` and its distance),
        ``brute_force_max_abs_error`` (brute-force :math:`f_m` against the closed form on the grid), ``grid_max``
        (the best grid point and value), ``paper_stationary_points``, ``files``.

    Examples
    --------
    >>> out = run_example1("direct", starts=[(0.5, 2.5)], iterations=300, xi=0.05, grid_points=7)
    >>> out["runs"][0]["nearest_stationary_point"], out["brute_force_max_abs_error"] < 1e-9
    ([1.0, 2.0], True)
    """
    parameterization = check_choice("parameterization", parameterization, ("direct", "softmax"))
    grid_points = check_positive_int("grid_points", grid_points, minimum=2)
    problem = example1_problem()
    axis = np.linspace(0.0, 3.0, grid_points)
    X1, X2 = np.meshgrid(axis, axis, indexing="ij")
    points = np.column_stack([X1.ravel(), X2.ravel()])
    brute = leader_objective_brute_force(problem, points, parameterization=parameterization, tau=tau,
                                         progress=progress)
    closed = example1_objective_closed_form(points, parameterization, tau)
    best = int(np.argmax(brute.objective))
    runs, results = [], []
    for x0 in starts:
        result = incentive_design(problem, parameterization, x0=x0, iterations=iterations, xi=xi, eta=eta, tau=tau,
                                  progress=progress)
        final = result.final_x
        run = dict(x0=[float(v) for v in x0], final_x=[round(float(v), 4) for v in final],
                   final_objective=float(result.objective[-1]), final_feasibility=float(result.feasibility[-1]),
                   final_stationarity=float(result.stationarity[-1]), converged=result.converged)
        if parameterization == "direct":
            distances = [float(np.hypot(*(final - np.array(p)))) for p in EXAMPLE1_STATIONARY_POINTS]
            run["nearest_stationary_point"] = list(EXAMPLE1_STATIONARY_POINTS[int(np.argmin(distances))])
            run["distance_to_stationary_point"] = min(distances)
        runs.append(run)
        results.append(result)
    out = dict(
        parameterization=parameterization,
        runs=runs,
        brute_force_max_abs_error=float(np.abs(brute.objective - closed).max()),
        grid_max=dict(x=points[best].tolist(), objective=float(brute.objective[best])),
        paper_stationary_points=[list(p) for p in EXAMPLE1_STATIONARY_POINTS],
    )
    files = {}
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        stem = os.path.join(out_dir, f"example1_{parameterization}")
        files["fm_csv"] = _write_csv(stem + "_fm.csv", ["x1", "x2", "f_m_brute_force", "f_m_closed_form"],
                                     np.column_stack([points, brute.objective, closed]))
        files["runs_csv"] = _write_csv(
            stem + "_runs.csv", ["x0_1", "x0_2", "x_final_1", "x_final_2", "objective", "feasibility", "stationarity"],
            [[*r["x0"], *r["final_x"], r["final_objective"], r["final_feasibility"], r["final_stationarity"]]
             for r in runs])
        for k, result in enumerate(results):
            files[f"trajectory{k + 1}_csv"] = _write_trajectory(f"{stem}_trajectory{k + 1}.csv", result)
        files["contour_png"] = _plot_example1(stem + "_contour.png", axis, brute.objective.reshape(X1.shape),
                                              results, parameterization)
    out["files"] = files
    return out


def run_gridworld(parameterization: str = "direct", init: int = 2, out_dir=None, *, iterations: int | None = None,
                  xi: float | None = None, eta: float | None = None, tau: float | None = None,
                  gradient: str = "exact", samples: int = 1000, seed=None, progress: bool | None = None,
                  problem: IncentiveDesignProblem | None = None, anneal="default") -> dict:
    """The two-robot gridworld from one of Table 1's initialisations.

    Parameters
    ----------
    parameterization : {"direct", "softmax"}
    init : {1, 2, 3}
        Table 1's initialisation (module docstring).
    out_dir : str or os.PathLike, optional
        Where ``gridworld_<parameterization>_init<k>_trajectory.csv``, ``..._summary.csv``,
        ``..._convergence.png`` (Figs 4-5) and ``..._occupancy.png`` (Fig. 6) go (nothing written if None).
    iterations, xi, eta, tau : optional
        Algorithm 1's settings (defaults :data:`GRIDWORLD_DEFAULTS` of the parameterisation: direct xi = 0.01,
        eta = 50, 3000 iterations; softmax xi = 0.005, eta = 1, tau = 0.05, 3000 iterations).
    gradient, samples, seed
        Exact or sampled gradients (:func:`~stackelberg.solvers.incentives.design.incentive_design`).
    progress : bool
    problem : IncentiveDesignProblem, optional
        Default :func:`gridworld_problem`.
    anneal : (float, float) or None, optional
        Step-size schedule ``(fraction, factor)``: the last ``fraction`` of the iterations run with step
        ``factor * xi`` (a second call of Algorithm 1 from the first phase's end point; the trajectories are
        joined). ``None``: constant step. Default: the parameterisation's entry of :data:`GRIDWORLD_DEFAULTS`
        (direct (0.2, 0.1), softmax None).

    Returns
    -------
    dict
        Table 1's row (``x1, x2, feasibility, leader_value, leader_objective``) after the last iteration, the
        paper's row beside it (``paper``), the initial leader value/objective, ``iterations`` and ``files``.

    Examples
    --------
    >>> row = run_gridworld("direct", 2, iterations=2)
    >>> sorted(k for k in row if k in ("x1", "x2", "leader_value", "paper"))
    ['leader_value', 'paper', 'x1', 'x2']
    """
    parameterization = check_choice("parameterization", parameterization, ("direct", "softmax"))
    init = _check_init(init)
    d = GRIDWORLD_DEFAULTS[parameterization]
    iterations = d["iterations"] if iterations is None else iterations
    xi = d["xi"] if xi is None else xi
    eta = d["eta"] if eta is None else eta
    tau = d["tau"] if tau is None else tau
    problem = gridworld_problem() if problem is None else problem
    x0 = np.array(GRIDWORLD_DEFAULTS["x0"][: problem.n_payments], dtype=float)
    anneal = _check_anneal(d["anneal"] if isinstance(anneal, str) and anneal == "default" else anneal)
    theta0 = _theta0(gridworld_initial_policies(problem, init, x0), parameterization, tau)
    result = _annealed_design(problem, parameterization, x0, theta0, iterations, xi, eta, tau, anneal,
                              gradient=gradient, samples=samples, seed=seed, progress=progress)
    final = result.final_x
    row = dict(
        parameterization=parameterization,
        init=init,
        iterations=iterations,
        x1=float(final[0]),
        x2=float(final[1]) if final.size > 1 else float("nan"),
        feasibility=float(result.feasibility[-1]),
        leader_value=float(result.leader_value[-1]),
        leader_objective=float(result.objective[-1]),
        stationarity=float(result.stationarity[-1]),
        converged=result.converged,
        initial_leader_value=float(result.leader_value[0]),
        initial_leader_objective=float(result.objective[0]),
        initial_feasibility=float(result.feasibility[0]),
        paper=GRIDWORLD_PAPER_TABLE1[init] if parameterization == "direct" else None,
    )
    files = {}
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        stem = os.path.join(out_dir, f"gridworld_{parameterization}_init{init}")
        files["trajectory_csv"] = _write_trajectory(stem + "_trajectory.csv", result)
        files["summary_csv"] = _write_csv(
            stem + "_summary.csv",
            ["source", "x1", "x2", "feasibility", "leader_value", "leader_objective"],
            [["ours", row["x1"], row["x2"], row["feasibility"], row["leader_value"], row["leader_objective"]]]
            + ([["paper"] + list(row["paper"].values())] if row["paper"] else []),
        )
        files["convergence_png"] = _plot_convergence(stem + "_convergence.png", result,
                                                     f"{parameterization}, init {init}")
        files["occupancy_png"] = _plot_occupancy(stem + "_occupancy.png", problem, result)
    row["files"] = files
    row["result"] = result
    return row


def run_gridworld_table(parameterization: str = "direct", out_dir=None, *, inits: Sequence[int] = (1, 2, 3),
                        iterations: int | None = None, progress: bool | None = None, **settings) -> dict:
    """Table 1 and Fig. 4: Algorithm 1 from every initialisation, ours beside the paper's numbers.

    Parameters
    ----------
    parameterization : {"direct", "softmax"}
    out_dir : str or os.PathLike, optional
        Where ``table1_<parameterization>.csv`` and ``fig4_payments_<parameterization>.png`` go, besides each
        run's own files (:func:`run_gridworld`).
    inits : sequence of int
        Initialisations to run.
    iterations : int, optional
        Steps per run (default :data:`GRIDWORLD_DEFAULTS`).
    progress : bool
    **settings
        Passed to :func:`run_gridworld` (``xi``, ``eta``, ``tau``, ``gradient``, ...).

    Returns
    -------
    dict
        ``{"rows": {init: row}, "files": {...}}`` with each row as returned by :func:`run_gridworld` (without the
        trajectory object).

    Examples
    --------
    >>> out = run_gridworld_table(inits=(1,), iterations=1)
    >>> sorted(out["rows"]) , "paper" in out["rows"][1]
    ([1], True)
    """
    rows, results = {}, {}
    for init in inits:
        row = run_gridworld(parameterization, init, out_dir, iterations=iterations, progress=progress, **settings)
        results[init] = row.pop("result")
        rows[init] = row
    files = {}
    if out_dir is not None:
        table = []
        for init, row in rows.items():
            table.append([str(init), "ours", row["x1"], row["x2"], row["feasibility"], row["leader_value"],
                          row["leader_objective"]])
            if row["paper"]:
                paper = row["paper"]
                table.append([str(init), "paper", paper["x1"], paper["x2"], paper["feasibility"],
                              paper["leader_value"], paper["leader_objective"]])
        files["table1_csv"] = _write_csv(
            os.path.join(out_dir, f"table1_{parameterization}.csv"),
            ["init", "source", "x1", "x2", "feasibility", "leader_value", "leader_objective"], table)
        files["fig4_png"] = _plot_payments(os.path.join(out_dir, f"fig4_payments_{parameterization}.png"), results)
    return dict(rows=rows, files=files)


# ---------------------------------------------------------------------- output helpers
def _write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for r in rows:
            writer.writerow([v if isinstance(v, str) else f"{float(v):.10g}" for v in r])
    return str(path)


def _write_trajectory(path, result):
    T = result.x.shape[0]
    k = result.x.shape[1]
    lam = np.append(result.multipliers, np.nan)
    header = ["iteration"] + [f"x{j + 1}" for j in range(k)] + [
        "multiplier", "feasibility", "leader_value", "cost", "objective", "stationarity", "stationarity_unprojected"]
    rows = np.column_stack([np.arange(T), result.x, lam, result.feasibility, result.leader_value, result.cost,
                            result.objective, result.stationarity, result.stationarity_unprojected])
    return _write_csv(path, header, rows)


def _plot_example1(path, axis, values, results, parameterization):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.4, 4.6))
    contour = ax.contourf(axis, axis, values.T, levels=30, cmap="viridis")
    fig.colorbar(contour, ax=ax, label="$f_m(x)$")
    for k, result in enumerate(results):
        ax.plot(result.x[:, 0], result.x[:, 1], color="white", lw=1.2, label="Algorithm 1" if k == 0 else None)
        ax.plot(*result.x[0], "w.", ms=8)
        ax.plot(*result.x[-1], "r*", ms=12, label="end points" if k == 0 else None)
    if parameterization == "direct":
        pts = np.array(EXAMPLE1_STATIONARY_POINTS)
        ax.plot(pts[:, 0], pts[:, 1], "o", color="orange", mfc="none", ms=11, label="stationary points (paper)")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"Example 1 (Fig. 2), {parameterization} parameterisation")
    ax.legend(loc="upper right", fontsize=7)
    return save_figure(fig, path, dpi=110)


def _plot_convergence(path, result, title):
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    it = np.arange(result.x.shape[0])
    for j in range(result.x.shape[1]):
        axes[0].plot(it, result.x[:, j], label=f"$x_{j + 1}$")
    axes[0].set_title("side payments (Fig. 4, 5a/d)")
    axes[0].set_ylabel("side payment $x_j$")
    axes[0].legend()
    axes[1].plot(it, result.feasibility)
    axes[1].set_title("feasibility $q(x, \\theta)$ (Fig. 5b/e)")
    axes[1].set_ylabel("$q(x, \\theta)$ (feasible: $\\geq 0$)")
    axes[2].plot(it, result.leader_value, label="leader value")
    axes[2].plot(it, result.objective, label="leader objective")
    axes[2].set_title("leader (Fig. 5c/f)")
    axes[2].set_ylabel("leader value / objective")
    axes[2].legend()
    for ax in axes:
        ax.set_xlabel("iteration")
    fig.suptitle(title)
    return save_figure(fig, path, dpi=110)


def _plot_payments(path, results):
    plt = pyplot()
    fig, axes = plt.subplots(1, len(results), figsize=(4.4 * len(results), 3.4), squeeze=False)
    for ax, (init, result) in zip(axes[0], results.items()):
        for j in range(result.x.shape[1]):
            ax.plot(result.x[:, j], label=f"$x_{j + 1}$")
        ax.set_title(f"initialisation {init}")
        ax.set_xlabel("iteration")
        ax.set_ylabel("side payment $x_j$")
        ax.legend()
    fig.suptitle(f"side payments (Fig. 4), {results[next(iter(results))].parameterization}")
    return save_figure(fig, path, dpi=110)


def _mark_cells(ax):
    """Letter the goal (G), less-desired goal (F), fire (X) and start (S) cells of the gridworld on ``ax``."""
    from matplotlib.patheffects import withStroke

    rows = len(INCENTIVE_LAYOUT)
    styles = {"G": "tab:green", "F": "tab:cyan", "X": "tab:red", "S": "white"}
    for k, line in enumerate(INCENTIVE_LAYOUT):
        for j, mark in enumerate(line):
            if mark in styles:
                i = rows - 1 - k  # the layout's first line is the top row, i counts from the bottom
                ax.add_patch(pyplot().Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=styles[mark], lw=1.5))
                ax.text(j + 0.3, i + 0.28, mark, color=styles[mark], fontsize=8, weight="bold", ha="center",
                        va="center", path_effects=[withStroke(linewidth=2, foreground="black")])


def _plot_occupancy(path, problem, result):
    plt = pyplot()
    names = problem.followers[0].state_names
    n = problem.n_followers
    fig, axes = plt.subplots(n, 2, figsize=(7.5, 3.6 * n), squeeze=False)
    for i in range(n):
        for col, (label, occ) in enumerate((("first iteration", result.follower_occupancy[0, i]),
                                            ("last iteration", result.follower_occupancy[1, i]))):
            heat = np.zeros((6, 6))
            state_occ = occ.sum(axis=1)
            for s, name in enumerate(names):
                if name.startswith("("):
                    r, c = (int(v) for v in name.strip("()").split(","))
                    heat[5 - r, c] = state_occ[s]
            ax = axes[i, col]
            image = ax.imshow(heat, cmap="magma", extent=(-0.5, 5.5, -0.5, 5.5))
            _mark_cells(ax)
            ax.set_title(f"robot {i + 1}, {label}")
            ax.set_xlabel("j")
            ax.set_ylabel("i")
            fig.colorbar(image, ax=ax, fraction=0.046, label="occupancy")
    fig.suptitle("occupancy measures (Fig. 6); G goal, F less-desired goal, X fire, S start")
    return save_figure(fig, path, dpi=110)
