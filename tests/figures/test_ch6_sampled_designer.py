"""Tests of stackelberg.figures.ch6_sampled_designer: a tiny run writes its files and every account row."""

import csv

from stackelberg.figures import ch6_sampled_designer as script
from stackelberg.figures._account import verdict


def test_tiny_run_writes_figure_csv_and_account(tmp_path, monkeypatch):
    tiny = [(key, nm, settings, (4, 1), (4, 1)) for key, nm, settings, _, _ in script.CASES]
    monkeypatch.setattr(script, "CASES", tiny)
    monkeypatch.setattr(script, "EVAL_EPISODES", 10)
    numbers = script.run(tmp_path, quick=False)
    assert (tmp_path / "ch6_sampled_designer.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(tmp_path / "ch6_sampled_designer.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["case"] for row in rows} == {key for key, *_ in tiny}
    for key, *_ in tiny:
        assert numbers[key]["iterations"] == 4 and len(numbers[key]["runs"]) == 1
    rows = script.account(numbers, quick=True)
    assert len(rows) == 8 and all(row.ours is not None for row in rows)
    assert all(verdict(row, quick=True) == "quick-only" for row in rows)


def test_account_of_the_recorded_full_run_compares_with_the_thesis():
    rows = script.account({}, quick=False)
    assert [row.paper for row in rows[:3]] == [8.0, 26.0, 40.0]
    assert [row.full for row in rows] == [script.FULL_SCALE[key] for key in (
        "MetaGrad ER(2,1)", "MetaGrad ER(5,2)", "MetaGrad ER(10,5)", "ER(5,2) collective", "ER(10,5) collective",
        "dual-RL (d) ER(5,2)", "dual-RL (c) ER(5,2)", "C.1 MetaGrad ahead")]
