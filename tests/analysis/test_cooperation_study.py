"""Tests for stackelberg/analysis/cooperation_study.py (and its plots and figure script)."""

import csv
import importlib
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import distributed
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg.analysis.cooperation_study import (
    PAPER_TRIALS,
    ROW_FIELDS,
    StudyResult,
    aggregate_rows,
    cooperation_study,
    game_seed,
)
from stackelberg.analysis.plots import plot_study
from stackelberg.analysis.store import ResultStore
from stackelberg.games.generators import covariance_game
from stackelberg.games.normal_form import NormalFormGame
from stackelberg.solvers.matrix.nash import pure_nash_equilibria
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria

study_module = importlib.import_module("stackelberg.analysis.cooperation_study")  # the package re-exports the function

ROOT = Path(__file__).resolve().parents[2]
SMALL = dict(sizes=[3, 4], rhos=[-1.0, 0.0, 0.5, 1.0], trials=6, seed=11)


def comparable(rows):
    """Rows without the wall-clock column, NaN made comparable."""
    return [
        {k: ("nan" if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items() if k != "seconds"}
        for row in rows
    ]


class CountingSolver:
    """Wraps the study's batch solver: counts games, optionally interrupts on a given call."""

    def __init__(self, interrupt_on_call=None):
        self.original = study_module._solve_batch
        self.interrupt_on_call = interrupt_on_call
        self.calls = self.games = 0

    def __call__(self, task):
        self.calls += 1
        if self.calls == self.interrupt_on_call:
            raise KeyboardInterrupt
        self.games += len(task["games"])
        return self.original(task)


@pytest.fixture(scope="module")
def reference():
    return cooperation_study(**SMALL, workers=1, progress=False)


# ---------------------------------------------------------------------------- determinism
def test_rows_follow_the_seed_and_have_every_field(reference):
    assert len(reference.rows) == 2 * 4 * 6
    assert all(tuple(row) == ROW_FIELDS for row in reference.rows)
    assert [(r["n"], r["rho"], r["trial"]) for r in reference.rows] == [
        (n, rho, t) for n in SMALL["sizes"] for rho in SMALL["rhos"] for t in range(6)
    ]
    assert all(r["game_seed"] == game_seed(11, r["n"], r["rho"], r["trial"]) for r in reference.rows)
    assert len({r["game_seed"] for r in reference.rows}) == len(reference.rows)
    again = cooperation_study(**SMALL, workers=1, progress=False)
    assert comparable(again.rows) == comparable(reference.rows)
    other = cooperation_study(**dict(SMALL, seed=12), workers=1, progress=False)
    assert [r["se_leader"] for r in other.rows] != [r["se_leader"] for r in reference.rows]


def test_rows_are_reproducible_from_the_game_seed(reference):
    for row in reference.rows[::7]:
        game = covariance_game(row["n"], row["rho"], seed=row["game_seed"])
        se_leader, se_follower, count, *_ = study_module._pure_outcome(*game.payoffs, "strong")
        assert (se_leader, se_follower, count) == (row["se_leader"], row["se_follower"], row["ne_count"])


def test_two_workers_and_dask_clusters_give_identical_rows(reference):
    two = cooperation_study(**SMALL, workers=2, progress=False)
    assert comparable(two.rows) == comparable(reference.rows)
    for processes in (False, True):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=":0") as cluster:
            on_dask = cooperation_study(**SMALL, scheduler=cluster, progress=False)
        assert comparable(on_dask.rows) == comparable(reference.rows)
        assert on_dask.aggregate[0]["se_leader_mean"] == reference.aggregate[0]["se_leader_mean"]


# ---------------------------------------------------------------------------- store and resume
def test_an_interrupted_study_resumes_without_losing_or_duplicating_games(tmp_path, monkeypatch, reference):
    path = tmp_path / "study.sqlite"
    interrupting = CountingSolver(interrupt_on_call=4)
    monkeypatch.setattr(study_module, "_solve_batch", interrupting)
    with pytest.raises(KeyboardInterrupt):
        cooperation_study(**SMALL, workers=1, store=path, progress=False)
    with ResultStore(path) as store:
        (study,) = store.studies()
        assert study["count"] == interrupting.games == 3 * 6  # three (n, rho) batches committed

    resuming = CountingSolver()
    monkeypatch.setattr(study_module, "_solve_batch", resuming)
    resumed = cooperation_study(**SMALL, workers=1, store=path, progress=False)
    assert resuming.games == len(reference.rows) - 3 * 6  # only the missing games were computed
    assert comparable(resumed.rows) == comparable(reference.rows)
    with ResultStore(path) as store:
        assert store.count(resumed.study_key) == len(reference.rows)
        assert comparable(StudyResult.from_store(store).rows) == comparable(reference.rows)


