"""The neural figure scripts' accounts: baselines under their own names, no jax needed to import or account."""

import subprocess
import sys
import textwrap

import pytest

from stackelberg.figures import SCRIPTS, neural_biac_tables, neural_grid_games, neural_step_penalty_mixing
from stackelberg.figures._account import verdict


def test_biac_tables_account_names_each_learner_and_compares_the_full_run():
    rows = neural_biac_tables.account({"escape bi-ac % at C-Z": 100.0, "escape bi-ac rewards": [30.0, 30.0]}, True)
    items = [row.item for row in rows]
    assert any("I-DQN (neural)" in item for item in items) and any("MADDPG (neural)" in item for item in items)
    assert all(row.stand_in is None for row in rows)  # the paper's own baselines, not stand-ins
    first = rows[0]
    assert first.item.startswith("Escape: Bi-AC") and (first.paper, first.ours, first.full) == (90.0, 100.0, 100.0)
    assert verdict(first, quick=True, full_scale=True) == "close"  # 100% against the paper's 90%
    # a baseline the quick run leaves out has no number of ours
    maddpg = next(row for row in rows if row.item == "Escape: MADDPG (neural) seeds at C-Z, %")
    assert maddpg.ours is None and maddpg.full == 75.0 and verdict(maddpg, quick=True) == "quick-only"


def test_grid_account_compares_the_recorded_full_runs_and_step_leaves_them_open():
    grid = neural_grid_games.account({"biac-grid % seeds at exact": 75.0}, True)
    assert [row.ours for row in grid] == [75.0, None] and [row.full for row in grid] == [85.0, 1.21]
    assert verdict(grid[1], quick=True, full_scale=True) == "match"  # 1.21% gap against the <= 5% target
    step = neural_step_penalty_mixing.account({"penalty -100 STEP at SE %": 50.0}, True)
    assert step[0].paper == 93.0 and step[0].ours == 50.0
    assert {row.item.split(": ")[1].split(" ")[0] for row in step[5:-1]} == {"STEP", "MAPPO", "MADDPG"}


def test_figure_registry_imports_without_jax():
    code = textwrap.dedent(
        """
        import importlib, sys
        sys.modules["jax"] = None  # as if jax were not installed
        import stackelberg.figures as figures
        for target in figures.SCRIPTS.values():
            module = importlib.import_module(target)
            assert callable(module.run) and callable(module.account) and callable(module.main)
        print(len(figures.SCRIPTS))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(SCRIPTS)


def test_ebpg_neural_leader_quick_run(tmp_path):
    from stackelberg.figures import ebpg_neural_leader

    numbers = ebpg_neural_leader.run(tmp_path, quick=True)
    assert (tmp_path / "ebpg_neural_leader.png").exists() and (tmp_path / "ebpg_neural_leader.csv").exists()
    ours = numbers["runs"]["exactness instance | ours | 0"]
    assert ours["types_told"] and ours["optimum"] == pytest.approx(14.9)
    assert ours["fraction"] == pytest.approx(ours["reward"] / ours["optimum"], rel=1e-6)  # float32 mean
    assert 0.2 < ours["fraction"] < 1.05  # well above a leader offering nothing (0), at most the optimum
    rows = ebpg_neural_leader.account(numbers, True)
    assert rows[0].ours == ours["fraction"] and rows[0].paper == ">= 0.9" and "types told" in rows[0].item
    inferred = next(row for row in rows if "types inferred" in row.item)
    assert inferred.ours is None  # the quick run leaves the inferring leader out
    # resumable: a second run finds every record in the store and trains nothing
    again = ebpg_neural_leader.run(tmp_path, quick=True)
    assert again["runs"] == numbers["runs"] and again["seconds"] < 5


def test_step_figure_trains_every_learner_while_compiling_the_next(tmp_path, monkeypatch):
    # two tiny learners (both MAPPO, the cheapest program to compile, under two of the figure's names): the run
    # compiles the second while the first trains, in TRAINING_ORDER, the one named STEP with the games in sequence
    # (lax.map) and the other vmapped, and writes the figure's files
    from stackelberg.neural.ppo import MAPPOConfig, make_mappo

    tiny = (make_mappo, MAPPOConfig(steps=100, gamma=0.0, n_envs=2, rollout_length=25, hidden=(4,), log_every=50))
    monkeypatch.setattr(neural_step_penalty_mixing, "learners", lambda quick=False: {"STEP": tiny, "MAPPO": tiny})
    assert neural_step_penalty_mixing.IN_SEQUENCE == {"STEP"}
    numbers = neural_step_penalty_mixing.run(tmp_path, quick=True)
    assert list(numbers)[:5] == ["MAPPO compile seconds", "MAPPO seconds", "STEP compile seconds", "STEP seconds",
                                 "training seconds"]
    for name in ("STEP", "MAPPO"):
        shares = [numbers[f"penalty {k} {name} at SE %"] for k in neural_step_penalty_mixing.KS]
        assert all(0.0 <= s <= 100.0 and s % 25 == 0 for s in shares)  # 4 seeds
        assert -15.0 <= numbers[f"mixing {name} average reward"] <= 5.0
    for name in ("neural_step_fig5_penalty.csv", "neural_step_fig5_penalty.png", "neural_step_table1_mixing.csv",
                 "neural_step_figB2_mixing.png", "numbers.json"):
        assert (tmp_path / name).stat().st_size > 0
