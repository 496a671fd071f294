"""Tests of stackelberg.cli.markov: the printed values and policies are the solvers' (and the papers' answers)."""

import json

import pytest

import stackelberg as sb
from stackelberg.solvers.markov import solve_bilevel, solve_sequential


@pytest.mark.parametrize("argv, expected", [
    (["counterexample", "--solver", "birl"], ["s1     10    0     B  A", "leader 10, follower 0"]),
    (["counterexample", "--gamma", "0.5"], ["bilevel value iteration", "converged"]),
    (["repeated", "--stage", "maintain"], ["stage  200        150          A       X"]),
    (["repeated", "--stage", "penalty:-50", "--solver", "sequential"], ["a1      a3"]),
    (["repeated", "--stage", "matching_pennies", "--solver", "minimax"], ["Heads:0.5 Tails:0.5"]),
    (["grid", "--solver", "nash", "--selection", "pareto"], ["Nash value iteration", "A 16.2, B 16.2"]),
])
def test_markov_solvers(cli, argv, expected):
    code, out, err = cli("markov", *argv)
    assert code == 0, err
    for text in expected:
        assert text in out


def _values(out, players):
    return {row["state"]: [float(row[f"V[{p}]"]) for p in players] for row in json.loads(out)}


def test_markov_escape_room_values_are_backward_induction(cli):
    game = sb.escape_room(2, 1, horizon=3)
    code, out, err = cli("markov", "escape-room", "--agents", "2", "--required", "1", "--horizon", "3",
                         "--format", "json")
    assert code == 0, err
    solution = solve_bilevel(game)
    values = _values(out, game.player_names)
    assert list(values) == list(game.state_names)
    for s, state in enumerate(game.state_names):
        assert values[state] == pytest.approx([float(solution.values[0][p, s]) for p in range(2)], rel=1e-5, abs=1e-9)


def test_markov_escape_room_three_agents_sequential(cli):
    """The README's ER(3,2) form runs with the N-level solver, and its values are solve_sequential's."""
    game = sb.escape_room(3, 2)
    code, out, err = cli("markov", "escape-room", "--agents", "3", "--required", "2", "--solver", "sequential",
                         "--format", "json")
    assert code == 0, err
    solution = solve_sequential(game)
    values = _values(out, game.player_names)
    for s, state in enumerate(game.state_names):
        assert values[state] == pytest.approx([float(solution.values[0][p, s]) for p in range(3)], rel=1e-5,
                                              abs=1e-9)


def test_markov_two_player_solver_on_three_agents_names_the_flag(cli):
    code, out, err = cli("markov", "escape-room", "--agents", "3", "--required", "2", "--solver", "bilevel")
    assert code == 2 and out == ""
    assert "--solver sequential" in err and "solve_sequential" not in err and err.count("\n") == 1


def test_markov_progress_flags_and_saved_game(cli, tmp_path):
    path = tmp_path / "maintain.npz"
    code, out, err = cli("markov", "repeated", "--stage", "maintain", "--save", path, "--progress")
    assert code == 0 and path.is_file()
    assert "sweep" in err  # --progress forces the bar (on stderr)
    code, out, err = cli("markov", "repeated", "--stage", "maintain")
    assert code == 0 and err == ""  # auto: stderr is not a terminal under pytest, so no bar
    code, saved, err = cli("markov", path, "--no-progress", "--format", "json")
    assert code == 0 and err == ""
    (row,) = json.loads(saved)
    assert row["V[Leader]"] == "200"


@pytest.mark.parametrize("argv, message", [
    (["nowhere.npz"], "does not exist"),
    (["chess"], "GAME must be a .npz file or one of"),
    (["repeated"], "needs --stage"),
    (["grid", "--horizon", "3"], "--horizon does not apply"),
    (["grid", "--agents", "3"], "--agents does not apply"),
    (["escape-room", "--gamma", "0.9"], "--gamma does not apply"),
    (["repeated", "--stage", "maintain", "--gamma", "1.0"], "gamma"),
    (["repeated", "--stage", "maintain", "--solver", "minimax"], "zero-sum"),
])
def test_markov_errors_are_one_line(cli, argv, message):
    code, out, err = cli("markov", *argv, "--no-progress")
    assert code == 2
    assert message in err and err.count("\n") == 1
