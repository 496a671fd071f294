"""Tests of stackelberg.cli: every verb runs, prints what it solved, and fails with one line."""

import json

import pytest

from stackelberg.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_catalogue_game_prints_all_equilibria(capsys):
    code, out, _ = run(capsys, "solve", "escape", "--concept", "nash")
    assert code == 0
    assert "A:2/3 C:1/3; X:2/3 Z:1/3" in out and "30; 30" in out


def test_solve_stackelberg_mixed_json(capsys):
    code, out, _ = run(capsys, "solve", "commitment_example", "--concept", "stackelberg", "--commitment", "mixed",
                       "--format", "json")  # fmt: skip
    assert code == 0
    (row,) = json.loads(out)
    assert row["payoffs"][0] == "7/2"


def test_solve_weak_mixed_reports_unattained_supremum(capsys):
    code, out, _ = run(capsys, "solve", "weak_commitment_example", "--concept", "stackelberg", "--commitment",
                       "mixed", "--tie-break", "weak", "--format", "csv")  # fmt: skip
    assert code == 0
    header, row = out.strip().splitlines()
    assert "attained" in header and ",False,9" in row


@pytest.mark.parametrize("concept, expected", [("pure-nash", "B; Y"), ("sequential", "A; X"), ("components", "B; Y")])
def test_solve_other_concepts(capsys, concept, expected):
    code, out, _ = run(capsys, "solve", "maintain", "--concept", concept)
    assert code == 0
    assert expected in out


def test_convert_round_trip(tmp_path, capsys):
    nfg, js = tmp_path / "g.nfg", tmp_path / "g.json"
    from stackelberg import catalog, save_game

    save_game(catalog.mixing(), nfg)
    assert run(capsys, "convert", str(nfg), str(js))[0] == 0
    code, out, _ = run(capsys, "solve", str(js), "--concept", "stackelberg")
    assert code == 0 and "0; 5" in out


def test_games_lists_catalogue(capsys):
    code, out, _ = run(capsys, "games")
    assert code == 0 and "penalty" in out and "escape" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["solve", "nosuchgame"], "unknown game"),
        (["solve", "missing.nfg"], "does not exist"),
        (["solve", "shapley", "--concept", "stackelberg", "--leader", "5"], "leader"),
        (["convert", "missing.nfg", "out.json"], "does not exist"),
        (["study", "plot", "missing.sqlite"], "does not exist"),
        (["study", "cooperation", "--trials", "x"], "--trials"),
        (["reproduce", "--only", "nosuchfigure"], "unknown figures"),
    ],
)
def test_errors_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_malformed_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.nfg"
    bad.write_text('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3\n')
    code, _, err = run(capsys, "solve", str(bad))
    assert code == 2 and "line" in err and err.count("\n") == 1


