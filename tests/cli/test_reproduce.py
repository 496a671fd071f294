"""Tests of stackelberg.cli.reproduce: a figure script runs into REPORT.md; the help names every script."""


import pytest

from stackelberg.cli import build_parser
from stackelberg.figures import SCRIPTS


def test_reproduce_one_figure_writes_report(cli, tmp_path):
    code, out, _ = cli("reproduce", "--quick", "--only", "figB1_lio_pg", "--out", tmp_path)
    assert code == 0
    report = (tmp_path / "REPORT.md").read_text()
    assert "## figB1_lio_pg" in report and "quick" in report
    assert "| figB1_lio_pg |" in report  # the script's rows in the summary table
    files = sorted(p.name for p in (tmp_path / "figB1_lio_pg").rglob("*") if p.suffix == ".png")
    assert files and all(name in report for name in files)


def test_reproduce_unknown_figure_is_one_line(cli, tmp_path):
    code, _, err = cli("reproduce", "--only", "nosuchfigure", "--out", tmp_path)
    assert code == 2 and "unknown figures" in err and err.count("\n") == 1


def test_reproduce_help_lists_the_scripts_and_the_duration(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["reproduce", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert SCRIPTS
    for name in SCRIPTS:
        assert name in text
    assert "1-2.5 minutes" in text
