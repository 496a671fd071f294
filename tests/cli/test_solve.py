"""Tests of stackelberg.cli.solve: the printed equilibria are the solvers' (known answers of the papers' games)."""

import json
from fractions import Fraction

import pytest

import stackelberg as sb


def test_solve_catalogue_game_prints_all_equilibria(cli):
    code, out, _ = cli("solve", "escape", "--concept", "nash")
    assert code == 0
    assert "A:2/3 C:1/3; X:2/3 Z:1/3" in out and "30; 30" in out


def test_solve_nash_json_matches_the_library(cli):
    code, out, _ = cli("solve", "maintain", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    expected = sb.nash_equilibria(sb.get_game("maintain"))
    assert sorted(tuple(r["payoffs"]) for r in rows) == sorted(
        tuple(str(Fraction(v)) for v in eq.payoffs) for eq in expected)


def test_solve_stackelberg_mixed_json(cli):
    code, out, _ = cli("solve", "commitment_example", "--concept", "stackelberg", "--commitment", "mixed",
                       "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["payoffs"][0] == "7/2"


def test_solve_weak_mixed_reports_unattained_supremum(cli):
    code, out, _ = cli("solve", "weak_commitment_example", "--concept", "stackelberg", "--commitment", "mixed",
                       "--tie-break", "weak", "--format", "csv")
    assert code == 0
    header, row = out.strip().splitlines()
    assert "attained" in header and ",False,9" in row


@pytest.mark.parametrize("concept, expected", [("pure-nash", "B; Y"), ("sequential", "A; X"), ("components", "B; Y")])
def test_solve_other_concepts(cli, concept, expected):
    code, out, _ = cli("solve", "maintain", "--concept", concept)
    assert code == 0
    assert expected in out


def test_tol_is_passed_to_the_solver(cli, tmp_path):
    """A float game with a near-tie: the tolerance decides whether the second row is a best response."""
    game = sb.NormalFormGame.from_bimatrix([[1.0, 0.0], [1.0 - 1e-7, 0.0]], [[1.0, 0.0], [1.0, 0.0]])
    loose = sb.pure_nash_equilibria(game, tol=1e-6)
    strict = sb.pure_nash_equilibria(game, tol=1e-12)
    assert (len(loose), len(strict)) == (2, 1)
    path = tmp_path / "near_tie.json"
    sb.save_game(game, path)
    for tol, expected in (("1e-6", loose), ("1e-12", strict)):
        code, out, _ = cli("solve", path, "--concept", "pure-nash", "--tol", tol, "--format", "json")
        assert code == 0
        assert len(json.loads(out)) == len(expected)


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_tol_is_relative_to_the_payoff_scale(cli, tmp_path, scale):
    """The same near-tie times 1e-12 or 1e12 (plus a shift): --tol decides exactly as on the unscaled game."""
    game = sb.NormalFormGame.from_bimatrix([[1.0 * scale, 0.0], [(1.0 - 1e-7) * scale, 0.0]],
                                           [[3.0 * scale, 2.0 * scale], [3.0 * scale, 2.0 * scale]])
    path = tmp_path / "scaled_near_tie.json"
    sb.save_game(game, path)
    for tol, count in (("1e-6", 2), ("1e-12", 1)):
        code, out, _ = cli("solve", path, "--concept", "pure-nash", "--tol", tol, "--format", "json")
        assert code == 0
        assert len(json.loads(out)) == count


def test_n_player_concept_error_names_the_flag(cli, tmp_path):
    path = tmp_path / "three.json"
    game = sb.NormalFormGame([[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]] * 3)
    sb.save_game(game, path)
    code, _, err = cli("solve", path, "--concept", "stackelberg")  # nash works for N players since issue 17
    assert code == 2 and "--concept nash, sequential or pure-nash" in err and err.count("\n") == 1


def _three_player_file(tmp_path):
    import numpy as np

    a = np.indices((2, 2, 2))
    path = tmp_path / "three.nfg"
    sb.save_game(sb.NormalFormGame([(a[0] == a[1]) * 1, (a[1] == a[2]) * 1, (a[2] != a[0]) * 1]), path)
    return str(path)


def test_solve_nash_of_a_three_player_game(cli, tmp_path):
    code, out, _ = cli("solve", _three_player_file(tmp_path), "--concept", "nash", "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["strategies"] == ["a1:1/2 a2:1/2"] * 3 and row["regret"] == "0" and row["continuum"] is False


def test_solve_qre_limit_and_at_lambda(cli):
    from stackelberg.cli._common import strategy

    game = sb.get_game("maintain")
    code, out, _ = cli("solve", "maintain", "--concept", "qre", "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    expected = sb.logit_equilibrium(game).equilibrium
    assert row["strategies"] == [strategy(game.action_names[p], s) for p, s in enumerate(expected.strategies)]
    assert row["regret"] == "0"
    code, out, _ = cli("solve", "maintain", "--concept", "qre", "--lam", "0.5", "--format", "json")
    (row,) = json.loads(out)
    assert row["lambda"] == "0.5" and float(row["regret"]) > 0


def test_solve_correlated_prints_the_lp_optimum(cli):
    code, out, _ = cli("solve", "battle_of_the_sexes", "--concept", "correlated", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    expected = sb.correlated_equilibria(sb.get_game("battle_of_the_sexes"))
    assert len(rows) == len(expected.support) + 1
    assert rows[-1]["probability"] == "; ".join(str(v) for v in expected.payoffs)


def test_solve_bayesian_stackelberg_from_a_types_file(cli, tmp_path):
    path = tmp_path / "types.json"
    path.write_text(json.dumps({"prior": ["1/2", "1/2"],
                                "types": [{"leader": [[2, 4], [1, 3]], "follower": [[1, 0], [0, 1]]},
                                          {"leader": [[1, 2], [0, 3]], "follower": [[0, 1], [1, 0]]}],
                                "leader_actions": ["U", "D"], "follower_actions": ["L", "R"]}))
    code, out, _ = cli("solve", str(path), "--concept", "bayesian-stackelberg", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["response"] for r in rows] == ["R", "R"] and rows[0]["value"] == "3"
    assert rows[0]["leader_strategy"] == "U:1/2 D:1/2"


def test_solve_bayesian_stackelberg_one_type_is_the_mixed_sse(cli):
    code, out, _ = cli("solve", "commitment_example", "--concept", "bayesian-stackelberg", "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["value"] == "7/2"


def test_bad_types_files_are_one_line_errors(cli, tmp_path):
    bad = tmp_path / "types.json"
    bad.write_text(json.dumps({"prior": [0.5, 0.6], "types": [{"leader": [[1]], "follower": [[1]]}] * 2}))
    code, _, err = cli("solve", str(bad), "--concept", "bayesian-stackelberg")
    assert code == 2 and "prior must sum to 1" in err
    bad.write_text(json.dumps({"prior": [1], "types": [{"leader": [["x"]], "follower": [[1]]}]}))
    code, _, err = cli("solve", str(bad), "--concept", "bayesian-stackelberg")
    assert code == 2 and "types[0].leader[0][0]" in err
    bad.write_text(json.dumps({"prior": [0.5, 0.5], "types": [{"leader": [[1]], "follower": [[1]]},
                                                               {"leader": [[1, 2]], "follower": [[1, 2]]}]}))
    code, _, err = cli("solve", str(bad), "--concept", "bayesian-stackelberg")
    assert code == 2 and "same action sets" in err
