"""Tests of stackelberg.solvers.coordination.cotraining: the event leader learning with learning followers."""

import numpy as np
import pytest

from stackelberg.games.coordination import resource_collection
from stackelberg.solvers.coordination import (
    leader_optimum,
    leader_policy_value,
    sample_event_trajectories,
    train_coordination,
    train_event_leader,
)


def small():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=2, horizon=5, seed=0)
    return game, game.sample_followers(seed=0)


def test_rule_based_cotraining_is_train_event_leader_and_its_exact_values_agree():
    game, followers = small()
    ours = train_coordination(game, followers, follower_kind="rule", n_iterations=30, batch_size=8, leader_lr=0.3,
                              evaluate_every=10, seed=3)
    reference = train_event_leader(game, followers, n_iterations=30, batch_size=8, leader_lr=0.3, evaluate_every=10,
                                   seed=3)
    np.testing.assert_allclose(ours.values, reference.values, rtol=0, atol=1e-9)
    assert ours.final_value == pytest.approx(leader_policy_value(game, followers, ours.leader), abs=1e-9)
    assert ours.optimum == pytest.approx(leader_optimum(game, followers).value, abs=1e-12)
    # against fixed rule-based followers, the leader's best value is the optimum
    assert ours.leader_best_value == pytest.approx(ours.optimum, abs=1e-9)


@pytest.mark.parametrize("kind", ["abstraction", "vanilla"])
def test_exact_evaluation_agrees_with_the_sampled_batch(kind):
    # one iteration without exploration: the batch is sampled from exactly the policies evaluated at iteration 0
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=2, horizon=5, seed=0, noise=0.2)
    followers = game.sample_followers(seed=0)
    result = train_coordination(game, followers, follower_kind=kind, n_iterations=1, batch_size=20000,
                                exploration=0.0, seed=0)
    assert result.sampled_returns[0] == pytest.approx(result.values[0], abs=0.05 + 0.02 * abs(result.values[0]))


@pytest.mark.parametrize("kind", ["abstraction", "vanilla"])
def test_cotraining_is_deterministic_from_the_seed(kind):
    game, followers = small()
    kwargs = dict(follower_kind=kind, n_iterations=15, batch_size=8, evaluate_every=5)
    first, again = (train_coordination(game, followers, seed=7, **kwargs) for _ in range(2))
    other = train_coordination(game, followers, seed=8, **kwargs)
    np.testing.assert_array_equal(first.values, again.values)
    np.testing.assert_array_equal(first.follower_tables, again.follower_tables)
    np.testing.assert_array_equal(first.leader.policy_logits, again.leader.policy_logits)
    assert not np.array_equal(first.leader.policy_logits, other.leader.policy_logits)


def test_leader_gains_with_abstraction_followers():
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=0)
    followers = game.sample_followers(seed=0)
    result = train_coordination(game, followers, follower_kind="abstraction", n_iterations=300, evaluate_every=150,
                                seed=0)
    assert result.ratios[0] < 0.1 and result.ratios[-1] > 0.6
    # the leader's best value against the final followers bounds what it reached against them
    assert result.leader_best_value >= result.final_value - 1e-9
    assert (result.follower_values[-1] > result.follower_values[0]).all()


@pytest.mark.parametrize("interval", [2, 3])
@pytest.mark.parametrize("trainer", ["event", "cotraining"])
def test_fixed_interval_leader_never_changes_an_offer_between_boundaries(interval, trainer):
    game, followers = small()
    if trainer == "event":
        leader = train_event_leader(game, followers, n_iterations=20, batch_size=8, commitment_interval=interval,
                                    seed=0).leader
    else:
        leader = train_coordination(game, followers, n_iterations=20, batch_size=8, commitment_interval=interval,
                                    seed=0).leader
    runs = sample_event_trajectories(game, followers, leader, 3000, seed=1)
    boundary = (np.arange(game.horizon) % interval == 0)[None, :, None]
    in_force = runs.observations % game.n_offers
    assert runs.terminated[:, boundary[0, :, 0]].all()
    assert not runs.terminated[:, ~boundary[0, :, 0]].any()
    inside = np.broadcast_to(~boundary, runs.offers.shape)
    np.testing.assert_array_equal(runs.offers[inside], in_force[inside])
    assert (runs.offers[np.broadcast_to(boundary, runs.offers.shape)] != in_force[
        np.broadcast_to(boundary, runs.offers.shape)]).any()  # at the boundaries it does change offers


@pytest.mark.parametrize("kwargs, name", [
    (dict(follower_kind="greedy"), "follower_kind"), (dict(n_iterations=0), "n_iterations"),
    (dict(batch_size=-1), "batch_size"), (dict(form="medium"), "form"), (dict(leader_lr=0.0), "leader_lr"),
    (dict(follower_lr=-1.0), "follower_lr"), (dict(follower_kind="vanilla", follower_lr=2.0), "follower_lr"),
    (dict(critic_lr=1.5), "critic_lr"), (dict(exploration=-0.1), "exploration"),
    (dict(commitment_interval=0), "commitment_interval"), (dict(evaluate_every=0), "evaluate_every"),
    (dict(lambda1=-1.0), "lambda1"), (dict(followers=[0]), "followers"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, name):
    game, followers = small()
    kwargs = dict(kwargs)
    followers = kwargs.pop("followers", followers)
    with pytest.raises(ValueError, match=name):
        train_coordination(game, followers, n_iterations=kwargs.pop("n_iterations", 2), **kwargs)
