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
    code, _, err = cli("solve", path, "--concept", "nash")
    assert code == 2 and "--concept sequential" in err and err.count("\n") == 1
