"""Tests of stackelberg.solvers.coordination.leader_mdp: the leader's exact MDP against rule-based followers."""

import numpy as np
import pytest

from stackelberg.errors import ProblemTooLargeError
from stackelberg.games.coordination import FollowerType, StackelbergMarkovGame, resource_collection
from stackelberg.solvers.coordination.leader_mdp import (
    leader_mdp,
    leader_optimum,
    leader_slot_mdp,
    uninformed_slot_optimum,
)
from stackelberg.solvers.markov.dynamic_programming import value_iteration


def test_hand_computed_optimum_in_a_corridor():
    # 1x3 corridor, goal 0 (prize 3) at cell 0, goal 1 at cell 2, start at cell 1; the follower prefers goal 1
    # (u = 1) and signs (goal 0, bonus 2) only (-0.5 + 2 > 1). Each trip to goal 0 takes one step; the leader
    # signs and pays 2, then earns 3 on the same step: +1 per step for 4 steps.
    pool = [FollowerType((-0.5, 1.0), (True, True))]
    game = StackelbergMarkovGame((1, 3), [0, 2], [3.0, 0.0], [1.0, 2.0], 1, pool, [1], 4)
    best = leader_optimum(game, [0])
    assert best.value == pytest.approx(4.0) and best.slot_values == pytest.approx((4.0,))
    policy = best.slot_solutions[0].policy  # (H, X); the start state without contract is x = 1 * 5 + 0
    assert [game.offer(int(policy[t, 5])) for t in range(4)] == [(0, 2.0)] * 4


def test_slot_mdp_matches_the_simulator_step_by_step():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=2, horizon=4, seed=2)
    followers = game.sample_followers(seed=2)
    O = game.n_offers
    for slot, follower in enumerate(followers):
        mdp = leader_slot_mdp(game, int(follower), slot)
        x, offer = np.meshgrid(np.arange(mdp.n_states), np.arange(O), indexing="ij")
        cells, contracts = np.divmod(x.ravel(), O)
        columns = np.full((cells.size, game.n_followers), game.start_cells[1 - slot])
        columns[:, slot] = cells
        contract_columns = np.zeros_like(columns)
        contract_columns[:, slot] = contracts
        offers = np.zeros_like(columns)
        offers[:, slot] = offer.ravel()
        out = game.step(columns, contract_columns, offers, followers)
        following = out.cells[:, slot] * O + out.contracts[:, slot]
        P = mdp.transitions.reshape(-1, mdp.n_states)
        np.testing.assert_array_equal(P[np.arange(P.shape[0]), following], 1.0)
        np.testing.assert_allclose(mdp.rewards.ravel(), out.leader_rewards[:, slot])


@pytest.mark.parametrize("noise", [0.0, 0.2])
def test_joint_mdp_value_is_the_sum_of_the_slot_values(noise):
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=2, horizon=5, seed=0, noise=noise)
    followers = game.sample_followers(seed=0)
    best = leader_optimum(game, followers, joint=True)
    assert best.joint_value == pytest.approx(best.value, abs=1e-9)
    assert best.value == pytest.approx(sum(best.slot_values))
    mdp = leader_mdp(game, followers)
    assert mdp.n_states == (9 * 5) ** 2 and mdp.n_actions == 25 and mdp.horizon == 5
    np.testing.assert_allclose(np.asarray(mdp.transitions.sum(axis=1)).ravel(), 1.0)


def test_small_instance_of_the_issue():
    # 2 followers, 2 resource types, a 4x4 grid: the joint MDP and the slot decomposition agree
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=0)
    best = leader_optimum(game, game.sample_followers(seed=0), joint=True)
    assert best.value == pytest.approx(12.0) and best.joint_value == pytest.approx(12.0)


def test_optimum_is_a_value_iteration_of_the_slot_mdp():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=4, seed=0, noise=0.3)
    mdp = leader_slot_mdp(game, 3)
    assert leader_optimum(game, [3]).value == pytest.approx(mdp.initial_distribution @ value_iteration(mdp).values[0])


def test_size_limit_and_argument_errors():
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=0)
    with pytest.raises(ProblemTooLargeError) as caught:
        leader_mdp(game, [0, 1], max_entries=10_000)
    assert caught.value.limit == "max_entries"
    with pytest.raises(TypeError, match="game"):
        leader_mdp("game", [0, 1])
    with pytest.raises(ValueError, match="followers"):
        leader_optimum(game, [0])
    with pytest.raises(ValueError, match="slot"):
        leader_slot_mdp(game, 0, slot=2)
    with pytest.raises(TypeError, match="joint"):
        leader_optimum(game, [0, 1], joint="yes")


def test_uninformed_optimum_pays_for_not_knowing_the_type():
    # corridor, start in the middle, goal 0 (prize 4) east, goal 1 west, two steps. Type 0 prefers goal 1 (u = 1)
    # and signs (goal 0, bonus 2) only; type 1 signs (goal 0, bonus 1). Told the type: 2 + 2 and 3 + 3. Not told:
    # offering bonus 1 first reveals the type (type 0 refuses and walks west) and type 0 then earns 2 once:
    # (2 + 6) / 2 = 4; offering bonus 2 twice earns 2 + 2 = 4 too.
    pool = [FollowerType((0.0, 1.0), (True, True)), FollowerType((0.5, 0.0), (True, True))]
    game = StackelbergMarkovGame((1, 3), [2, 0], [4.0, 1.0], [1.0, 2.0], 1, pool, [1], horizon=2)
    assert [leader_optimum(game, [f]).value for f in range(2)] == pytest.approx([4.0, 6.0])
    assert uninformed_slot_optimum(game) == pytest.approx(4.0)
    # a pool of one type: nothing to infer, the informed optimum
    single = StackelbergMarkovGame((1, 3), [2, 0], [4.0, 1.0], [1.0, 2.0], 1, pool[:1], [1], horizon=3)
    assert uninformed_slot_optimum(single) == pytest.approx(leader_optimum(single, [0]).value)


def test_uninformed_optimum_of_the_small_instance_equals_the_informed_one():
    # the exactness instance of the neural leader: trying the cheap bonus first costs nothing there, so knowing
    # the types is worth nothing (the neural leader's gap to the optimum is learning, not inference)
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=1)
    informed = [np.mean([leader_optimum(game, [f, (f + 1) % 40]).slot_values[k] for f in range(40)])
                for k in range(2)]
    uninformed = [uninformed_slot_optimum(game, k) for k in range(2)]
    assert uninformed == pytest.approx(informed) and sum(uninformed) == pytest.approx(14.9)


def test_uninformed_optimum_errors():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, noise=0.1, seed=0)
    with pytest.raises(ValueError, match="noise-free"):
        uninformed_slot_optimum(game)
    with pytest.raises(ValueError, match="slot must be"):
        uninformed_slot_optimum(resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, seed=0), 1)
