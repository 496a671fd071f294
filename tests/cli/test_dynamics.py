"""Tests of stackelberg.cli.dynamics: the printed outcomes are the library's, and the known answers hold."""

import json

import numpy as np
import pytest

from stackelberg.analysis.lio_study import lio_convergence_study
from stackelberg.games.catalog import prisoners_dilemma
from stackelberg.games.escape_room import escape_room
from stackelberg.solvers.incentives import incentive_trajectory, initial_logits


def _shares(out):
    return {row["outcome"]: row["share"] for row in json.loads(out)["outcomes"]}


@pytest.mark.parametrize("learners, outcome", [("lio,lio", "CC"), ("pg,pg", "DD")])
def test_dynamics_lio_ipd(cli, learners, outcome):
    """Prop. 3: two LIO agents learn to cooperate from every start; two policy-gradient agents defect."""
    code, out, _ = cli("dynamics", "lio-ipd", "--learners", learners, "--steps", "300", "--points", "2",
                       "--format", "json")
    assert code == 0
    shares = _shares(out)
    assert shares[outcome] == 1.0
    study = lio_convergence_study(prisoners_dilemma(), n_steps=300, points_per_axis=2, gamma=0.9, alpha=0.01,
                                  beta=0.01, cost=0.0, learners=tuple(learners.split(",")),
                                  incentive_bounds=(0.0, 3.0))
    labels = {"00": "CC", "01": "CD", "10": "DC", "11": "DD", "mixed": "mixed"}
    assert shares == {labels[k]: float(v) for k, v in study.fractions.items()}


def _trajectory(args, sampled=False, optimizer="adam", population="pg", steps=100):
    game = escape_room(2, 1, horizon=5)
    common = dict(n_steps=steps, logits0=initial_logits(game, scale=0.5, seed=0), gamma=0.99, alpha=0.1, beta=0.1,
                  r_max=2.0, cost=0.1, exploration=0.1, record_every=50, entropy=0.0, incentive_optimizer=optimizer)
    if sampled:
        return incentive_trajectory(game, population, gradient="sampled", batch_size=32, seed=0, **common)
    return incentive_trajectory(game, population, **common)


def test_dynamics_escape_room_pg_fails_to_escape(cli):
    """Policy-gradient agents in ER(2,1) do not learn to escape (return far below the optimum 9)."""
    code, out, _ = cli("dynamics", "escape-room", "--population", "pg", "--steps", "100", "--format", "json")
    assert code == 0
    result = json.loads(out)
    expected = float(_trajectory(None).collective_return[-1])
    assert result["final_collective_return"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert result["final_collective_return"] < 1.0 < result["optimum"]


def test_dynamics_escape_room_sampled_passes_the_optimizer(cli):
    """--optimizer reaches the sampled trajectory (it used to be dropped with --sampled)."""
    returns = {}
    for optimizer in ("adam", "sgd"):
        code, out, _ = cli("dynamics", "escape-room", "--population", "lio", "--steps", "60", "--sampled",
                           "--optimizer", optimizer, "--format", "json", "--no-progress")
        assert code == 0
        returns[optimizer] = json.loads(out)["final_collective_return"]
        expected = float(_trajectory(None, sampled=True, optimizer=optimizer, population="lio",
                                     steps=60).collective_return[-1])
        assert returns[optimizer] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert not np.isclose(returns["adam"], returns["sgd"])
