"""Tests of stackelberg.solvers.matrix._arguments: the argument checks that need the game class."""

import numpy as np
import pytest

from stackelberg import NormalFormGame
from stackelberg.solvers.matrix._arguments import check_bimatrix_arguments, check_exact, check_game, check_solver_tol

EXACT = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[0, 1], [1, 0]])
THREE = NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int))


def test_check_game_accepts_games_of_any_size_and_rejects_the_rest():
    assert check_game(EXACT) is EXACT and check_game(THREE) is THREE
    with pytest.raises(TypeError, match="game must be a NormalFormGame; got list"):
        check_game([[1, 0], [0, 1]])


def test_check_bimatrix_arguments_resolves_exact_and_names_the_purpose():
    assert check_bimatrix_arguments(EXACT, None) is True
    assert check_bimatrix_arguments(EXACT, False) is False
    assert check_bimatrix_arguments(EXACT.to_float(), None) is False
    with pytest.raises(ValueError, match="exact=True needs"):
        check_bimatrix_arguments(EXACT.to_float(), True)
    with pytest.raises(TypeError, match="exact must be"):
        check_bimatrix_arguments(EXACT, 1)
    with pytest.raises(ValueError, match=r"2 players for mixed equilibrium enumeration; it has 3 \(use pure_nash"):
        check_bimatrix_arguments(THREE, None)
    with pytest.raises(ValueError, match=r"2 players for stackelberg_equilibria; it has 3 \(use sequential_equilibria"):
        check_bimatrix_arguments(THREE, None, purpose="stackelberg_equilibria", hint="use sequential_equilibria")


def test_check_exact_follows_the_game():
    assert check_exact(THREE, None) is True and check_exact(THREE.to_float(), None) is False
    with pytest.raises(ValueError, match="exact=True needs"):
        check_exact(THREE.to_float(), True)


def test_check_solver_tol_needs_a_positive_tol_only_in_float_mode():
    assert check_solver_tol(0, True, "x", "y") == 0.0
    assert check_solver_tol(1e-9, False, "x", "y") == 1e-9
    with pytest.raises(ValueError, match=r"tol must be positive for a float solve \(why\); got 0"):
        check_solver_tol(0.0, False, "a float solve", "why")
    with pytest.raises(ValueError, match="tol"):
        check_solver_tol(-1.0, True, "x", "y")
    with pytest.raises(TypeError, match="tol"):
        check_solver_tol("small", True, "x", "y")


def test_validation_imports_no_game_class():
    """_validation sits below games (no import circle): none of its imports, at any depth, names a game module."""
    import ast

    import stackelberg._validation as validation

    tree = ast.parse(open(validation.__file__, encoding="utf-8").read())
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert imported and not [name for name in imported if "games" in name or "normal_form" in name]
