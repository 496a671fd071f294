"""The host-loop learners: one gradient step against a hand-computed loss, determinism, pickling, a short run on
the two-vehicle merge, configuration errors."""

import pickle
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stackelberg.neural.host_offpolicy import (
    BiACHostConfig,
    BiACLearner,
    IDQNHostConfig,
    IDQNLearner,
    MADDPGHostConfig,
    MADDPGLearner,
)

SPEC = SimpleNamespace(n_agents=2, observation_shape=(2, 5), n_actions=5)  # the two-vehicle merge's
TINY = {"hidden": (4,), "batch_size": 1, "buffer_size": 16, "explore_steps": 0, "max_grad_norm": 1e6}
LEARNERS = {
    "bi-ac": lambda **kw: BiACLearner(BiACHostConfig(**{**TINY, **kw})),
    "i-dqn": lambda **kw: IDQNLearner(IDQNHostConfig(**{**TINY, **kw})),
    "maddpg": lambda **kw: MADDPGLearner(MADDPGHostConfig(**{**TINY, **kw})),
}


def _key(*words):
    return np.asarray(words, dtype=np.uint32)


def _batch(steps, n_agents=2, observation_shape=(2, 5), terminal_last=True, seed=0):
    rng = np.random.default_rng(seed)
    shape = (steps, n_agents, *observation_shape)
    return {
        "obs": rng.normal(size=shape).astype(np.float32),
        "actions": rng.integers(5, size=(steps, n_agents)),
        "rewards": rng.normal(size=(steps, n_agents)),
        "next_obs": rng.normal(size=shape).astype(np.float32),
        "terminated": np.array([False] * (steps - 1) + [terminal_last]),
        "truncated": np.zeros(steps, bool),
        "key": _key(7, seed),
    }


def _forward(params, x):
    """The ReLU MLP by hand: hidden layers, then a linear output."""
    layers = params["params"]
    names = sorted(layers, key=lambda name: int(name.split("_")[1]))
    for name in names[:-1]:
        x = jnp.maximum(x @ layers[name]["kernel"] + layers[name]["bias"], 0.0)
    return x @ layers[names[-1]]["kernel"] + layers[names[-1]]["bias"]


def _adam_first_step(old, loss, lr):
    """One Adam step from a fresh state: ``-lr * g / (|g| + 1e-8)`` (bias-corrected moments are g and g^2)."""
    grads = jax.grad(loss)(old)
    return jax.tree_util.tree_map(lambda p, g: p - lr * g / (jnp.abs(g) + 1e-8), old, grads)


def _assert_trees_close(actual, expected, atol=1e-6):
    for a, b in zip(jax.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=atol)


def test_idqn_one_step_is_an_adam_step_on_the_hand_computed_td_loss():
    learner = LEARNERS["i-dqn"]()
    params = learner.init(SPEC, _key(0, 1))
    batch = _batch(1)  # one terminal transition: target = reward, exactly one gradient step on it
    new = learner.update(params, batch)
    s = jnp.asarray(batch["obs"].reshape(-1))
    for i in range(2):
        a, r = int(batch["actions"][0, i]), float(batch["rewards"][0, i])

        def loss(p):
            return (_forward(p, s)[a] - r) ** 2

        expected = _adam_first_step(params["networks"][f"q{i}"], loss, 1e-3)
        _assert_trees_close(new["networks"][f"q{i}"], expected)
        polyak = jax.tree_util.tree_map(lambda old, n: 0.99 * old + 0.01 * n, params["networks"][f"q{i}"], expected)
        _assert_trees_close(new["target"][f"q{i}"], polyak)
    assert new["t"] == 1 and float(new["buffer"]["continuation"][0]) == 0.0


def test_biac_one_step_moves_both_critics_by_their_hand_computed_losses_and_the_actor():
    learner = LEARNERS["bi-ac"]()
    params = learner.init(SPEC, _key(0, 2))
    batch = _batch(1, seed=1)
    new = learner.update(params, batch)
    s = jnp.asarray(batch["obs"].reshape(-1))
    a1, a2 = (int(a) for a in batch["actions"][0])
    for name, index, lr in (("q1", 0, 1e-3), ("q2", 1, 5e-4)):  # leader's critic learns faster
        r = float(batch["rewards"][0, index])

        def loss(p):
            return (_forward(p, s).reshape(5, 5)[a1, a2] - r) ** 2  # Q_i(s, a1, a2) against y_i = r_i

        _assert_trees_close(new["networks"][name], _adam_first_step(params["networks"][name], loss, lr))
    # the follower's actor moved (its Gumbel-softmax loss depends on the noise: only checked to change)
    before, after = jax.tree_util.tree_leaves(params["networks"]["pi"]), jax.tree_util.tree_leaves(
        new["networks"]["pi"])
    assert any(not np.allclose(b, a) for b, a in zip(before, after))


