"""Tests of stackelberg.games.coordination: the expensive-coordination game, its rule-based followers and builders."""

import numpy as np
import pytest

from stackelberg.errors import ProblemTooLargeError
from stackelberg.games.coordination import (
    MOVES,
    FollowerType,
    StackelbergMarkovGame,
    follower_pool,
    modified_navigation,
    multi_bonus_resource_collection,
    resource_collection,
)

N_, S_, E_, W_, STAY = range(5)


def corridor(**kwargs):
    """A 1x4 corridor: goal 0 at cell 0, goal 1 at cell 3, the follower starts at cell 1 and prefers goal 1."""
    options = dict(goal_values=[3.0, 1.0], bonuses=[1.0, 2.0], n_followers=1,
                   pool=[FollowerType((-0.5, 1.0), (True, True)), FollowerType((0.5, 0.0), (True, False))],
                   start_cells=[1], horizon=6, betrayal_penalty=0.5)
    options.update(kwargs)
    return StackelbergMarkovGame((1, 4), [0, 3], **options)


def one_step(game, cell, contract, offer, follower=0, moves=None):
    return game.step([[cell]], [[contract]], [[offer]], [follower], moves=None if moves is None else [[moves]])


def test_offers_enumerate_goals_times_bonuses():
    game = corridor()
    assert game.n_offers == 5 and game.offer(0) is None
    assert [game.offer(o) for o in range(1, 5)] == [(0, 1.0), (0, 2.0), (1, 1.0), (1, 2.0)]
    assert all(game.offer_index(*game.offer(o)) == o for o in range(1, 5))
    assert game.offer_goals.tolist() == [-1, 0, 0, 1, 1] and game.offer_bonuses.tolist() == [0, 1, 2, 1, 2]


def test_rule_based_signing_needs_bonus_plus_preference_above_own_best():
    game = corridor()
    # type 0: own best option 1.0 (goal 1); goal 0 pays -0.5: -0.5 + 1 = 0.5 (no), -0.5 + 2 = 1.5 (yes)
    assert [game.accepts(0, o) for o in range(5)] == [False, False, True, True, True]
    # type 1 can only do goal 0 (own best 0.5): goal 1 is refused whatever the bonus (no skill)
    assert [game.accepts(1, o) for o in range(5)] == [False, True, True, False, False]


def test_shortest_path_moves():
    game = corridor()
    assert game.rule_move(0, 1, 0) == E_  # own preferred goal 1 at cell 3
    assert game.rule_move(0, 1, 2) == W_  # contract for goal 0 at cell 0
    grid = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=1)
    for cell in range(grid.n_cells):
        for goal in range(grid.n_goals):
            if grid.distance[cell, goal] > 0:
                move = grid.shortest_moves[cell, goal]
                assert grid.distance[grid.next_cell[cell, move], goal] == grid.distance[cell, goal] - 1


def test_signing_pays_the_bonus_at_once_and_finishing_pays_the_prize():
    game = corridor()
    out = one_step(game, 1, 0, offer=2)  # (goal 0, bonus 2): signed, then one step west reaches goal 0
    assert out.signed.tolist() == [[True]] and out.payments.tolist() == [[2.0]]
    assert out.finished.tolist() == [[0]] and out.gains.tolist() == [[3.0]]
    assert out.leader_rewards.tolist() == [[1.0]]
    assert out.follower_rewards.tolist() == [[2.0 - 0.5]]  # bonus + its preference for goal 0
    assert out.cells.tolist() == [[1]] and out.contracts.tolist() == [[0]]  # back to start, contract fulfilled


