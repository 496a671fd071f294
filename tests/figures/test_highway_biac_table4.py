"""Bi-AC Table 4 / Fig. 7 on the two-vehicle merge: a shortened quick run writes its files and accounts."""

import csv
import json

from stackelberg.figures import SCRIPTS, highway_biac_table4
from stackelberg.figures._account import verdict


def test_quick_run_writes_table_curves_and_numbers(tmp_path):
    # the quick mode, shortened further (1 seed, 2 training and 1 evaluation episode) to keep the test short
    numbers = highway_biac_table4.run(tmp_path, quick=True, seeds=1, episodes=2, eval_episodes=1, progress=False)
    for name in ("highway_biac_table4.csv", "highway_biac_fig7.csv", "highway_biac_fig7.png", "numbers.json"):
        assert (tmp_path / name).stat().st_size > 0
    with open(tmp_path / "highway_biac_table4.csv") as handle:
        table = list(csv.DictReader(handle))
    assert [row["learner"] for row in table] == ["bi-ac", "i-dqn", "maddpg"]
    for row in table:
        shares = [float(row[f"ours_{key}_percent"]) for key in ("main_first", "ramp_first", "crash", "timeout")]
        assert abs(sum(shares) - 100.0) < 1e-6
        assert (row["seeds"], row["training_episodes"], row["evaluation_episodes_per_seed"]) == ("1", "2", "1")
    assert json.loads((tmp_path / "numbers.json").read_text()) == numbers
    # running again with the same directory resumes from the store: the same numbers
    again = highway_biac_table4.run(tmp_path, quick=True, seeds=1, episodes=2, eval_episodes=1, progress=False)
    assert again == numbers
    rows = highway_biac_table4.account(numbers, True)
    assert len(rows) == 9 and all(verdict(row, quick=True) == "quick-only" for row in rows)
    assert rows[0].paper == 72.2 and rows[1].paper == 25.2 and rows[2].paper == 2.6
    assert (rows[0].full, rows[1].full, rows[2].full) == highway_biac_table4.FULL_SCALE["bi-ac"]


def test_script_is_registered():
    assert SCRIPTS["highway_biac_table4"] == "stackelberg.figures.highway_biac_table4"
