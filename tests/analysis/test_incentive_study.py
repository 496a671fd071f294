"""Tests of stackelberg.analysis.incentive_study (Example 1 and the two-robot gridworld)."""

import os

import numpy as np
import pytest

from stackelberg.analysis.incentive_study import (
    GRIDWORLD_PAPER_TABLE1,
    example1_objective_closed_form,
    example1_problem,
    gridworld_initial_policies,
    gridworld_problem,
    run_example1,
    run_gridworld,
    run_gridworld_table,
)
from stackelberg.solvers.incentive_design import evaluate_incentive_design


def test_example1_problem_and_closed_form():
    problem = example1_problem()
    assert problem.leader_gamma == 1.0 and problem.weight == 1.0 and problem.cost == "l1"
    assert problem.leader_reward[2, 1] == 6.0 and problem.leader_reward[1, 1] == problem.leader_reward[2, 2] == 5.0
    # the softmax formula at the paper's tau: f_m(0, 0) = 5 + 4 p1 p2 - 5 p1 + p2 with p1 ~ 1, p2 ~ 0
    assert example1_objective_closed_form([0.0, 0.0], "softmax") == pytest.approx(0.0, abs=1e-6)
    assert example1_objective_closed_form([2.0, 0.0], "softmax") == pytest.approx(3.0, abs=1e-6)
    with pytest.raises(ValueError, match="parameterization"):
        example1_objective_closed_form([0.0, 0.0], "tabular")


def _state(problem, cell):
    return problem.followers[0].state_names.index(cell)


def test_gridworld_leader_reward_and_payments():
    problem = gridworld_problem()
    f1, f2, g, sink, other = (_state(problem, c) for c in ("(1,4)", "(4,5)", "(5,0)", "Sink", "(2,0)"))
    R = problem.leader_reward
    assert R[f1, f2] == R[f2, f2] == 10.0
    assert R[f1, sink] == R[sink, f2] == 8.0
    assert R[f1, other] == R[g, f2] == 2.0
    assert R[g, other] == R[sink, sink] == R[other, g] == 0.0
    assert problem.payment_index == ((0, f2), (1, f1))
    assert problem.weight == pytest.approx(0.1) and problem.leader_gamma == 1.0
    with pytest.raises(ValueError, match="one entry per robot"):
        gridworld_problem(alphas=(0.1,), starts=((2, 0), (2, 0)))


def test_gridworld_initial_policies():
    problem = gridworld_problem()
    x0 = np.array([2.0, 2.0])
    best = evaluate_incentive_design(problem, x0, gridworld_initial_policies(problem, 1, x0))
    assert best.feasibility == pytest.approx(0.0, abs=1e-9)
    paid = [s for _, s in problem.payment_index]
    to_f = evaluate_incentive_design(problem, x0, gridworld_initial_policies(problem, 2, x0))
    mixed = evaluate_incentive_design(problem, x0, gridworld_initial_policies(problem, 3, x0))
    visits = lambda ev, i: ev.follower_occupancy[i, paid[i]].sum()  # noqa: E731
    assert visits(to_f, 0) > 0.5 and visits(to_f, 1) > 0.5
    assert visits(mixed, 0) > 0.5 and visits(mixed, 1) < 0.05
    assert to_f.leader_value > mixed.leader_value > best.leader_value
    with pytest.raises(ValueError, match="init"):
        gridworld_initial_policies(problem, 4)


def test_run_example1_writes_files(tmp_path):
    out = run_example1("direct", tmp_path, starts=[(2.5, 2.5)], iterations=150, xi=0.05, grid_points=7)
    assert out["brute_force_max_abs_error"] < 1e-9
    run = out["runs"][0]
    assert run["nearest_stationary_point"] == [1.0, 2.0] and run["distance_to_stationary_point"] < 0.05
    assert set(out["files"]) == {"fm_csv", "runs_csv", "trajectory1_csv", "contour_png"}
    for path in out["files"].values():
        assert os.path.getsize(path) > 0
    soft = run_example1("softmax", None, starts=[(0.5, 0.5), (1.0, 1.0)], iterations=5, grid_points=5)
    assert soft["files"] == {} and len(soft["runs"]) == 2 and "nearest_stationary_point" not in soft["runs"][0]


def test_run_gridworld_writes_files(tmp_path):
    row = run_gridworld("softmax", 3, None, iterations=2)
    assert row["paper"] is None and row["result"].x.shape == (3, 2) and row["files"] == {}
    out = run_gridworld_table("direct", tmp_path, inits=(2,), iterations=1)
    assert {"trajectory_csv", "summary_csv", "convergence_png", "occupancy_png"} <= set(out["rows"][2]["files"])
    assert out["rows"][2]["paper"] == GRIDWORLD_PAPER_TABLE1[2]
    with open(out["files"]["table1_csv"]) as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith("init,source,x1") and len(lines) == 3
    assert os.path.getsize(out["files"]["fig4_png"]) > 0