def test_maddpg_one_step_moves_each_centralised_critic_by_its_hand_computed_loss():
    learner = LEARNERS["maddpg"]()
    params = learner.init(SPEC, _key(0, 3))
    batch = _batch(1, seed=2)
    new = learner.update(params, batch)
    s = jnp.asarray(batch["obs"].reshape(-1))
    a = tuple(int(x) for x in batch["actions"][0])
    for i in range(2):
        r = float(batch["rewards"][0, i])

        def loss(p):
            return (_forward(p, s).reshape(5, 5)[a] - r) ** 2

        _assert_trees_close(new["networks"][f"q{i}"], _adam_first_step(params["networks"][f"q{i}"], loss, 1e-3))


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_update_is_deterministic_pure_and_pickles(name):
    learner = LEARNERS[name]()
    params = learner.init(SPEC, _key(5, 5))
    again = learner.init(SPEC, _key(5, 5))
    other = learner.init(SPEC, _key(5, 6))
    batch = _batch(4, seed=3)
    first, second = learner.update(params, batch), learner.update(again, batch)
    _assert_trees_close(first, second, atol=0.0)
    assert any(not np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(params["networks"]),
                                                         jax.tree_util.tree_leaves(other["networks"])))
    # update returns new params and leaves the given ones alone
    assert params["t"] == 0 and not params["buffer"]["obs"].any()
    changed = [not np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(params["networks"]),
                                                        jax.tree_util.tree_leaves(first["networks"]))]
    assert any(changed)
    # params and learner survive a pickle round trip: same actions, same next update
    restored = pickle.loads(pickle.dumps(first))
    twin = pickle.loads(pickle.dumps(learner))
    obs = batch["obs"][0]
    assert twin.config() == learner.config()
    assert learner.act(first, obs, _key(1, 1)).tolist() == twin.act(restored, obs, _key(1, 1)).tolist()
    _assert_trees_close(learner.update(first, _batch(3, seed=4)), twin.update(restored, _batch(3, seed=4)), 0.0)


@pytest.mark.parametrize("learner", [LEARNERS["i-dqn"](), LEARNERS["maddpg"]()])
def test_idqn_and_maddpg_take_any_number_of_agents(learner):
    spec = SimpleNamespace(n_agents=3, observation_shape=(2,), n_actions=5)
    params = learner.init(spec, _key(0, 0))
    new = learner.update(params, _batch(3, n_agents=3, observation_shape=(2,)))
    assert new["t"] == 3 and new["buffer"]["actions"].shape == (params["buffer"]["actions"].shape[0], 3)
    actions = learner.act(new, np.zeros((3, 2), np.float32), _key(0, 1))
    assert actions.shape == (3,) and ((0 <= actions) & (actions < 5)).all()


def test_exploration_is_uniform_first_then_greedy_when_asked():
    config = BiACHostConfig(**{**TINY, "explore_steps": 1000})
    explorer, greedy = BiACLearner(config), BiACLearner(config, greedy=True)
    params = explorer.init(SPEC, _key(1, 2))
    obs = np.ones((2, 2, 5), np.float32)
    explored = {tuple(explorer.act(params, obs, _key(0, k)).tolist()) for k in range(40)}
    greedy_actions = {tuple(greedy.act(params, obs, _key(0, k)).tolist()) for k in range(5)}
    assert len(explored) > 10 and len(greedy_actions) == 1
    assert greedy.config()["greedy"] is True and explorer.config()["greedy"] is False


def test_a_few_hundred_steps_on_the_two_vehicle_merge():
    import gymnasium as gym

    from stackelberg.highway import EnvSpec, init_key, run_episode

    env = gym.make("stackelberg/TwoVehicleMerge-v0")
    env.reset(seed=0)
    spec = EnvSpec.of(env)
    total = 0
    for learner in (LEARNERS["bi-ac"](), LEARNERS["maddpg"](), LEARNERS["i-dqn"]()):  # compiled above
        params = learner.init(spec, init_key(0))
        steps = 0
        for episode in range(8):
            params, record = run_episode(env, learner, params, seed=0, episode=episode)
            steps += record["steps"]
            assert record["outcome"] in {"main_first", "ramp_first", "crash", "timeout"}
        assert params["t"] == steps > 50
        total += steps
    assert total >= 200


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: BiACHostConfig(gamma=-0.1), "gamma"),
        (lambda: BiACHostConfig(leader_lr=-1.0), "leader_lr"),
        (lambda: IDQNHostConfig(batch_size=0), "batch_size"),
        (lambda: IDQNHostConfig(buffer_size=0), "buffer_size"),
        (lambda: MADDPGHostConfig(updates_per_step=0), "updates_per_step"),
        (lambda: MADDPGHostConfig(target_rate=-0.5), "target_rate"),
        (lambda: MADDPGHostConfig(hidden=(0,)), "hidden"),
        (lambda: BiACLearner().init(SimpleNamespace(n_agents=0, observation_shape=(2,), n_actions=5),
                                    _key(0, 0)), "spec.n_agents"),
        (lambda: IDQNLearner().init(SPEC, np.zeros(3, np.uint32)), "key"),
        (lambda: BiACLearner(greedy="yes"), "greedy"),
    ],
)
def test_bad_settings_raise_naming_the_argument(make, argument):
    with pytest.raises((ValueError, TypeError), match=argument):
        make()


def test_a_config_of_another_learner_is_refused():
    with pytest.raises(TypeError, match="config must be a BiACHostConfig"):
        BiACLearner(IDQNHostConfig())
