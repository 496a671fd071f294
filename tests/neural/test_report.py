"""train_report / format_report: game specifications and rendering."""

import json

import pytest

import stackelberg as sb
from stackelberg.neural.report import format_report, resolve_env

REPORT = {
    "algorithm": "bi-ac", "env": "Escape", "seeds": 4, "steps": 600,
    "reference": "stackelberg_equilibria (pure, strong, player 0 leads)", "exact_outcomes": ["C-Z"],
    "share_at_exact": 0.75, "outcome_shares": {"C-Z": 0.75, "A-X": 0.25}, "exact_values": [30.0, 30.0],
    "mean_values": [26.25, 26.25], "mean_value_gaps": [3.75, 3.75], "max_value_gaps": [15.0, 15.0],
    "seconds": 2.0, "env_steps_per_second": 1200.0,
}


def test_resolve_env_specs(tmp_path):
    assert resolve_env("escape").name == "Escape"
    assert resolve_env("penalty(k=-50)").source.payoffs[0][0, 0] == -50
    assert resolve_env("biac-grid").n_states == 82
    assert resolve_env("coordination-grid:3").n_states == 82
    path = tmp_path / "g.npz"
    sb.save_markov_game(sb.biac_grid_game(), path)
    assert resolve_env(str(path)).n_states == 82
    with pytest.raises(ValueError, match="SIZE"):
        resolve_env("coordination-grid:x")
    with pytest.raises(TypeError, match="game"):
        resolve_env(3)


def test_format_report_table_and_json():
    table = format_report(REPORT, "table")
    assert "share of seeds at the exact solution C-Z: 75.0%" in table
    assert "mean (3.75, 3.75), worst (15, 15)" in table and "A-X" in table
    assert json.loads(format_report(REPORT, "json")) == REPORT
    with pytest.raises(ValueError, match="fmt"):
        format_report(REPORT, "xml")
