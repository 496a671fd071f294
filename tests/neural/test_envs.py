"""The JAX environments reproduce the tabular models: rewards, transition frequencies, horizons, terminals."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import stackelberg as sb
from stackelberg.neural.envs import (
    coordination_grid_game,
    grid_env,
    grid_features,
    markov_env,
    matrix_env,
    step_autoreset,
)


def _random_game(seed, sparse):
    rng = np.random.default_rng(seed)
    S, shape = 4, (2, 3)
    A = 6
    P = rng.random((S, A, S)) * (rng.random((S, A, S)) < 0.6)
    P[:, :, 0] += 1e-3  # every row has a successor
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(2, S, A))
    mu = np.array([0.5, 0.0, 0.25, 0.25])
    transitions = sb.MarkovGame(P, R, gamma=0.9, action_shape=shape).transitions
    if sparse:
        import scipy.sparse as sps

        transitions = sps.csr_array(P.reshape(S * A, S))
    return sb.MarkovGame(transitions, R, gamma=0.9, action_shape=shape, initial_distribution=mu), P, R, mu


def test_matrix_env_rewards_equal_payoffs():
    game = sb.get_game("maintain")
    env = matrix_env(game)
    state, _ = env.reset(jax.random.PRNGKey(0))
    for a1 in range(3):
        for a2 in range(3):
            _, _, rewards, done = env.step(jax.random.PRNGKey(1), state, jnp.array([a1, a2]))
            assert rewards.tolist() == [game.payoffs[0][a1, a2], game.payoffs[1][a1, a2]]
            assert bool(done)
    assert float(env.continuation(env.step(jax.random.PRNGKey(1), state, jnp.array([0, 0]))[0])) == 0.0


def test_matrix_env_episode_length_and_time_feature():
    env = matrix_env(sb.get_game("escape"), episode_length=3)
    state, obs = env.reset(jax.random.PRNGKey(0))
    dones = []
    for t in range(3):
        state, obs, _, done = env.step(jax.random.PRNGKey(t), state, jnp.array([0, 0]))
        dones.append(bool(done))
    assert dones == [False, False, True]
    assert obs.shape == (2, 2) and np.allclose(np.asarray(obs[:, 1]), 1.0)


@pytest.mark.parametrize("sparse", [False, True])
def test_markov_env_rewards_and_transition_frequencies(sparse):
    game, P, R, mu = _random_game(3, sparse)
    env = markov_env(game)
    S, A = P.shape[:2]
    n = 4000
    keys = jax.random.split(jax.random.PRNGKey(7), n)

    @jax.jit
    def sample(s, actions):
        def one(key):
            nxt, _, rewards, _ = env.step(key, sb_state(s), actions)
            return nxt.s, rewards

        return jax.vmap(one)(keys)

    def sb_state(s):
        from stackelberg.neural.envs import EnvState

        return EnvState(jnp.int32(s), jnp.int32(0))

    for s in range(S):
        for a in range(A):
            actions = jnp.array(np.unravel_index(a, (2, 3)), dtype=jnp.int32)
            nxt, rewards = sample(s, actions)
            freq = np.bincount(np.asarray(nxt), minlength=S) / n
            assert np.max(np.abs(freq - P[s, a])) < 4.5 * np.sqrt(0.25 / n)
            assert np.allclose(np.asarray(rewards[0]), R[:, s, a], atol=1e-6)
            assert set(np.flatnonzero(freq)) <= set(np.flatnonzero(P[s, a]))
    starts = jax.vmap(lambda k: env.reset(k)[0].s)(keys)
    freq = np.bincount(np.asarray(starts), minlength=S) / n
    assert np.max(np.abs(freq - mu)) < 4.5 * np.sqrt(0.25 / n) and freq[1] == 0


def test_markov_env_terminal_and_discounts():
    game = sb.biac_grid_game()
    env = markov_env(game, horizon=10)
    state, obs = env.reset(jax.random.PRNGKey(0))
    assert game.state_names[int(state.s)] == "(0,2)|(2,0)" and obs.shape == (2, 82)
    # leader S, S then follower E, E: both reach (2,2) after two steps, pay 20 in the third, then the sink
    plan = [(1, 2), (1, 2), (4, 4)]
    total = []
    for t, actions in enumerate(plan):
        state, obs, rewards, done = env.step(jax.random.PRNGKey(t), state, jnp.array(actions))
        total.append(rewards.tolist())
    assert total == [[0.0, 0.0], [0.0, 0.0], [20.0, 20.0]]
    assert bool(done) and game.state_names[int(state.s)] == "Sink"
    assert float(env.continuation(state)) == 0.0
    # a truncated discounted game keeps bootstrapping at its time limit
    mid = state._replace(s=jnp.int32(0), t=jnp.int32(10))
    assert float(env.continuation(mid)) == pytest.approx(0.9)


def test_finite_horizon_game_ends_at_its_horizon():
    game, P, R, mu = _random_game(1, False)
    finite = sb.MarkovGame(game.transitions, R, horizon=2, action_shape=(2, 3))
    env = markov_env(finite)
    assert env.horizon == 2 and env.time_feature and env.obs_dim == 5
    state, _ = env.reset(jax.random.PRNGKey(0))
    state, _, _, done = env.step(jax.random.PRNGKey(1), state, jnp.array([0, 0]))
    assert not bool(done) and float(env.continuation(state)) == 1.0
    state, obs, _, done = env.step(jax.random.PRNGKey(2), state, jnp.array([0, 0]))
    assert bool(done) and float(env.continuation(state)) == 0.0 and float(obs[0, -1]) == 1.0
    with pytest.raises(ValueError, match="horizon"):
        markov_env(finite, horizon=3)


def test_step_autoreset_resets_finished_episodes():
    env = matrix_env(sb.get_game("escape"), episode_length=2)
    state, obs = env.reset(jax.random.PRNGKey(0))
    state, obs, rewards, done, next_obs, discount = step_autoreset(env, jax.random.PRNGKey(1), state, jnp.array([2, 2]))
    assert int(state.t) == 1 and not bool(done) and float(discount) == 1.0
    state, obs, rewards, done, next_obs, discount = step_autoreset(env, jax.random.PRNGKey(2), state, jnp.array([2, 2]))
    assert int(state.t) == 0 and bool(done) and float(discount) == 0.0
    assert float(next_obs[0, 1]) == 1.0 and float(obs[0, 1]) == 0.0


def test_env_jits_and_vmaps():
    env = grid_env(4, 0.9)
    keys = jax.random.split(jax.random.PRNGKey(0), 8)
    states, obs = jax.jit(jax.vmap(env.reset))(keys)
    actions = jnp.zeros((8, 2), jnp.int32)
    out = jax.jit(jax.vmap(env.step))(keys, states, actions)
    assert out[1].shape == (8, 2, 5) and out[2].shape == (8, 2)


def test_large_coordination_grid_is_sparse_and_has_features():
    game = coordination_grid_game(15)
    assert game.n_states == 15**4 + 1 == 50_626 and game.is_sparse
    features = grid_features(15)
    assert features.shape == (50_626, 5)
    start = int(np.argmax(game.initial_distribution))
    assert game.state_names[start] == "(0,14)|(14,0)"
    assert features[start].tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="features"):
        markov_env(game)


def test_bad_arguments():
    with pytest.raises(TypeError, match="NormalFormGame"):
        matrix_env(sb.biac_grid_game())
    with pytest.raises(TypeError, match="MarkovGame"):
        markov_env(sb.get_game("escape"))
    with pytest.raises(ValueError, match="episode_length"):
        matrix_env(sb.get_game("escape"), episode_length=0)
    with pytest.raises(ValueError, match="features"):
        markov_env(sb.biac_grid_game(), features=np.ones((3, 2)))