def test_study_cooperation_and_plot(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    code, out, _ = run(capsys, "study", "cooperation", "--sizes", "3", "--rhos=-1,0,1", "--trials", "4",
                       "--workers", "1", "--out", str(store))  # fmt: skip
    assert code == 0 and "12 games" in out
    code, out, _ = run(capsys, "study", "plot", str(store), "--out", str(tmp_path / "plots"))
    assert code == 0 and list((tmp_path / "plots").glob("*.png"))


def test_dynamics_lio_ipd(capsys):
    code, out, _ = run(capsys, "dynamics", "lio-ipd", "--steps", "300", "--points", "2")
    assert code == 0 and "CC" in out


def test_dynamics_escape_room_pg_fails_to_escape(capsys):
    code, out, _ = run(capsys, "dynamics", "escape-room", "--population", "pg", "--steps", "100")
    assert code == 0 and "optimum 9" in out


def test_reproduce_one_figure_writes_report(tmp_path, capsys):
    code, out, _ = run(capsys, "reproduce", "--quick", "--only", "figB1_lio_pg", "--out", str(tmp_path))
    assert code == 0
    report = (tmp_path / "REPORT.md").read_text()
    assert "figB1_lio_pg" in report and ".png" in report


@pytest.mark.parametrize("argv, expected", [
    (["counterexample", "--solver", "birl"], ["s1     10    0     B  A", "leader 10, follower 0"]),
    (["counterexample", "--gamma", "0.5"], ["bilevel value iteration", "converged"]),
    (["repeated", "--stage", "maintain"], ["stage  200        150          A       X"]),
    (["repeated", "--stage", "penalty:-50", "--solver", "sequential"], ["a1      a3"]),
    (["repeated", "--stage", "matching_pennies", "--solver", "minimax"], ["Heads:0.5 Tails:0.5"]),
    (["grid", "--solver", "nash", "--selection", "pareto"], ["Nash value iteration", "A 16.2, B 16.2"]),
    (["escape-room", "--agents", "2", "--required", "1", "--horizon", "3"], ["at t = 0", "backward induction"]),
])
def test_markov_solvers(capsys, argv, expected):
    code, out, err = run(capsys, "markov", *argv)
    assert code == 0, err
    for text in expected:
        assert text in out


def test_markov_progress_bar_and_saved_game(tmp_path, capsys):
    path = tmp_path / "maintain.npz"
    code, out, err = run(capsys, "markov", "repeated", "--stage", "maintain", "--save", str(path))
    assert code == 0 and path.is_file()
    assert "sweep" in err  # the tqdm bar went to stderr
    code, saved, err = run(capsys, "markov", str(path), "--no-progress", "--format", "json")
    assert code == 0 and err == ""
    (row,) = json.loads(saved)
    assert row["V[Leader]"] == "200"


@pytest.mark.parametrize("argv, message", [
    (["nowhere.npz"], "does not exist"),
    (["chess"], "GAME must be a .npz file or one of"),
    (["repeated"], "needs --stage"),
    (["grid", "--horizon", "3"], "--horizon does not apply"),
    (["repeated", "--stage", "maintain", "--gamma", "1.0"], "gamma"),
    (["repeated", "--stage", "maintain", "--solver", "minimax"], "zero-sum"),
])
def test_markov_errors_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, "markov", *argv, "--no-progress")
    assert code == 2
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, expected", [
    (["repeated", "--stage", "maintain", "--gamma", "0", "--learner", "bi-ac", "--runs", "20"], "A       X"),
    (["repeated", "--stage", "escape", "--gamma", "0", "--learner", "nlevel", "--runs", "20"], "C       Z"),
    (["repeated", "--stage", "penalty:-100", "--gamma", "0", "--learner", "independent-q", "--runs", "20"],
     "a2      a2"),
    (["repeated", "--stage", "matching_pennies", "--gamma", "0", "--learner", "minimax-q", "--episodes", "40",
      "--runs", "4"], "mean final strategy of Row: Heads:0.5 Tails:0.5"),
])
def test_learn(capsys, argv, expected):
    code, out, err = run(capsys, "learn", *argv, "--no-progress")
    assert code == 0, err
    assert expected in out


def test_learn_errors_are_one_line(capsys):
    code, _, err = run(capsys, "learn", "escape-room", "--no-progress")
    assert code == 2 and "finite-horizon" in err and err.count("\n") == 1
    code, _, err = run(capsys, "learn", "repeated", "--stage", "escape", "--runs", "0", "--no-progress")
    assert code == 2 and "runs" in err


def test_incentive_example1(tmp_path, capsys):
    code, out, err = run(capsys, "incentive", "example1", "--iterations", "150", "--grid-points", "21",
                         "--out", str(tmp_path),
                         "--no-progress")
    assert code == 0, err
    assert "nearest stationary point" in out and "max error" in out
    assert (tmp_path / "example1_direct_contour.png").is_file()


def test_incentive_gridworld_prints_paper_beside_ours(tmp_path, capsys):
    code, out, err = run(capsys, "incentive", "gridworld", "--init", "3", "--iterations", "3", "--out",
                         str(tmp_path), "--format", "csv", "--no-progress")
    assert code == 0, err
    assert out.splitlines()[0] == "quantity,ours,paper (Table 1)"
    assert "x2," in out and ",0.5067" in out
    code, _, err = run(capsys, "incentive", "gridworld", "--iterations", "0", "--out", str(tmp_path),
                       "--no-progress")
    assert code == 2 and "iterations" in err
