"""Tests of stackelberg.solvers.coordination.ebpg: Proposition 1 and Remark 2 checked exactly, and the trainer.

Tolerances: the exact expectations agree with central finite differences (step 1e-5) of the exact value to 1e-8
absolute (the finite-difference error is O(step^2) times the third derivative, about 1e-10 here); the
trajectory enumeration agrees with the dynamic-programming expectation to 1e-10; sampled means agree with the
exact expectations along fixed directions within 4 standard errors.
"""

import itertools

import numpy as np
import pytest

from stackelberg.games.coordination import MOVES, resource_collection
from stackelberg.solvers.coordination.ebpg import (
    EBPGGradient,
    TabularEventLeader,
    ebpg_expectation,
    ebpg_samples,
    exact_gradient,
    finite_difference_gradient,
    leader_policy_value,
    sample_event_trajectories,
    tabular_event_leader,
    train_event_leader,
)
from stackelberg.solvers.coordination.leader_mdp import leader_optimum


def tiny(noise=0.2, horizon=3, n_followers=1, grid_shape=(3, 3)):
    """The issue's tiny instance: one follower, two goals, a 3x3 grid, a short horizon."""
    return resource_collection(grid_shape=grid_shape, n_goals=2, n_followers=n_followers, horizon=horizon,
                               seed=0, noise=noise)


@pytest.fixture(scope="module")
def tiny_case():
    game = tiny()
    leader = tabular_event_leader(game, scale=1.0, seed=1)
    return game, leader, finite_difference_gradient(game, [0], leader)


def enumerate_expectation(game, followers, leader, form):
    """Sum over every trajectory of the semi-MDP (terminations, offers, moves) of P(tau) * score * R(tau)."""
    beta, mu = leader.termination, leader.policy
    N, H, X, O = mu.shape
    grad_theta, grad_policy = np.zeros(beta.shape), np.zeros(mu.shape)
    move_law = lambda rule: [(1 - game.noise) * (m == rule) + game.noise / len(MOVES) for m in range(len(MOVES))]

    def decisions(k, t, x):
        b, c = beta[k, t, x], x % O
        keep_theta, event_theta = (1 - b, -b) if form == "printed" else (-b, 1 - b)  # printed: cases swapped
        s_policy = (np.eye(O)[c] - mu[k, t, x]) if form == "dense" else np.zeros(O)
        yield 1 - b, c, keep_theta, s_policy
        for o in range(O):
            yield b * mu[k, t, x, o], o, event_theta, np.eye(O)[o] - mu[k, t, x]

    def walk(t, cells, contracts, probability, reward, scores):
        nonlocal grad_theta, grad_policy
        if t == H:
            for (k, tt, x), (s_theta, s_policy) in scores:
                grad_theta[k, tt, x] += probability * reward * s_theta
                grad_policy[k, tt, x] += probability * reward * s_policy
            return
        xs = [cells[k] * O + contracts[k] for k in range(N)]
        for choice in itertools.product(*(list(decisions(k, t, xs[k])) for k in range(N))):
            p_dec = np.prod([c[0] for c in choice])
            offers = [c[1] for c in choice]
            contract, signed, bonus = game.sign(np.array(followers), np.array(contracts), np.array(offers))
            rules = game.rule_moves(np.array(followers), np.array(cells), contract)
            laws = [[(m, p) for m, p in enumerate(move_law(rules[k])) if p > 0] for k in range(N)]
            for pairs in itertools.product(*laws):
                moves = [m for m, _ in pairs]
                p_move = np.prod([p for _, p in pairs])
                out = game.step([cells], [contracts], [offers], followers, moves=[list(moves)])
                new_scores = scores + [((k, t, xs[k]), (choice[k][2], choice[k][3])) for k in range(N)]
                walk(t + 1, out.cells[0].tolist(), out.contracts[0].tolist(), probability * p_dec * p_move,
                     reward + out.leader_rewards.sum(), new_scores)

    cells, contracts = game.initial_state(1)
    walk(0, cells[0].tolist(), contracts[0].tolist(), 1.0, 0.0, [])
    return EBPGGradient(grad_theta, grad_policy)


def test_sparse_ebpg_expectation_is_the_exact_gradient(tiny_case):
    game, leader, fd = tiny_case
    assert np.linalg.norm(fd.flat()) > 0.1  # a gradient worth comparing
    np.testing.assert_allclose(exact_gradient(game, [0], leader).flat(), fd.flat(), rtol=0, atol=1e-8)
    np.testing.assert_allclose(ebpg_expectation(game, [0], leader, form="sparse").flat(), fd.flat(), rtol=0,
                               atol=1e-8)


def test_dense_ebpg_expectation_is_biased_by_the_kept_actions_term(tiny_case):
    game, leader, fd = tiny_case
    dense = ebpg_expectation(game, [0], leader, form="dense")
    np.testing.assert_allclose(dense.termination, fd.termination, rtol=0, atol=1e-8)  # same beta part
    relative = np.linalg.norm(dense.policy - fd.policy) / np.linalg.norm(fd.policy)
    assert relative > 0.3  # Remark 2's keep-term is not a score: the dense form is biased
    cosine = dense.flat() @ fd.flat() / np.linalg.norm(dense.flat()) / np.linalg.norm(fd.flat())
    assert 0.5 < cosine < 0.99  # but still an ascent direction here


