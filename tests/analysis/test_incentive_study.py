"""Tests of stackelberg.analysis.incentive_study (Example 1 and the two-robot gridworld)."""

import os

import numpy as np
import pytest

from stackelberg.analysis.incentive_study import (
    GRIDWORLD_PAPER_TABLE1,
    gridworld_initial_policies,
    run_example1,
    run_gridworld,
    run_gridworld_table,
)
from stackelberg.games.incentive import gridworld_problem
from stackelberg.solvers.incentives import evaluate_incentive_design, incentive_design


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


def test_run_gridworld_anneal_joins_two_phases():
    problem = gridworld_problem()
    row = run_gridworld("direct", 2, iterations=5, xi=0.02, eta=5.0, anneal=(0.4, 0.5), problem=problem)
    result = row["result"]
    assert result.x.shape == (6, 2) and result.multipliers.shape == (5,) and result.feasibility.shape == (6,)
    assert result.parameters["anneal"] == dict(first_iterations=3, xi_final=0.01, fraction=0.4, factor=0.5)
    theta0 = gridworld_initial_policies(problem, 2)
    a = incentive_design(problem, x0=[2.0, 2.0], theta0=theta0, iterations=3, xi=0.02, eta=5.0)
    b = incentive_design(problem, x0=a.final_x, theta0=a.final_theta, iterations=2, xi=0.01, eta=5.0)
    assert np.allclose(result.x, np.concatenate([a.x, b.x[1:]]))
    assert np.allclose(result.follower_occupancy[1], b.follower_occupancy[1])
    constant = run_gridworld("direct", 2, iterations=2, anneal=None, problem=problem)["result"]
    assert "anneal" not in constant.parameters
    for bad in ((1.5, 0.1), (0.2, 0.0), "fast"):
        with pytest.raises(ValueError, match="anneal"):
            run_gridworld("direct", 2, iterations=2, anneal=bad, problem=problem)


def test_gridworld_default_switch_payments():
    # the default model (intended-cell slips, gamma_i = 0.99) puts robot 1's switch to its less-desired goal at
    # x1 ~ 3.24 (the paper's converged 3.23) and robot 2's at ~3.17 (module docstring)
    problem = gridworld_problem()
    paid = [s for _, s in problem.payment_index]
    uniform = np.full((2, problem.n_states, problem.n_actions), 0.25)
    visits = [evaluate_incentive_design(problem, x, uniform).optimal_occupancy for x in ([3.20, 3.10], [3.28, 3.22])]
    below, above = ([v[i, paid[i]].sum() for i in range(2)] for v in visits)
    assert below[0] < 0.3 and below[1] < 1e-9
    assert above[0] > 0.8 and above[1] > 0.9
