"""The JAX coordination environment replays the tabular StackelbergMarkovGame step by step."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stackelberg.games.coordination import (
    multi_bonus_resource_collection,
    modified_navigation,
    resource_collection,
)
from stackelberg.neural.coordination import coordination_env


def _replay(game, seed, n_steps, moves_given):
    """Random offers (and moves) through both models; every field of every step must agree."""
    env = coordination_env(game)
    step = jax.jit(env.step)
    rng = np.random.default_rng(seed)
    state = env.reset(jax.random.PRNGKey(seed))
    types = np.asarray(state.types)
    assert len(set(types.tolist())) == game.n_followers
    cells, contracts = game.initial_state(1)
    for t in range(n_steps):
        # offers biased to re-offer the contract in force (keeps) and to new offers (signing)
        offers = np.where(rng.random(game.n_followers) < 0.3, contracts[0],
                          rng.integers(0, game.n_offers, game.n_followers))
        moves = rng.integers(0, 5, game.n_followers) if moves_given else None
        ref = game.step(cells, contracts, offers[None], types, moves=None if moves is None else moves[None])
        state, out = step(state, jnp.asarray(offers), jax.random.PRNGKey(1000 + t),
                          None if moves is None else jnp.asarray(moves))
        np.testing.assert_array_equal(np.asarray(state.cells), ref.cells[0])
        np.testing.assert_array_equal(np.asarray(state.contracts), ref.contracts[0])
        np.testing.assert_array_equal(np.asarray(out.signed), ref.signed[0])
        np.testing.assert_array_equal(np.asarray(out.finished), ref.finished[0])
        np.testing.assert_array_equal(np.asarray(out.betrayed), ref.betrayed[0])
        np.testing.assert_array_equal(np.asarray(out.moves), ref.moves[0])
        np.testing.assert_allclose(np.asarray(out.gains), ref.gains[0], atol=1e-6)
        np.testing.assert_allclose(np.asarray(out.payments), ref.payments[0], atol=1e-6)
        np.testing.assert_allclose(np.asarray(out.follower_rewards), ref.follower_rewards[0], atol=1e-6)
        np.testing.assert_allclose(float(out.leader_reward), ref.leader_rewards.sum(), atol=1e-5)
        assert int(state.t) == t + 1 and bool(out.done) == (t + 1 >= game.horizon)
        cells, contracts = ref.cells, ref.contracts


@pytest.mark.parametrize("builder", [resource_collection, multi_bonus_resource_collection, modified_navigation])
def test_rule_based_steps_equal_the_tabular_model(builder):
    game = builder(seed=3, horizon=30)
    for seed in range(2):
        _replay(game, seed, 30, moves_given=False)


def test_given_moves_equal_the_tabular_model_with_noise():
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, noise=0.3, seed=1)
    for seed in range(3):
        _replay(game, seed, 25, moves_given=True)


def test_noise_replaces_moves_at_the_stated_rate():
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, noise=0.5, seed=1)
    env = coordination_env(game)
    state = env.reset(jax.random.PRNGKey(0))
    keys = jax.random.split(jax.random.PRNGKey(1), 20_000)
    offers = jnp.zeros(2, jnp.int32)
    outs = jax.jit(jax.vmap(lambda k: env.step(state, offers, k)[1].moves))(keys)
    rule = np.asarray(env.rule_moves(state, state.contracts))
    moves = np.asarray(outs)
    share = (moves != rule[None]).mean()
    assert abs(share - 0.5 * 4 / 5) < 0.015  # a random move equals the rule's with probability 1/5
    counts = np.bincount(moves[:, 0], minlength=5) / len(moves)
    expected = np.full(5, 0.1)
    expected[rule[0]] += 0.5
    np.testing.assert_allclose(counts, expected, atol=0.015)


def test_reset_draws_distinct_pool_types_uniformly():
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, pool_size=5, seed=1)
    env = coordination_env(game)
    types = np.asarray(jax.jit(jax.vmap(env.reset))(jax.random.split(jax.random.PRNGKey(0), 20_000)).types)
    assert (types[:, 0] != types[:, 1]).all()
    np.testing.assert_allclose(np.bincount(types[:, 0], minlength=5) / len(types), 0.2, atol=0.015)


def test_coordination_env_rejects_other_games():
    with pytest.raises(TypeError, match="game must be a StackelbergMarkovGame"):
        coordination_env("resource collection")