def test_printed_termination_cases_are_biased():
    # Proposition 1 as printed swaps the cases of I: -grad(beta)/(1-beta) on events, grad(beta)/beta otherwise
    # (with beta = sigmoid: -beta and 1 - beta). Its exact expectation is not the gradient; Appendix A's
    # derivative (the sparse form here) is.
    game = tiny(noise=0.2, horizon=2)
    leader = tabular_event_leader(game, scale=1.0, seed=1)
    printed = enumerate_expectation(game, [0], leader, "printed").termination
    correct = exact_gradient(game, [0], leader).termination
    np.testing.assert_allclose(enumerate_expectation(game, [0], leader, "sparse").termination, correct, atol=1e-10)
    assert np.linalg.norm(printed - correct) > 0.5 * np.linalg.norm(correct)


@pytest.mark.parametrize("form", ["sparse", "dense"])
@pytest.mark.parametrize("noise,horizon", [(0.0, 3), (0.2, 2)])
def test_dynamic_programming_expectation_equals_trajectory_enumeration(form, noise, horizon):
    game = tiny(noise=noise, horizon=horizon)
    leader = tabular_event_leader(game, scale=1.0, seed=2)
    enumerated = enumerate_expectation(game, [0], leader, form)
    np.testing.assert_allclose(ebpg_expectation(game, [0], leader, form=form).flat(), enumerated.flat(), rtol=0,
                               atol=1e-10)


@pytest.mark.parametrize("form", ["sparse", "dense"])
def test_two_followers_cross_terms(form):
    # with N = 2 the total return carries the other follower's reward: the dense form picks up a cross term
    game = tiny(noise=0.0, horizon=2, n_followers=2, grid_shape=(1, 3))
    leader = tabular_event_leader(game, scale=1.0, seed=3)
    followers = game.sample_followers(seed=1)
    enumerated = enumerate_expectation(game, followers.tolist(), leader, form)
    np.testing.assert_allclose(ebpg_expectation(game, followers, leader, form=form).flat(), enumerated.flat(),
                               rtol=0, atol=1e-10)
    if form == "sparse":
        np.testing.assert_allclose(enumerated.flat(), exact_gradient(game, followers, leader).flat(), atol=1e-10)


@pytest.mark.parametrize("form", ["sparse", "dense"])
def test_sampled_estimator_mean_matches_the_exact_expectation(tiny_case, form):
    game, leader, _ = tiny_case
    exact = ebpg_expectation(game, [0], leader, form=form).flat()
    samples = ebpg_samples(sample_event_trajectories(game, [0], leader, 8000, seed=11), leader, form=form)
    per_episode = np.concatenate([samples.termination.reshape(8000, -1), samples.policy.reshape(8000, -1)], axis=1)
    rng = np.random.default_rng(0)
    directions = [exact / np.linalg.norm(exact)] + list(rng.standard_normal((4, exact.size)))
    for direction in directions:
        projection = per_episode @ direction
        error = projection.std(ddof=1) / np.sqrt(projection.size)
        assert abs(projection.mean() - exact @ direction) <= 4 * error


def test_leader_value_uses_the_marginal_offer_law():
    game = tiny(noise=0.0, horizon=4)
    best = leader_optimum(game, [0])
    always_keep = TabularEventLeader(np.full((1, 4, 45), -50.0), np.zeros((1, 4, 45, 5)))
    assert leader_policy_value(game, [0], always_keep) == pytest.approx(0.0, abs=1e-12)  # never offers anything
    greedy = best.slot_solutions[0].policy  # (H, X) offers
    logits = np.where(np.eye(5)[greedy][None], 50.0, -50.0)
    follow = TabularEventLeader(np.full((1, 4, 45), 50.0), logits)
    assert leader_policy_value(game, [0], follow) == pytest.approx(best.value, abs=1e-9)


def test_training_reaches_ninety_percent_of_the_exact_optimum():
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=0)
    followers = game.sample_followers(seed=0)
    best = leader_optimum(game, followers).value
    result = train_event_leader(game, followers, n_iterations=300, batch_size=32, evaluate_every=100, seed=0)
    assert result.iterations.tolist() == [0, 100, 200, 300]
    assert result.values[0] < 0.5 * best and result.final_value >= 0.9 * best
    assert result.final_value <= best + 1e-9
    assert result.final_value == pytest.approx(leader_policy_value(game, followers, result.leader))


def test_training_is_seeded_and_validates():
    game = tiny(noise=0.1, horizon=3)
    first = train_event_leader(game, [0], n_iterations=5, batch_size=4, evaluate_every=5, seed=3)
    again = train_event_leader(game, [0], n_iterations=5, batch_size=4, evaluate_every=5, seed=3)
    np.testing.assert_array_equal(first.values, again.values)
    with pytest.raises(ValueError, match="form"):
        train_event_leader(game, [0], form="medium")
    with pytest.raises(ValueError, match="critic_lr"):
        train_event_leader(game, [0], critic_lr=2.0)
    with pytest.raises(ValueError, match="leader must have tables"):
        leader_policy_value(game, [0], tabular_event_leader(tiny(horizon=2)))
    with pytest.raises(TypeError, match="leader"):
        exact_gradient(game, [0], "leader")
    with pytest.raises(ValueError, match="policy_logits"):
        TabularEventLeader(np.zeros((1, 3, 45)), np.zeros((1, 2, 45, 5)))


def test_fixed_commitment_intervals_keep_beta_fixed():
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=0)
    followers = game.sample_followers(seed=0)
    best = leader_optimum(game, followers).value
    result = train_event_leader(game, followers, n_iterations=40, batch_size=16, evaluate_every=40, seed=0,
                                commitment_interval=4)
    beta = result.leader.termination
    np.testing.assert_allclose(beta[:, [0, 4]], 1.0)  # decide anew at t = 0 and 4 only
    np.testing.assert_allclose(beta[:, [1, 2, 3, 5, 6, 7]], 0.0, atol=1e-20)
    assert result.final_value <= best
    with pytest.raises(ValueError, match="commitment_interval"):
        train_event_leader(game, followers, commitment_interval=0)
