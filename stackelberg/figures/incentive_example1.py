"""Reproduce Fig. 2 of the incentive-design paper: f_m(x) of Example 1 and the stationary points of Algorithm 1.

Example 1 (Section 3.3): two followers on states {0, 1, 2, Sink}; the leader pays follower 1 for going to state 2
(x1) and follower 2 for going to state 1 (x2), at cost x1 + x2, and earns 6 when both go to the other's goal and 5
when one does. The paper gives f_m(x) = max_theta f(x, theta) in closed form:

- direct parameterisation: piecewise linear, -x1 - x2, 5 - x1 - x2 or 6 - x1 - x2 by whether x1 >= 1 and
  x2 >= 2, with the stationary points (0, 0), (1, 0), (0, 2), (1, 2) (Fig. 2a);
- softmax with tau = 0.05 and theta = Q*: f_m = 5 + 4 p1 p2 - 5 p1 + p2 - (x1 + x2) with
  p1 = e^20 / (e^20 + e^(20 x1)), p2 = e^(20 x2) / (e^(20 x2) + e^40) (Fig. 2b, "multiple stationary points").

What this script does: the brute-force f_m (strong Stackelberg tie-breaking over the followers' best responses,
:func:`~stackelberg.solvers.incentives.leader_objective_brute_force`) on a grid of [0, 3]^2, checked against
the closed forms (``brute_force_max_abs_error``), drawn as contour plots with Algorithm 1's paths from several
starting payments (uniform initial policies). Choices the paper leaves open: the followers' rewards and payments
sit on the move from state 0 into states 1/2 (equivalent to the paper's state rewards for gamma_i = 1; see
:mod:`stackelberg.analysis.incentive_study`), gamma_i = 0.9 (irrelevant to the best responses), leader discount 1;
Algorithm 1 with xi = 0.01, eta = 0.5, 2000 iterations (``--quick``: xi = 0.05, 300 iterations, a 31-point grid);
starts x0 in {(0.5, 0.5), (1.5, 0.5), (0.5, 2.5), (2.5, 2.5)}.

Paper's numbers beside ours. Paper (direct): stationary points (0,0), (1,0), (0,2), (1,2). Ours (full run, direct):
the brute-force f_m equals the closed form to 9e-16 on the 121 x 121 grid (7e-15 for softmax); from the starts
(0.5, 0.5), (1.5, 0.5), (0.5, 2.5), (2.5, 2.5) Algorithm 1 ends at (0.993, 0), (0.994, 0), (1.000, 1.999),
(0.991, 1.998), i.e. at the stationary points (1, 0), (1, 0), (1, 2), (1, 2), with feasibility q between -0.012 and
-0.0007 and objectives 4.008, 4.006, 3.001, 3.012 (f_m = 4 and 3 there). The runs approach x1 = 1 from below: the
jump of f_m at the threshold (the leader's favourite tie) is reached in the limit. None of our starts ends at (0, 0)
or (0, 2) — from (0.5, 0.5) the leader's policy gradient drags follower 1 towards state 2 and the payment to its
threshold. Softmax (tau = 0.05): the same four end points within 0.01 (objectives 4.005, 4.010, 3.005, 3.013); the
brute-force softmax f_m has its grid maximum 3.72 at (1.225, 0). ``--quick`` (31-point grid, 300 steps of
xi = 0.05) gives the same end points within 0.04.
"""

from __future__ import annotations

import os

from stackelberg.figures._script import script_main
from stackelberg.analysis.incentive_study import EXAMPLE1_STARTS, EXAMPLE1_STATIONARY_POINTS, run_example1
from stackelberg.figures._account import Row

FULL = dict(iterations=2000, xi=0.01, eta=0.5, grid_points=121)
QUICK = dict(iterations=300, xi=0.05, eta=0.5, grid_points=31)


def run(out_dir, quick: bool = False) -> dict:
    """Write the contour plots and CSVs of Fig. 2 into ``out_dir``; return the paper's and our numbers."""
    os.makedirs(out_dir, exist_ok=True)
    settings = QUICK if quick else FULL
    numbers = dict(paper=dict(stationary_points_direct=[list(p) for p in EXAMPLE1_STATIONARY_POINTS]), ours={},
                   files={})
    for parameterization in ("direct", "softmax"):
        out = run_example1(parameterization, out_dir, starts=EXAMPLE1_STARTS, tau=0.05, **settings)
        numbers["files"].update({f"{parameterization}_{name}": path for name, path in out["files"].items()})
        numbers["ours"][parameterization] = dict(
            starts=[r["x0"] for r in out["runs"]],
            end_points=[r["final_x"] for r in out["runs"]],
            nearest_stationary_points=[r.get("nearest_stationary_point") for r in out["runs"]],
            final_objectives=[round(r["final_objective"], 4) for r in out["runs"]],
            final_feasibility=[r["final_feasibility"] for r in out["runs"]],
            brute_force_max_abs_error=out["brute_force_max_abs_error"],
            grid_max=out["grid_max"],
        )
    return numbers


#: Recorded from a full run (the docstring's numbers).
FULL_SCALE = dict(error_direct=9e-16, error_softmax=7e-15, distance=0.01, objective_first=4.008)


def _distance_to_stationary(end_points) -> float:
    """Largest distance from an end point of Algorithm 1 to the nearest stationary point of the paper."""
    return max(min(max(abs(e - p) for e, p in zip(end, point)) for point in EXAMPLE1_STATIONARY_POINTS)
               for end in end_points)


def account(numbers: dict, quick: bool) -> list[Row]:
    """Fig. 2's closed forms and stationary points beside ours."""
    direct, softmax = numbers["ours"]["direct"], numbers["ours"]["softmax"]
    return [
        Row("direct: brute-force f_m vs the closed form, largest |error|", 0.0, direct["brute_force_max_abs_error"],
            FULL_SCALE["error_direct"], budget_dependent=False),
        Row("softmax (tau 0.05): brute-force f_m vs the closed form, largest |error|", 0.0,
            softmax["brute_force_max_abs_error"], FULL_SCALE["error_softmax"], budget_dependent=False),
        Row("direct: largest distance (max-norm) from an end point of Algorithm 1 to a stationary point of the paper",
            0.0, _distance_to_stationary(direct["end_points"]), FULL_SCALE["distance"]),
        Row(f"direct: leader objective at the end from x0 = {tuple(direct['starts'][0])} (f_m = 4 at (1, 0))", 4.0,
            direct["final_objectives"][0], FULL_SCALE["objective_first"]),
    ]  # fmt: skip


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="coarser grid, fewer iterations")


if __name__ == "__main__":
    main()
