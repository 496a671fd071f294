"""train(): small-budget runs reach the exact Stackelberg solution, determinism, measurement, errors."""

import json

import jax
import numpy as np
import pytest

import stackelberg as sb
from stackelberg.neural.envs import markov_env, matrix_env
from stackelberg.neural.offpolicy import BiACConfig, IDQNConfig
from stackelberg.neural.train import TrainResult, _measure, algorithm_names, dumps, exact_reference, train

SMALL = {"steps": 600, "explore_steps": 200, "epsilon_decay_steps": 200, "hidden": (32, 32), "log_every": 100}
SEEDS = tuple(range(8))


@pytest.fixture(scope="module")
def escape_env():
    return matrix_env(sb.get_game("escape"))


@pytest.fixture(scope="module")
def escape_run(escape_env):
    return train("bi-ac", escape_env, SMALL, seeds=SEEDS, progress=False)


def test_biac_on_escape_reaches_cz_in_most_seeds(escape_run):
    assert escape_run.exact_outcomes == ("C-Z",)
    assert escape_run.share_at_exact >= 0.75
    at = escape_run.at_exact
    assert np.all(escape_run.values[at] == 30.0) and np.all(escape_run.value_gaps[at] == 0.0)
    assert escape_run.outcome_shares["C-Z"] == escape_run.share_at_exact


def test_biac_on_maintain_reaches_ax():
    result = train("bi-ac", sb.get_game("maintain"), SMALL, seeds=SEEDS, progress=False)
    assert result.exact_outcomes == ("A-X",)
    assert result.share_at_exact >= 0.75
    assert result.exact_values.tolist() == [20.0, 15.0]


def test_same_seed_same_result(escape_env, escape_run):
    again = train("bi-ac", escape_env, SMALL, seeds=SEEDS[::-1], progress=False)
    order = [again.seeds.index(s) for s in escape_run.seeds]
    assert np.array_equal(again.greedy_policies[order], escape_run.greedy_policies)
    assert np.array_equal(again.values[order], escape_run.values)
    for name, curve in escape_run.curves.items():
        assert np.array_equal(again.curves[name][order], curve), name


def test_result_curves_and_writers(escape_run, tmp_path):
    curves = escape_run.curves
    assert curves["reward"].shape == (8, 6, 2) and curves["joint_action_share"].shape == (8, 6, 9)
    assert escape_run.curve_steps.tolist() == [100, 200, 300, 400, 500, 600]
    assert np.allclose(curves["joint_action_share"].sum(axis=2), 1.0)
    # the uniform phase plays every joint action
    assert np.all(curves["joint_action_share"][:, 0] > 0.0)
    csv_path = escape_run.write_csv(tmp_path / "seeds.csv")
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("seed,outcome,at_exact,value_0,value_1,gap_0,gap_1") and len(rows) == 9
    png = escape_run.plot_curves(tmp_path / "curves.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads(dumps(escape_run))
    assert summary["share_at_exact"] == escape_run.share_at_exact and summary["seeds"] == 8
    assert "exact solution C-Z" in escape_run.summary()


def test_markov_measurement_against_solve_bilevel():
    game = sb.biac_grid_game()
    env = markov_env(game)
    reference = exact_reference(game)
    solution = reference["solution"]
    leader = np.asarray(solution.leader_policy)
    follower = np.asarray(solution.follower_policy)[np.arange(game.n_states), leader]
    exact_policy = np.stack([leader, follower], axis=1)[None]  # (1, S, 2)
    stay = np.full((1, game.n_states, 2), 4)
    policies = np.concatenate([exact_policy, stay])
    values, exact, at, outcomes, exact_outcomes, _ = _measure(env, policies, reference)
    assert at.tolist() == [True, False]
    assert np.allclose(values[0], exact) and np.allclose(values[1], 0.0)
    # both at the 20 square after two moves, paid in the third step: 20 * 0.9**2
    assert np.allclose(exact, 20 * 0.9**2)
    assert exact_outcomes == ("(16.2, 16.2)",)


def test_unknown_algorithm_zero_seeds_and_bad_configs(escape_env):
    with pytest.raises(ValueError, match="algorithm must be one of .*bi-ac"):
        train("no-such-learner", escape_env, seeds=1)
    with pytest.raises(ValueError, match="seeds must be at least 1"):
        train("bi-ac", escape_env, seeds=0)
    with pytest.raises(ValueError, match="seeds"):
        train("bi-ac", escape_env, seeds=[])
    with pytest.raises(ValueError, match="leader_lr"):
        train("bi-ac", escape_env, {"leader_lr": -1.0}, seeds=1)
    with pytest.raises(ValueError, match="unknown BiACConfig field"):
        train("bi-ac", escape_env, {"lr": 1.0}, seeds=1)
    with pytest.raises(TypeError, match="BiACConfig"):
        train("bi-ac", escape_env, IDQNConfig(), seeds=1)
    with pytest.raises(ValueError, match="steps"):
        train("bi-ac", escape_env, BiACConfig(), seeds=1, steps=0)
    with pytest.raises(ValueError, match="two-agent"):
        train("bi-ac", matrix_env(sb.NormalFormGame([np.zeros((2, 2, 2))] * 3)), seeds=1)


def test_registry_lists_the_learners():
    names = algorithm_names()
    assert {"bi-ac", "i-dqn", "maddpg", "hysteretic-dqn", "lenient-dqn"} <= set(names)
    assert isinstance(TrainResult.__dataclass_fields__, dict) and jax.__name__ == "jax"