def test_refused_offer_and_kept_contract_and_cancellation():
    game = corridor()
    refused = one_step(game, 1, 0, offer=1)
    assert not refused.signed.any() and refused.payments.sum() == 0 and refused.contracts.tolist() == [[0]]
    assert refused.moves.tolist() == [[E_]]  # it walks to its own goal
    start = StackelbergMarkovGame((1, 5), [0, 4], [3.0, 1.0], [1.0, 2.0], 1, corridor().pool, [2], 6)
    kept = start.step([[2]], [[2]], [[2]], [0])  # re-offering the contract in force: no new payment
    assert not kept.signed.any() and kept.payments.sum() == 0 and kept.contracts.tolist() == [[2]]
    cancelled = start.step([[2]], [[2]], [[0]], [0])
    assert cancelled.contracts.tolist() == [[0]] and cancelled.payments.sum() == 0
    assert cancelled.moves.tolist() == [[E_]]


def test_finishing_an_own_goal_pays_the_follower_only():
    game = corridor()
    out = one_step(game, 2, 0, offer=0)
    assert out.finished.tolist() == [[1]] and out.gains.sum() == 0
    assert out.follower_rewards.tolist() == [[1.0]] and out.cells.tolist() == [[1]]


def test_betrayal_penalty_when_not_working_under_contract():
    game = StackelbergMarkovGame((1, 5), [0, 4], [3.0, 1.0], [1.0, 2.0], 1, corridor().pool, [2], 6,
                                 betrayal_penalty=0.5)
    out = game.step([[2]], [[2]], [[2]], [0], moves=[[E_]])  # contract for goal 0 (west) but moves east
    assert out.betrayed.tolist() == [[True]] and out.follower_rewards.tolist() == [[-0.5]]
    assert out.leader_rewards.sum() == 0
    worked = game.step([[2]], [[2]], [[2]], [0], moves=[[W_]])
    assert not worked.betrayed.any() and worked.follower_rewards.tolist() == [[0.0]]
    free = game.step([[2]], [[0]], [[0]], [0], moves=[[W_]])  # no contract: no betrayal
    assert not free.betrayed.any()


def test_no_skill_no_finish():
    pool = [FollowerType((2.0, 1.0), (False, True))]
    game = StackelbergMarkovGame((1, 3), [0, 2], [1.0, 1.0], [1.0], 1, pool, [1], 3)
    out = game.step([[1]], [[0]], [[0]], [0], moves=[[W_]])
    assert out.finished.tolist() == [[-1]] and out.cells.tolist() == [[0]]


def test_noise_makes_moves_uniform():
    game = corridor(noise=1.0)
    rng = np.random.default_rng(0)
    cells, contracts = game.initial_state(20000)
    out = game.step(cells, contracts, np.zeros_like(cells), [0], rng=rng)
    counts = np.bincount(out.moves.ravel(), minlength=5) / out.moves.size
    np.testing.assert_allclose(counts, 0.2, atol=0.01)
    with pytest.raises(ValueError, match="rng"):
        game.step(cells, contracts, np.zeros_like(cells), [0])


def test_builders_follow_appendix_d():
    rc = resource_collection(seed=0)
    assert (rc.n_goals, rc.n_followers, rc.bonuses, len(rc.pool)) == (4, 4, (1.0, 2.0), 40)
    assert all(sum(f.skills) == 3 and f.skills[f.preferred_goal] for f in rc.pool)
    mb = multi_bonus_resource_collection(seed=0)
    assert (mb.n_goals, mb.n_followers, mb.bonuses, len(mb.pool)) == (4, 4, (1.0, 2.0, 3.0, 4.0), 40)
    assert all(sum(f.skills) == 1 for f in mb.pool)
    nav = modified_navigation(seed=0)
    assert (nav.n_goals, nav.n_followers, len(nav.bonuses), len(nav.pool)) == (6, 8, 2, 40)
    assert all(all(f.skills) for f in nav.pool)
    for game in (rc, mb, nav):
        assert not set(game.start_cells) & set(game.goal_cells)


def test_builders_and_draws_are_seeded():
    assert resource_collection(seed=3).pool == resource_collection(seed=3).pool
    assert resource_collection(seed=3).pool != resource_collection(seed=4).pool
    game = resource_collection(seed=0)
    first = game.sample_followers(seed=5)
    assert first.tolist() == game.sample_followers(seed=5).tolist() and len(set(first.tolist())) == 4
    batch = game.sample_followers(seed=5, size=100)
    assert batch.shape == (100, 4) and all(len(set(row)) == 4 for row in batch.tolist())
    assert follower_pool(4, 3, skills_per_follower=2, seed=1) == follower_pool(4, 3, skills_per_follower=2, seed=1)


