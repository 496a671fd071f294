"""Tests of stackelberg.solvers.coordination.followers: Lemma 3's abstraction followers and their exact references."""

import numpy as np
import pytest

from stackelberg.games.coordination import resource_collection
from stackelberg.solvers.coordination.followers import (
    follower_best_response,
    follower_meta_mdp,
    train_abstraction_follower,
)
from stackelberg.solvers.markov.dynamic_programming import policy_evaluation


def persistent_offer(game, offer):
    """A leader that offers ``offer`` to a follower without contract and keeps any contract in force."""
    X, O = game.n_cells * game.n_offers, game.n_offers
    law = np.zeros((X, O))
    contracts = np.arange(X) % O
    law[np.arange(X), np.where(contracts == 0, offer, contracts)] = 1.0
    return law


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_meta_mdp_agrees_with_the_simulator_for_the_rule_based_follower(noise):
    # the rule-based follower is one meta-policy: z = its target (contract goal if it would sign, else its own
    # preferred goal). Its exact value in the meta MDP equals the simulated reward of rule-based followers.
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0, noise=noise)
    follower, offer = 2, game.offer_index(0, 2.0)
    law = persistent_offer(game, offer)
    mdp = follower_meta_mdp(game, follower, law)
    X, O = mdp.n_states, game.n_offers
    contracts = np.arange(X) % O
    own = game.pool[follower].preferred_goal
    target_offer = np.where(contracts == 0, offer, contracts)
    signs = np.array([game.accepts(follower, int(o)) or c == o for c, o in zip(contracts, target_offer)])
    z = np.where(signs, game.offer_goals[target_offer], own)
    exact = float(mdp.initial_distribution @ policy_evaluation(mdp, z)[0])
    rng = np.random.default_rng(0)
    cells, contract = game.initial_state(20000)
    total = np.zeros(20000)
    for _ in range(game.horizon):
        offers = np.where(contract == 0, offer, contract)
        out = game.step(cells, contract, offers, [follower], rng=rng)
        total += out.follower_rewards[:, 0]
        cells, contract = out.cells, out.contracts
    assert total.mean() == pytest.approx(exact, abs=4 * total.std() / np.sqrt(total.size) + 1e-12)


def test_best_response_beats_the_rule_and_may_betray():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    law = persistent_offer(game, game.offer_index(0, 2.0))
    follower = 0  # prefers goal 1 (u = 2); goal 0 pays -1: the rule refuses (-1 + 2 is not above 2)
    assert not game.accepts(follower, game.offer_index(0, 2.0))
    value, policy = follower_best_response(game, follower, law)
    rule_value, _ = follower_best_response(game, follower, np.eye(game.n_offers)[np.zeros(45, dtype=int)])
    assert rule_value == pytest.approx(4.0)  # the rule's behaviour: two trips to goal 1
    assert value >= rule_value - 1e-12
    # goal 1 once (+2), then sign for the bonus (+2), walk towards goal 0 and at the last step betray the
    # contract to finish goal 1 again (+2 - 1)
    assert value == pytest.approx(5.0)


def test_lemma3_follower_learns_its_best_response():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0, noise=0.1)
    law = persistent_offer(game, game.offer_index(0, 2.0))
    result = train_abstraction_follower(game, 3, law, n_iterations=300, batch_size=32, evaluate_every=100, seed=0)
    assert result.iterations.tolist() == [0, 100, 200, 300]
    assert result.final_value >= 0.9 * result.best_response_value
    assert result.final_value <= result.best_response_value + 1e-9


def test_argument_errors():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    with pytest.raises(ValueError, match="offer_law must have shape"):
        follower_meta_mdp(game, 0, np.ones((3, 5)))
    with pytest.raises(ValueError, match="offer_law rows"):
        follower_meta_mdp(game, 0, np.ones((45, 5)))
    with pytest.raises(ValueError, match="exploration"):
        train_abstraction_follower(game, 0, persistent_offer(game, 1), exploration=2.0)
    with pytest.raises(ValueError, match="follower"):
        follower_best_response(game, 99, persistent_offer(game, 1))


