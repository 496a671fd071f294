"""STEP Figs 8-9 on the on-ramp merge: the claims the account checks, the learner registry, and a tiny run that
writes its files and resumes from its store."""

import importlib.util
import json
import os

from stackelberg.figures import SCRIPTS, highway_step_onramp
from stackelberg.figures._account import verdict


def numbers_with(step_rewards, mappo_rewards, step_speed=25.0, mappo_speed=24.0):
    numbers = {}
    for density, s, m in zip(highway_step_onramp.DENSITIES, step_rewards, mappo_rewards):
        numbers.update({f"{density} step final reward": s, f"{density} mappo final reward": m,
                        f"{density} step test speed": step_speed, f"{density} mappo test speed": mappo_speed})
    return numbers


def test_account_checks_the_papers_claims():
    rows = {row.item: row for row in highway_step_onramp.account(numbers_with((5, 4, 3), (4, 2, 0)), quick=False)}
    easy = rows["Fig. 8 easy: STEP's final episode reward above MAPPO's (95% intervals apart)"]
    assert easy.paper is True and easy.ours is True and verdict(easy, quick=False) == "match"
    assert rows["Fig. 9 hard: STEP's test speed above MAPPO's (95% intervals apart)"].ours is True
    assert rows["Fig. 8: STEP's reward gap over MAPPO grows easy < medium < hard"].ours is True  # gaps 1 < 2 < 3
    # MADDPG not run
    assert rows["Fig. 8 easy: STEP's final episode reward above MADDPG's (95% intervals apart)"].ours is None
    shrinking = highway_step_onramp.account(numbers_with((5, 4, 3), (2, 2, 2), 20.0, 24.0), quick=False)
    shrinking = {row.item: row for row in shrinking}
    assert shrinking["Fig. 8: STEP's reward gap over MAPPO grows easy < medium < hard"].ours is False
    speed_row = shrinking["Fig. 9 easy: STEP's test speed above MAPPO's (95% intervals apart)"]
    assert verdict(speed_row, quick=False) == "differs"
    # overlapping intervals: not above, whatever the means
    overlapping = numbers_with((5, 4, 3), (4, 2, 0))
    overlapping.update({"easy step final reward ci95": 1.0, "easy mappo final reward ci95": 0.5})
    rows = {row.item: row for row in highway_step_onramp.account(overlapping, quick=False)}
    assert rows["Fig. 8 easy: STEP's final episode reward above MAPPO's (95% intervals apart)"].ours is False


def test_learners_include_maddpg_only_when_its_module_exists():
    factories = highway_step_onramp.learner_factories(quick=True)
    assert {"step", "mappo"} <= set(factories)
    present = importlib.util.find_spec("stackelberg.neural.host_offpolicy") is not None
    assert ("maddpg" in factories) == present
    assert factories["step"]().name == "step" and factories["mappo"]().name == "mappo"
    assert "highway_step_onramp" in SCRIPTS


def test_a_tiny_run_writes_its_files_and_resumes(tmp_path):
    out = str(tmp_path)
    numbers = highway_step_onramp.run(out, quick=True, methods=("mappo",), episodes=1)
    for name in ("curves.csv", "speed.csv", "fig8.png", "fig9.png"):
        assert os.path.exists(os.path.join(out, f"highway_step_onramp_{name}"))
    assert 0.0 < numbers["easy mappo test speed"] < 40.0
    assert numbers["episodes"] == 1 and numbers["seeds"] == 2
    with open(os.path.join(out, "numbers.json")) as handle:
        assert json.load(handle) == numbers
    again = highway_step_onramp.run(out, quick=True, methods=("mappo",), episodes=1)  # all from the store
    assert {k: v for k, v in again.items() if "seconds" not in k} == {
        k: v for k, v in numbers.items() if "seconds" not in k}
