"""The resumable multi-seed highway runner: an interrupted run resumes to the same records."""

import os

import pytest

from stackelberg.analysis.highway_study import (
    evaluate_highway_study,
    load_params,
    outcome_rates,
    run_highway_study,
)
from stackelberg.analysis.store import ResultStore
from stackelberg.highway import LinearQLearner

ENV_ID = "stackelberg/TwoVehicleMerge-v0"
RUN = dict(env_id=ENV_ID, seeds=[0, 1], episodes=4, chunk=2, progress=False)


class Interrupted(Exception):
    """The simulated kill of a worker in the middle of a chunk."""


class InterruptedLearner(LinearQLearner):
    """LinearQLearner (same name and config, so the same study) that dies in the update of one episode."""

    def __init__(self, die_at_update: int):
        super().__init__()
        self.die_at_update, self.updates = die_at_update, 0

    def update(self, params, batch):
        self.updates += 1
        if self.updates == self.die_at_update:
            raise Interrupted
        return super().update(params, batch)


class GreedyNoUpdate(LinearQLearner):
    """A greedy linear Q-learner whose update must never be called."""

    def __init__(self):
        super().__init__(epsilon=0.0)

    def update(self, params, batch):
        raise AssertionError("evaluation episodes must not update")


def test_an_interrupted_run_resumes_to_the_same_records(tmp_path):
    with ResultStore(tmp_path / "whole.sqlite") as store:
        whole = run_highway_study(store, learner=LinearQLearner(), workers=1, **RUN)
    assert [(r["seed"], r["episode"]) for r in whole.records] == [(s, e) for s in (0, 1) for e in range(4)]

    with ResultStore(tmp_path / "cut.sqlite") as store:
        # round 1 plays episodes 0-1 of seed 0 then of seed 1 (updates 1-4) and stores them; the run dies in
        # round 2, in the update of seed 0's episode 2
        with pytest.raises(Interrupted):
            run_highway_study(store, learner=InterruptedLearner(die_at_update=5), workers=1, **RUN)
        key = store.register({"x": 0}, key_fields=("x",))  # the store is still usable
        stored = sorted(store.keys(whole.study_key))
        assert stored == [(0, 0), (0, 1), (1, 0), (1, 1)]
        resumed = run_highway_study(store, learner=LinearQLearner(), workers=1, **RUN)
    assert resumed.study_key == whole.study_key
    assert resumed.records == whole.records
    assert key != whole.study_key
    # only the final checkpoints remain, and they hold the same trained weights
    assert sorted(os.listdir(resumed.checkpoint_dir)) == ["seed-0-episode-4.pkl", "seed-1-episode-4.pkl"]
    assert (load_params(resumed, 1)["weights"] == load_params(whole, 1)["weights"]).all()


def test_processes_give_the_records_of_one_process_and_runs_extend(tmp_path):
    with ResultStore(tmp_path / "one.sqlite") as store:
        one = run_highway_study(store, learner=LinearQLearner(), workers=1, **{**RUN, "episodes": 1})
    with ResultStore(tmp_path / "two.sqlite") as store:
        two = run_highway_study(store, learner=LinearQLearner(), workers=2, **{**RUN, "episodes": 1})
        assert two.records == one.records
        longer = run_highway_study(store, learner=LinearQLearner(), workers=1, **{**RUN, "episodes": 2})
    assert [r for r in longer.records if r["episode"] == 0] == one.records and len(longer.records) == 4
    rates = outcome_rates(longer.records)
    assert sum(rates.values()) == pytest.approx(1.0)


def test_arguments_are_checked(tmp_path):
    with ResultStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(TypeError, match="learner must have"):
            run_highway_study(store, env_id=ENV_ID, learner=object(), seeds=[0], episodes=1)
        with pytest.raises(ValueError, match="seeds must be distinct"):
            run_highway_study(store, env_id=ENV_ID, learner=LinearQLearner(), seeds=[0, 0], episodes=1)
        with pytest.raises(ValueError, match="episodes must be an integer >= 1"):
            run_highway_study(store, env_id=ENV_ID, learner=LinearQLearner(), seeds=[0], episodes=0)


def test_evaluation_plays_the_trained_params_without_updating_and_resumes(tmp_path):
    with ResultStore(tmp_path / "e.sqlite") as store:
        trained = run_highway_study(store, learner=LinearQLearner(), workers=1, **{**RUN, "episodes": 2})
        greedy = GreedyNoUpdate()
        tested = evaluate_highway_study(store, trained, learner=greedy, episodes=2, workers=1, progress=False)
        assert [(r["seed"], r["episode"]) for r in tested.records] == [(0, 0), (0, 1), (1, 0), (1, 1)]
        assert tested.study_key != trained.study_key
        again = evaluate_highway_study(store, trained, learner=greedy, episodes=2, workers=1, progress=False)
        assert again.records == tested.records
    assert sum(outcome_rates(tested.records).values()) == pytest.approx(1.0)
