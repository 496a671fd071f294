"""Tests of stackelberg.games.incentive: the incentive-design problem and the papers' example problems."""

import numpy as np
import pytest

from stackelberg.games.incentive import (
    IncentiveDesignProblem,
    example1_objective_closed_form,
    example1_problem,
    gridworld_problem,
)
from stackelberg.games.markov import MDP


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


def test_gridworld_intended_slip():
    problem = gridworld_problem(slip="intended")
    follower = problem.followers[0]
    names = follower.state_names
    P = np.asarray(follower.transitions).reshape(len(names), 4, len(names))
    assert np.allclose(P.sum(axis=2), 1.0)
    east = {names[t]: P[names.index("(4,4)"), 2, t] for t in np.flatnonzero(P[names.index("(4,4)"), 2])}
    assert east == pytest.approx({"(4,5)": 0.8, "(5,5)": 0.1, "(3,5)": 0.1})
    # into the wall: all three outcomes are off the grid, so the robot stays
    assert P[names.index("(0,5)"), 2, names.index("(0,5)")] == pytest.approx(1.0)
    assert P[names.index("(1,4)"), :, names.index("Sink")] == pytest.approx(np.ones(4))
    # robot 2 (alpha = 0.05) slips less; rewards, starts and payments are those of the default problem
    P2 = np.asarray(problem.followers[1].transitions).reshape(len(names), 4, len(names))
    assert P2[names.index("(2,0)"), 0, names.index("(3,0)")] == pytest.approx(0.9)
    default = gridworld_problem()
    assert np.array_equal(problem.payment_mask, default.payment_mask)
    assert np.allclose(follower.rewards, default.followers[0].rewards)
    with pytest.raises(ValueError, match="slip"):
        gridworld_problem(slip="diagonal")


def test_problem_validation_errors():
    good = example1_problem()
    followers, reward, mask = good.followers, good.leader_reward, good.payment_mask
    with pytest.raises(TypeError, match="followers"):
        IncentiveDesignProblem(followers[0], reward, mask)
    with pytest.raises(TypeError, match="followers\\[1\\]"):
        IncentiveDesignProblem([followers[0], "mdp"], reward, mask)
    other = MDP(np.ones((3, 2, 3)) / 3, np.zeros((3, 2)), gamma=0.5)
    with pytest.raises(ValueError, match="share the state and action spaces"):
        IncentiveDesignProblem([followers[0], other], reward, mask)
    with pytest.raises(ValueError, match="leader_reward must have shape"):
        IncentiveDesignProblem(followers, np.zeros((4, 3)), mask)
    with pytest.raises(ValueError, match="payment_mask must have shape"):
        IncentiveDesignProblem(followers, reward, np.ones((2, 4, 3), dtype=bool))
    with pytest.raises(ValueError, match="at least one"):
        IncentiveDesignProblem(followers, reward, np.zeros((2, 4, 2), dtype=bool))
    with pytest.raises(ValueError, match="terminal state"):
        IncentiveDesignProblem(followers, reward, np.ones((2, 4), dtype=bool))
    with pytest.raises(TypeError, match="payment_mask"):
        IncentiveDesignProblem(followers, reward, np.full((2, 4, 2), 0.5))
    with pytest.raises(ValueError, match="weight"):
        IncentiveDesignProblem(followers, reward, mask, weight=-1.0)
    with pytest.raises(ValueError, match="leader_gamma"):
        IncentiveDesignProblem(followers, reward, mask, leader_gamma=1.5)
    with pytest.raises(TypeError, match="cost"):
        IncentiveDesignProblem(followers, reward, mask, cost=3)
    with pytest.raises(ValueError, match="cost"):
        IncentiveDesignProblem(followers, reward, mask, cost="l3")
    with pytest.raises(ValueError, match="max_payment"):
        IncentiveDesignProblem(followers, reward, mask, max_payment=0.0)
    paid_at_end = reward.copy()
    paid_at_end[3, 3] = 1.0
    with pytest.raises(ValueError, match="terminal state"):
        IncentiveDesignProblem(followers, paid_at_end, mask, leader_gamma=1.0)
    no_terminal = [MDP(np.full((3, 2, 3), 1 / 3), np.zeros((3, 2)), gamma=0.5)] * 2
    with pytest.raises(ValueError, match="terminal state"):
        IncentiveDesignProblem(no_terminal, np.zeros((3, 3)), np.ones((2, 3, 2), dtype=bool), leader_gamma=1.0)
    custom = IncentiveDesignProblem(followers, reward, mask, cost=(lambda x: float(x @ x), lambda x: 2 * x))
    assert custom.cost_gradient(np.array([1.0, 2.0])).tolist() == [2.0, 4.0]


def test_gridworld_less_desired_reading_splits_the_sink_and_pays_2_plus_8():
    problem = gridworld_problem(earlier="less-desired")
    names = problem.followers[0].state_names
    assert problem.n_states == 38 and names[-1] == "SinkF"
    f1, f2 = names.index("(4,5)"), names.index("(1,4)")
    sink, sink_f = names.index("Sink"), names.index("SinkF")
    reward = problem.leader_reward
    assert reward[f1, f2] == 10.0 and reward[f1, sink_f] == 8.0 and reward[f1, sink] == 2.0
    # the less-desired goals lead to SinkF, the goals G to Sink; the followers' rewards are unchanged
    P = np.asarray(problem.followers[0].transitions).reshape(38, 4, 38)
    assert np.all(P[f1, :, sink_f] == 1.0) and np.all(P[names.index("(5,0)"), :, sink] == 1.0)
    default = gridworld_problem()
    assert np.allclose(np.asarray(problem.followers[1].rewards).reshape(38, 4)[:37],
                       np.asarray(default.followers[1].rewards).reshape(37, 4))


def test_gridworld_state_action_payments_pay_one_pair_per_robot():
    problem = gridworld_problem(payments="state-action")
    assert problem.payment_mask.shape == (2, 37, 4) and problem.payment_mask.sum() == 2


def test_gridworld_readings_are_checked():
    with pytest.raises(ValueError, match="earlier"):
        gridworld_problem(earlier="fire")
    with pytest.raises(ValueError, match="payments"):
        gridworld_problem(payments="joint")