def test_validation_names_the_argument():
    pool = corridor().pool
    base = dict(grid_shape=(1, 4), goal_cells=[0, 3], goal_values=[1.0, 1.0], bonuses=[1.0], n_followers=1,
                pool=pool, start_cells=[1], horizon=3)
    cases = [
        (dict(grid_shape=(0, 4)), ValueError, "grid_shape"),
        (dict(goal_cells=[0, 0]), ValueError, "goal_cells must be distinct"),
        (dict(goal_cells=[0, 9]), ValueError, r"goal_cells\[1\]"),
        (dict(goal_values=[1.0]), ValueError, "goal_values"),
        (dict(bonuses=[0.0]), ValueError, "bonuses"),
        (dict(bonuses=[1.0, 1.0]), ValueError, "bonuses must be distinct"),
        (dict(n_followers=3), ValueError, "pool must hold at least"),
        (dict(start_cells=[0]), ValueError, "start_cells must not be goal cells"),
        (dict(start_cells=[1, 2]), ValueError, "start_cells must hold one cell per follower"),
        (dict(horizon=0), ValueError, "horizon"),
        (dict(pool=["x"]), TypeError, r"pool\[0\]"),
        (dict(pool=[FollowerType((1.0,), (True,))]), ValueError, r"pool\[0\]"),
    ]
    for change, error, message in cases:
        with pytest.raises(error, match=message):
            StackelbergMarkovGame(**{**base, **change})
    with pytest.raises(ValueError, match="noise"):
        StackelbergMarkovGame(**base, noise=1.5)
    with pytest.raises(ValueError, match="betrayal_penalty"):
        StackelbergMarkovGame(**base, betrayal_penalty=-1.0)
    game = StackelbergMarkovGame(**base)
    with pytest.raises(ValueError, match="followers"):
        game.check_followers([5])
    with pytest.raises(ValueError, match="offers"):
        game.step([[1]], [[0]], [[7]], [0])
    with pytest.raises(ValueError, match="bonus must be one of"):
        game.offer_index(0, 3.0)
    with pytest.raises(ValueError, match="grid_shape"):
        resource_collection(grid_shape=(1, 2), n_goals=4)


def test_size_limits():
    pool = [FollowerType((1.0,), (True,))]
    with pytest.raises(ProblemTooLargeError) as caught:
        StackelbergMarkovGame((1000, 1000), [0], [1.0], [1.0], 1, pool, [1], 3)
    assert caught.value.limit == "grid_shape"
    with pytest.raises(ProblemTooLargeError) as caught:
        StackelbergMarkovGame((2, 2), [0], [1.0], [1.0], 1, pool, [1], 10**9)
    assert caught.value.limit == "horizon"
    with pytest.raises(ProblemTooLargeError) as caught:
        follower_pool(10**6, 2, skills_per_follower=1)
    assert caught.value.limit == "pool"


def test_moves_are_named():
    assert MOVES == ("N", "S", "E", "W", "stay")


def test_followers_own_signing_decisions_replace_the_rule():
    game = corridor()
    offer = game.offer_index(0, 1.0)  # the rule refuses it (-0.5 + 1 is not above 1)
    rule = one_step(game, 1, 0, offer)
    assert not rule.signed.any()
    own = game.step([[1]], [[0]], [[offer]], [0], signs=np.array([[True]]))
    assert own.signed.tolist() == [[True]] and own.payments.tolist() == [[1.0]] and own.contracts.tolist() == [[0]]
    assert own.finished.tolist() == [[0]]  # it walked west under the contract and fulfilled it at once
    with pytest.raises(ValueError, match="signs"):
        game.step([[1]], [[0]], [[offer]], [0], signs=[[1]])
