"""Tests of stackelberg.figures.tab2_3_escape_maintain: the tabular stand-ins are labelled and never scored."""

from stackelberg.figures import tab2_3_escape_maintain as tab
from stackelberg.figures._account import verdict


def test_stand_in_rows_sit_beside_the_papers_baselines_without_a_verdict():
    rows = tab.account(dict(tab.FULL_SCALE), quick=False)
    by_item = {row.item: row for row in rows}
    hysteretic = [row for item, row in by_item.items() if item.startswith("Escape: hysteretic Q")]
    lenient = [row for item, row in by_item.items() if item.startswith("Maintain: lenient Q")]
    assert hysteretic and lenient
    for row in hysteretic + lenient:
        assert "tabular stand-in for" in row.item
        assert row.paper == 0.0  # Hysteretic-DQN and Lenient-DQN: 0% in both tables
        assert verdict(row, quick=False) == "stand-in" and verdict(row, quick=True) == "stand-in"
    assert {row.stand_in for row in rows} == {None, "I-DQN", "Hysteretic-DQN", "Lenient-DQN"}
    # the like-for-like rows (tabular Bi-AC against footnote 4 / Table 3) keep their verdict
    assert [verdict(row, quick=False) for row in rows if row.stand_in is None] == ["match", "match"]
