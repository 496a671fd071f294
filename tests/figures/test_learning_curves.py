"""Tests of stackelberg.figures.learning_curves: Bi-AC Figs 4-5 and STEP Fig. B.2 from recorded snapshots."""

import csv

import numpy as np

from stackelberg.figures import learning_curves
from stackelberg.figures._account import verdict


def test_quick_run_writes_the_curves_and_reaches_the_papers_end_points(tmp_path):
    numbers = learning_curves.run(tmp_path, quick=True)
    for name in ("biac_fig4_escape", "biac_fig5_maintain", "stepB2_mixing"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with open(tmp_path / f"{name}.csv") as handle:
            rows = list(csv.reader(handle))
        assert len(rows) > 200  # a snapshot every 2 episodes of 400 (and both learners in Fig. 5)
    # Fig. 4: the leader's Q of C-Z is 30; tabular Bi-AC's greedy leader commits to C within a few episodes
    assert numbers["fig4 final Q1(C,Z)"] == 30.0
    assert numbers["fig4 episode greedy C > 0.5"] <= 10
    # Fig. 5: Bi-AC ends at the SE A-X, the independent stand-in at the NE B-Y
    assert numbers["fig5 final P(A-X) Bi-AC (tabular)"] > 0.99
    assert numbers["fig5 final P(B-Y) independent Q"] > 0.99
    # Fig. B.2: the N-level learner coordinates on (a1, a1) within STEP's 2000 steps
    assert numbers["B2 step both P(a1) > 0.9"] <= 2000
    assert min(numbers["B2 final leader P(a1)"], numbers["B2 final follower P(a1)"]) > 0.99
    # Fig. 5's behaviour probabilities are distributions over the nine joint actions
    with open(tmp_path / "biac_fig5_maintain.csv") as handle:
        row = next(r for r in csv.DictReader(handle))
    assert np.isclose(sum(float(v) for k, v in row.items() if k.startswith("P(")), 1.0)


def test_account_labels_the_stand_in_and_scores_the_rest():
    numbers = dict(learning_curves.FULL_SCALE)
    rows = learning_curves.account(numbers, quick=False)
    verdicts = {row.item: verdict(row, quick=False) for row in rows}
    stand_ins = [item for item in verdicts if "stand-in" in item]
    assert len(stand_ins) == 1 and "MADDPG" in stand_ins[0] and verdicts[stand_ins[0]] == "stand-in"
    greedy = next(item for item in verdicts if "greedy leader" in item)
    assert verdicts[greedy] == "differs"  # 2 episodes against the paper's about 100
    assert all(v == "match" for item, v in verdicts.items() if item not in stand_ins and item != greedy)
