"""The reproduction runner: registry, REPORT.md, files, failures and unknown names."""

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import stackelberg
import stackelberg.figures as figures
from stackelberg.errors import StackelbergError
from stackelberg.figures import SCRIPTS, ReproductionError, reproduce

QUICK_PAIR = ["figB1_lio_pg", "biac_counterexample"]  # the two fastest scripts (about 3 s together)


def test_registry_lists_exactly_the_figure_modules_in_the_package():
    modules = {m.name for m in pkgutil.iter_modules(figures.__path__) if not m.name.startswith("_")}
    assert set(SCRIPTS) == modules and len(SCRIPTS) == len(modules)
    assert all(target == f"stackelberg.figures.{name}" for name, target in SCRIPTS.items())


def test_reproduce_writes_report_and_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # works from any directory: nothing is looked up relative to the checkout
    report = reproduce(tmp_path / "out", quick=True, only=QUICK_PAIR, progress=False)
    assert report == tmp_path / "out" / "REPORT.md"
    text = report.read_text()
    assert "Mode: **quick**" in text and "quick-only" in text  # the mode and the rule are stated
    assert "2 scripts, 0 failed" in text
    # the summary table comes first, then one section per script in the order asked for
    summary, b1, biac = text.index("## Summary"), text.index("## figB1_lio_pg"), text.index("## biac_counterexample")
    assert summary < b1 < biac
    # rows of the structured account, with the verdict derived from the numbers of this run
    row = "| (A, B) values (V_X, V_Y) at s1 | (0, 10) | (0, 10) | (0, 10) | match | match |"
    assert row in text[biac:]
    assert "| biac_counterexample " + row in text[summary:b1]
    assert "| LIO-PG: share of runs ending at DC | 1 | 1 | 1 | match | match |" in text[b1:biac]
    assert "| LIO-PG: mean final collective reward ('near -3') | -3 | -3 | -3 | match | match |" in text
    # each section: time and the files it wrote, all present
    assert text[b1:biac].count("Time: ") == 1
    for name, files in (("biac_counterexample", ["biac_counterexample.png", "biac_counterexample.csv"]),
                        ("figB1_lio_pg", ["figB1_lio_fields.png", "lio_pg_trajectory.png", "figB1_fields.csv",
                                          "lio_pg_outcomes.csv"])):
        for file in files:
            path = tmp_path / "out" / name / file
            assert path.stat().st_size > 0
            assert f"{name}/{file}" in text
    png = (tmp_path / "out" / "biac_counterexample" / "biac_counterexample.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_failing_script_is_reported_without_hiding_the_others(tmp_path, monkeypatch):
    from stackelberg.figures import figB1_lio_pg

    def broken(out_dir, quick=False):
        raise RuntimeError("deliberately broken")

    monkeypatch.setattr(figB1_lio_pg, "run", broken)
    with pytest.raises(ReproductionError, match="1 of 2 figure scripts failed \\(figB1_lio_pg\\)") as caught:
        reproduce(tmp_path, quick=True, only=QUICK_PAIR, progress=False)
    assert isinstance(caught.value, StackelbergError)
    assert caught.value.failed == ("figB1_lio_pg",) and caught.value.report == tmp_path / "REPORT.md"
    text = (tmp_path / "REPORT.md").read_text()
    assert "FAILED: RuntimeError: deliberately broken" in text
    assert "2 scripts, 1 failed: figB1_lio_pg" in text
    assert "| (A, B) is a BiRL solution | no | no | no | match | match |" in text  # the other script still ran
    assert (tmp_path / "biac_counterexample" / "biac_counterexample.csv").exists()


def test_unknown_names_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match=r"only names unknown figures \['fig99'\]; known: biac_counterexample, "
                                         r"ch6_designer_escape_room, .*tab2_3_escape_maintain"):
        reproduce(tmp_path / "out", only=["biac_counterexample", "fig99"])
    assert not (tmp_path / "out").exists()
    with pytest.raises(TypeError, match="only"):
        reproduce(tmp_path / "out", only=[3])
    with pytest.raises(TypeError, match="quick"):
        reproduce(tmp_path / "out", quick="yes")


def test_script_runs_as_a_module_from_any_directory(tmp_path):
    root = Path(stackelberg.__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    completed = subprocess.run(
        [sys.executable, "-m", "stackelberg.figures.figB1_lio_pg", "--out", str(tmp_path / "b1"), "--quick"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "[match]" in completed.stdout and "paper" in completed.stdout  # the account, row by row
    assert (tmp_path / "b1" / "lio_pg_outcomes.csv").exists()


def test_a_script_whose_extra_is_missing_is_reported_not_run_without_failing(tmp_path):
    """Without jax the neural reproductions are listed as not run (naming the pip command); the run succeeds."""
    root = Path(stackelberg.__file__).resolve().parents[1]
    code = ("import sys; sys.modules['jax'] = None\n"
            "from stackelberg.figures import reproduce\n"
            f"print(reproduce({str(tmp_path)!r}, quick=True, only=['neural_grid_games', 'figB1_lio_pg']))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    report = (tmp_path / "REPORT.md").read_text()
    assert "0 failed, 1 not run for a missing extra: neural_grid_games" in report
    assert 'NOT RUN' in report and 'pip install "stackelberg[neural]"' in report
    assert "| figB1_lio_pg |" in report