def test_a_killed_study_process_resumes_to_the_uninterrupted_table(tmp_path, reference):
    """SIGKILL the process running the study at its fourth batch, then resume in this process."""
    path = tmp_path / "killed.sqlite"
    script = textwrap.dedent(
        f"""
        import os, signal
        import importlib
        module = importlib.import_module("stackelberg.analysis.cooperation_study")
        original, calls = module._solve_batch, []
        def dying(task):
            calls.append(task)
            if len(calls) == 4:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(task)
        module._solve_batch = dying
        module.cooperation_study({SMALL['sizes']}, {SMALL['rhos']}, {SMALL['trials']}, {SMALL['seed']},
                                 workers=1, store={str(path)!r}, progress=False)
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), capture_output=True, cwd=ROOT)
    assert completed.returncode == -9, completed.stderr.decode()
    with ResultStore(path) as store:
        assert store.studies()[0]["count"] == 3 * 6
    resumed = cooperation_study(**SMALL, workers=2, store=path, progress=False)
    assert comparable(resumed.rows) == comparable(reference.rows)


def test_more_trials_reuse_the_stored_games(tmp_path, monkeypatch, reference):
    path = tmp_path / "grow.sqlite"
    cooperation_study(**dict(SMALL, trials=2), workers=1, store=path, progress=False)
    counting = CountingSolver()
    monkeypatch.setattr(study_module, "_solve_batch", counting)
    grown = cooperation_study(**SMALL, workers=1, store=path, progress=False)
    assert counting.games == len(reference.rows) - 2 * 4 * 2
    assert comparable(grown.rows) == comparable(reference.rows)
    # a smaller request reads only its own games from the bigger store
    smaller = cooperation_study(**dict(SMALL, sizes=[4], rhos=[0.5], trials=3), workers=1, store=path, progress=False)
    assert [(r["n"], r["rho"], r["trial"]) for r in smaller.rows] == [(4, 0.5, t) for t in range(3)]


# ---------------------------------------------------------------------------- the game-theoretic checks
@pytest.mark.parametrize("equilibria", ["pure", "mixed"])
def test_fully_cooperative_games_put_the_se_at_the_best_cell(equilibria):
    result = cooperation_study([3, 4], [1.0], 5, seed=3, equilibria=equilibria, workers=1, progress=False)
    for row in result.rows:
        A, B = covariance_game(row["n"], 1.0, seed=row["game_seed"]).payoffs
        np.testing.assert_allclose(A, B)
        assert row["se_leader"] == pytest.approx(A.max()) and row["se_follower"] == pytest.approx(A.max())
        assert row["cooperation_level"] == pytest.approx(1.0)
        assert row["ne_count"] >= 1 and row["pure_ne_exists"]
        assert row["se_weakly_better"] and row["se_vs_avg_ne"] in ("dominates", "equal")
        assert row["ne_leader"] <= A.max() + 1e-9
    (summary,) = [a for a in result.aggregate if a["n"] == 4]
    assert summary["se_weakly_better_fraction_mean"] == 1.0 and summary["games_without_ne"] == 0


@pytest.mark.parametrize("equilibria", ["pure", "mixed"])
def test_zero_sum_games_give_the_security_value(equilibria):
    result = cooperation_study([3], [-1.0], 6, seed=5, equilibria=equilibria, workers=1, progress=False)
    for row in result.rows:
        A, B = covariance_game(3, -1.0, seed=row["game_seed"]).payoffs
        np.testing.assert_allclose(B, -A)
        assert row["cooperation_level"] == pytest.approx(-1.0)
        assert row["se_follower"] == pytest.approx(-row["se_leader"])
        if equilibria == "pure":  # pure commitment: the leader's pure security level
            assert row["se_leader"] == pytest.approx(A.min(axis=1).max())
        if row["ne_count"]:  # every NE of a zero-sum game has the game's value, which the SE attains
            assert row["ne_leader"] == pytest.approx(row["se_leader"])
            assert row["se_vs_avg_ne"] == "equal"
    if equilibria == "mixed":
        assert all(r["ne_count"] >= 1 for r in result.rows)


def test_mixed_variant_is_consistent_with_the_pure_one():
    common = dict(sizes=[3], rhos=[-0.5, 0.5], trials=4, seed=9, workers=1, progress=False)
    pure = cooperation_study(**common)
    mixed = cooperation_study(**common, equilibria="mixed")
    for p, m in zip(pure.rows, mixed.rows):
        assert p["game_seed"] == m["game_seed"] and p["cooperation_level"] == m["cooperation_level"]
        assert m["pure_ne_exists"] == (p["ne_count"] > 0)
        assert m["ne_count"] >= p["ne_count"]
        assert m["se_leader"] >= p["se_leader"] - 1e-9  # committing to a mixed strategy never hurts the leader


small_games = st.integers(1, 4).flatmap(
    lambda m: st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.integers(0, 2), min_size=n, max_size=n), min_size=m, max_size=m),
            st.lists(st.lists(st.integers(0, 2), min_size=n, max_size=n), min_size=m, max_size=m),
        )
    )
)


@given(small_games, st.sampled_from(["strong", "weak"]))
def test_pure_kernel_matches_the_solvers_on_games_with_ties(payoffs, tie_break):
    A, B = (np.array(p, dtype=float) for p in payoffs)
    game = NormalFormGame.from_bimatrix(*payoffs)
    se_leader, se_follower, count, ne_leader, ne_follower, exists = study_module._pure_outcome(A, B, tie_break)
    equilibria = pure_nash_equilibria(game)
    assert count == len(equilibria) and exists == bool(equilibria)
    if equilibria:
        assert ne_leader == pytest.approx(np.mean([float(e.payoffs[0]) for e in equilibria]))
        assert ne_follower == pytest.approx(np.mean([float(e.payoffs[1]) for e in equilibria]))
    solutions = stackelberg_equilibria(game, leader=0, commitment="pure", tie_break=tie_break)
    assert se_leader == pytest.approx(float(solutions[0].leader_value))
    assert any(se_follower == pytest.approx(float(s.follower_value)) for s in solutions)


@given(st.integers(1, 6), st.floats(-1, 1), st.integers(0, 2**32))
def test_pure_kernel_matches_the_solvers_on_covariance_games(n, rho, seed):
    game = covariance_game(n, rho, seed=seed)
    se_leader, se_follower, count, ne_leader, _, _ = study_module._pure_outcome(*game.payoffs, "strong")
    equilibria = pure_nash_equilibria(game)
    assert count == len(equilibria)
    if equilibria:
        assert ne_leader == pytest.approx(np.mean([float(e.payoffs[0]) for e in equilibria]))
    (solution, *_) = stackelberg_equilibria(game, leader=0, commitment="pure", tie_break="strong")
    assert (se_leader, se_follower) == pytest.approx((float(solution.leader_value), float(solution.follower_value)))


# ---------------------------------------------------------------------------- aggregation
def test_aggregation_arithmetic_on_a_hand_made_table():
    base = dict(n=2, rho=0.5, cooperation_level=0.5, pure_ne_exists=True, se_vs_avg_ne=None, seconds=0.25)
    rows = [
        dict(base, se_leader=1.0, se_follower=2.0, ne_count=1, ne_leader=0.0, ne_follower=1.0, se_dominates=True, se_weakly_better=True),
        dict(base, se_leader=3.0, se_follower=0.0, ne_count=3, ne_leader=2.0, ne_follower=1.0, se_dominates=False, se_weakly_better=False),
        dict(base, se_leader=5.0, se_follower=1.0, ne_count=0, ne_leader=math.nan, ne_follower=math.nan,
             pure_ne_exists=False, se_dominates=None, se_weakly_better=None),
        dict(base, rho=1.0, se_leader=4.0, se_follower=4.0, ne_count=2, ne_leader=3.0, ne_follower=3.0, se_dominates=True, se_weakly_better=True),
    ]  # fmt: skip
    half, one = aggregate_rows(rows)
    assert (half["n"], half["rho"], half["games"], half["games_with_ne"], half["games_without_ne"]) == (2, 0.5, 3, 2, 1)
    assert half["se_leader_mean"] == 3.0  # over all three games
    z = 1.959963984540054
    assert half["se_leader_ci_high"] - 3.0 == pytest.approx(z * 2.0 / math.sqrt(3))  # sample std of 1, 3, 5 is 2
    assert half["ne_leader_mean"] == 1.0 and half["ne_follower_mean"] == 1.0  # the no-NE game is left out
    assert half["ne_leader_ci_low"] == pytest.approx(1.0 - z * math.sqrt(2) / math.sqrt(2))
    assert half["ne_follower_ci_low"] == half["ne_follower_ci_high"] == 1.0  # zero spread
    assert half["se_leader_paired_mean"] == 2.0 and half["se_follower_paired_mean"] == 1.0
    assert half["gain_leader_mean"] == 1.0 and half["gain_follower_mean"] == 0.0
    assert half["ne_count_mean"] == pytest.approx(4 / 3)
    assert half["pure_ne_fraction_mean"] == pytest.approx(2 / 3)
    assert half["se_dominates_fraction_mean"] == 0.5 and half["se_weakly_better_fraction_mean"] == 0.5
    assert half["seconds_mean"] == 0.25
    assert one["games"] == 1 and one["se_leader_mean"] == 4.0
    assert math.isnan(one["se_leader_ci_low"]) and math.isnan(one["se_leader_ci_high"])  # one game: no interval
    with pytest.raises(ValueError, match="lacks"):
        aggregate_rows([{"n": 1}])
    with pytest.raises(TypeError, match="rows"):
        aggregate_rows("rows")


def test_trials_by_paper_counts_and_by_size():
    by_size = cooperation_study([2, 3], [0.0], {2: 3, 3: 1, 7: 5}, seed=0, workers=1, progress=False)
    assert [a["games"] for a in by_size.aggregate] == [3, 1]
    assert by_size.parameters["trials"] == {2: 3, 3: 1}
    paper = cooperation_study([5], [0.25], "paper", seed=0, workers=1, progress=False)
    assert paper.aggregate[0]["games"] == PAPER_TRIALS[5] == 2000


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        (dict(sizes=[]), ValueError, "sizes"),
        (dict(sizes=5), TypeError, "sizes"),
        (dict(sizes=[3, 0]), ValueError, r"sizes\[1\]"),
        (dict(sizes=[1]), ValueError, r"sizes\[0\] must be an integer >= 2"),
        (dict(sizes=[3, 3]), ValueError, "sizes"),
        (dict(rhos=[0.5, 1.5]), ValueError, r"rhos\[1\]"),
        (dict(rhos=[-1.01]), ValueError, "rhos"),
        (dict(rhos=[float("nan")]), ValueError, "rhos"),
        (dict(rhos=[]), ValueError, "rhos"),
        (dict(rhos=[0.1, 0.1000000001]), ValueError, "distinct"),
        (dict(trials=0), ValueError, "trials"),
        (dict(trials=-3), ValueError, "trials"),
        (dict(trials=2.5), TypeError, "trials"),
        (dict(trials="many"), ValueError, "trials"),
        (dict(trials="paper"), ValueError, "paper"),
        (dict(trials={3: 2}), ValueError, "trials"),
        (dict(trials={3: 2, 4: 0}), ValueError, r"trials\[4\]"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(seed=None), TypeError, "seed"),
        (dict(equilibria="correlated"), ValueError, "equilibria"),
        (dict(tie_break="soft"), ValueError, "tie_break"),
        (dict(scheduler="not an address", workers=None), ValueError, "scheduler"),
        (dict(scheduler=object(), workers=None), TypeError, "scheduler"),
        (dict(store=42), TypeError, "store"),
        (dict(workers=0), ValueError, "workers"),
        (dict(progress="yes"), TypeError, "progress"),
    ],
)
def test_bad_inputs_are_named(arguments, error, match):
    call = dict(SMALL, workers=1, progress=False)
    call.update(arguments)
    with pytest.raises(error, match=match):
        cooperation_study(**call)


def test_game_seed_validates():
    with pytest.raises(ValueError, match="rho"):
        game_seed(0, 3, 2.0, 0)
    with pytest.raises(ValueError, match="trial"):
        game_seed(0, 3, 0.0, -1)


# ---------------------------------------------------------------------------- output
def test_csv_tables_and_plots(tmp_path, reference):
    paths = reference.to_csv(tmp_path / "csv")
    with open(paths["games"]) as handle:
        games = list(csv.DictReader(handle))
    assert len(games) == len(reference.rows) and tuple(games[0]) == ROW_FIELDS
    with open(paths["aggregate"]) as handle:
        aggregate = list(csv.DictReader(handle))
    assert len(aggregate) == 8 and float(aggregate[0]["se_leader_mean"]) == reference.aggregate[0]["se_leader_mean"]
    assert reference.column("se_leader").shape == (48,)
    assert reference.column("ne_count_mean", "aggregate").shape == (8,)

    path = tmp_path / "plots.sqlite"
    cooperation_study(**SMALL, workers=1, store=path, progress=False)
    with ResultStore(path) as store:
        written = plot_study(store, tmp_path / "plots")
    assert set(written) == {"games", "aggregate", "n3", "n4", "gain"}
    for name in ("n3", "n4", "gain"):
        assert written[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(TypeError, match="source"):
        plot_study([1, 2], tmp_path)
