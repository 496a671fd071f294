"""Tests of stackelberg.solvers.incentives.sampled_lio: the giver's sampled meta-gradient and cost gradient against
finite differences of the sampled LIO objective (Eq. 5.10) through the recipients' REINFORCE step, the asymmetric
room's rules, the learners' bookkeeping, the 2-TS baseline and argument checks."""

import numpy as np
import pytest

from stackelberg.solvers.incentives import (
    SAMPLED_LIO_LEARNERS,
    sampled_lio_trajectory,
    two_timescale_asymmetric,
)
from stackelberg.solvers.incentives.sampled_designer import _Room
from stackelberg.solvers.incentives.sampled_lio import _Givers, _policy_step, _rescored, _weights_to_go


@pytest.mark.parametrize("asymmetric, n, m, hidden", [(False, 3, 2, 0), (False, 2, 1, 3), (True, 2, 1, 0)])
def test_giver_gradients_are_the_gradients_of_the_sampled_lio_objective(numeric_gradient, asymmetric, n, m, hidden):
    rng = np.random.default_rng(1)
    room = _Room(n, m, 5, 0.99, rng, asymmetric=asymmetric)
    theta = 0.5 * rng.standard_normal((n, room.F, 3))
    givers = _Givers(room, (0,) if asymmetric else tuple(range(n)), hidden, 2.0, "sigmoid", rng)
    givers.params = [rng.standard_normal(givers.net.size) for _ in range(n)]
    eps, alpha, B = 0.3, 0.7, 6
    tau = room.episodes(theta, B, eps, givers.pay)
    fresh = room.episodes(_policy_step(room, theta, tau, alpha, 0.01, eps, tau.paid), B, eps)
    go = room.to_go(fresh.rewards[..., :1], fresh.alive)  # giver 0's extrinsic return-to-go on tau_hat
    v = room.score_dot(fresh, go.repeat(n, -1))
    benefit, penalty = givers.gradients(0, tau, _weights_to_go(room, tau, v) * givers.recipients[0], alpha)

    def with_params(params, fn):
        old, givers.params[0] = givers.params[0], params
        try:
            return fn()
        finally:
            givers.params[0] = old

    def objective(params):  # Eq. 5.10 on fixed episodes: sum_k sum_t log pi_theta_hat^k(a_t) G^0_t
        received = with_params(params, lambda: sum(2.0 * givers.outputs(j, tau.phi, tau.actions)[0]
                                                   for j in givers.givers)) * tau.alive[..., None]
        new = _policy_step(room, theta, tau, alpha, 0.01, eps, received)
        logp = np.log(_rescored(room, fresh, new, eps).beh_chosen)
        return sum((logp[..., k] * go[..., 0] * fresh.alive).sum() / B for k in range(1, n))

    def cost(params):  # Eq. 5.6 on tau, on the sigmoid outputs (the authors' code)
        sig = with_params(params, lambda: givers.outputs(0, tau.phi, tau.actions)[0])
        return ((0.99 ** np.arange(5))[None, :, None] * tau.alive[..., None] * sig).sum() / B

    p = givers.params[0]
    assert np.allclose(benefit, numeric_gradient(objective, p), atol=1e-7)
    assert np.allclose(penalty, numeric_gradient(cost, p), atol=1e-7)
    assert np.abs(benefit).max() > 1e-3


def test_asymmetric_room_masks_the_other_position_and_pays_by_the_thesis_rules():
    room = _Room(2, 1, 5, 0.99, np.random.default_rng(0), asymmetric=True)
    batch = room.episodes(np.zeros((2, 7, 3)), 400, 0.5)
    acted = batch.actions[batch.alive > 0]
    assert not np.any(acted[:, 0] == 1) and not np.any(acted[:, 1] == 2)  # A1 never pulls, A2 never exits
    first = batch.actions[:, 0]
    a1 = batch.rewards[:, 0, 0]
    assert np.all(a1[(first[:, 1] == 1) & (first[:, 0] == 2)] == 10.0)
    assert np.all(a1[first[:, 1] == 0] == -1.0) and np.all(a1[(first[:, 1] == 1) & (first[:, 0] == 0)] == 0.0)
    assert np.all(batch.rewards[:, 0, 1] == np.where(first[:, 1] == 1, -1.0, 0.0))


@pytest.mark.parametrize("learner", SAMPLED_LIO_LEARNERS)
def test_every_learner_runs_and_only_givers_pay(learner):
    run = sampled_lio_trajectory(3, 2, learner=learner, n_iterations=30, seed=0, record_every=10, eval_episodes=20)
    assert run.steps.tolist() == [10, 20, 30]
    per_iteration = 2 if learner in ("lio", "lio-dec") else 1
    assert run.episodes.tolist() == [10 * per_iteration, 20 * per_iteration, 30 * per_iteration]
    assert np.allclose(run.received.sum(1), run.given.sum(1))  # what is paid is received
    assert np.allclose(run.received_per_action.sum(-1), run.received)
    if learner == "pg":
        assert np.all(run.received == 0)
    else:
        assert np.all(run.received > 0)
    again = sampled_lio_trajectory(3, 2, learner=learner, n_iterations=30, seed=0, record_every=10, eval_episodes=20)
    assert np.array_equal(run.collective_return, again.collective_return)


def test_asymmetric_lio_only_a1_gives():
    run = sampled_lio_trajectory(learner="lio", asymmetric=True, n_iterations=20, seed=1, record_every=20,
                                 eval_episodes=10)
    assert run.given[-1, 1] == 0 and run.given[-1, 0] > 0 and run.received[-1, 0] == 0


def test_two_timescale_baseline_bookkeeping():
    run = two_timescale_asymmetric(n_epochs=4, epoch_episodes=6, test_episodes=3, seed=0)
    assert run.episodes.tolist() == [9, 18, 27, 36] and run.q.shape == (4, 2)
    assert np.all(run.collective_return <= 9.0) and np.all(run.a1_return >= -5.0)
    assert np.all((run.given >= 0) & (run.given <= 2.0 * 5))


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="learner"):
        sampled_lio_trajectory(learner="lola", n_iterations=1)
    with pytest.raises(ValueError, match="asymmetric"):
        sampled_lio_trajectory(3, 2, asymmetric=True, n_iterations=1)
    with pytest.raises(ValueError, match="m_required"):
        sampled_lio_trajectory(2, 2, n_iterations=1)
    with pytest.raises(ValueError, match="n_epochs"):
        two_timescale_asymmetric(n_epochs=0)