# ---------------------------------------------------------------------- vanilla followers (primitive moves)
from stackelberg.solvers.coordination.followers import (  # noqa: E402
    train_vanilla_follower,
    vanilla_follower_best_response,
    vanilla_follower_mdp,
    vanilla_signs,
    vanilla_state,
)


def no_offer(game):
    return np.eye(game.n_offers)[np.zeros(game.n_cells * game.n_offers, dtype=int)]


@pytest.mark.parametrize("follower", [0, 1])
def test_vanilla_follower_learns_the_best_response(follower):
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0)
    law = no_offer(game)
    meta_value, _ = follower_best_response(game, follower, law)
    result = train_vanilla_follower(game, follower, law, n_iterations=150, evaluate_every=50, seed=0)
    # without offers, moves are all a follower chooses: both kinds have the same best response
    assert result.best_response_value == pytest.approx(meta_value, abs=1e-9)
    assert result.final_value == pytest.approx(result.best_response_value, abs=1e-9)
    assert result.values[0] < result.best_response_value  # it did learn (the all-zero table walks north)


def test_vanilla_follower_learns_to_sign_a_good_offer_and_nearly_under_noise():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=6, seed=0, noise=0.2)
    follower = 1  # prefers goal 0 (u = 2): the offer (goal 0, bonus 2) adds a bonus to every trip
    law = persistent_offer(game, game.offer_index(0, 2.0))
    result = train_vanilla_follower(game, follower, law, n_iterations=200, evaluate_every=100, seed=0)
    assert result.best_response_value > follower_best_response(game, follower, no_offer(game))[0]
    assert result.final_value >= 0.95 * result.best_response_value


def test_vanilla_mdp_value_agrees_with_simulating_its_policy():
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=5, seed=0, noise=0.3)
    follower, law = 1, persistent_offer(game, game.offer_index(0, 1.0))
    mdp = vanilla_follower_mdp(game, follower, law)
    _, policy = vanilla_follower_best_response(game, follower, law)
    exact = float(mdp.initial_distribution @ policy_evaluation(mdp, policy)[0])
    rng = np.random.default_rng(1)
    E, O = 20000, game.n_offers
    cells, contracts = game.initial_state(E)
    total = np.zeros(E)
    for t in range(game.horizon):
        offers = np.where(contracts == 0, game.offer_index(0, 1.0), contracts)
        moves = policy[t, vanilla_state(game, cells, contracts, offers)]
        signs = vanilla_signs(game, cells, offers, moves)
        executed = np.where(rng.random(moves.shape) < game.noise, rng.integers(0, 5, moves.shape), moves)
        out = game.step(cells, contracts, offers, [follower], moves=executed, signs=signs)
        total += out.follower_rewards[:, 0]
        cells, contracts = out.cells, out.contracts
    assert total.mean() == pytest.approx(exact, abs=4 * total.std() / np.sqrt(E) + 1e-12)
    assert mdp.n_states == 2 * game.n_cells * O


@pytest.mark.parametrize("kwargs, name", [(dict(n_iterations=0), "n_iterations"), (dict(lr=1.5), "lr"),
                                          (dict(exploration=1.2), "exploration"), (dict(batch_size=0), "batch_size"),
                                          (dict(slot=3), "slot")])
def test_vanilla_follower_rejects_bad_arguments_by_name(kwargs, name):
    game = resource_collection(grid_shape=(3, 3), n_goals=2, n_followers=1, horizon=3, seed=0)
    with pytest.raises(ValueError, match=name):
        train_vanilla_follower(game, 0, no_offer(game), **kwargs)
    with pytest.raises(ValueError, match="offer_law"):
        vanilla_follower_mdp(game, 0, np.ones((3, 3)))
