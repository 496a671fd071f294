"""Tests of the iteration loop shared by the Markov solvers (stackelberg.solvers.markov._iterate): stopping,
callbacks, progress bars and the cycle check."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import stackelberg as sb
from stackelberg.games.catalog import escape, maintain
from stackelberg.solvers.markov import (
    birl_optimum,
    check_bilevel_fixed_point,
    solve_bilevel,
    solve_minimax,
    solve_nash,
    solve_sequential,
)
from stackelberg.solvers.markov import _iterate


def test_non_convergence_warns():
    with pytest.warns(RuntimeWarning):
        solution = solve_bilevel(sb.repeated_game(escape(), 0.9), max_iterations=2)
    assert not solution.converged and solution.stop_reason == "max_iterations"


def test_progress_bars_and_callbacks(capsys):
    game = sb.repeated_game(maintain(), 0.5)
    seen = []
    solve_bilevel(game, progress=True, callback=lambda i, v, change: seen.append((i, change)))
    assert "bilevel value iteration" in capsys.readouterr().err and seen[0] == (1, 20.0)
    solve_sequential(game, progress=True)
    solve_nash(game, progress=True)
    solve_minimax(sb.repeated_game(sb.NormalFormGame.zero_sum([[1, -1], [-1, 1]]), horizon=2), progress=True)
    err = capsys.readouterr().err
    assert all(name in err for name in ("sequential value iteration", "Nash value iteration", "Shapley value"))
    enumerated, joint = [], []
    birl = birl_optimum(sb.biac_counterexample(0.9), callback=lambda k, policy, value: enumerated.append(value),
                        progress=True)
    assert len(enumerated) == birl.n_policies == 2 and max(enumerated) == pytest.approx(10.0)
    report = check_bilevel_fixed_point(sb.biac_counterexample(0.9),
                                       callback=lambda k, lead, follow, fixed: joint.append(fixed))
    assert len(joint) == 4 and sum(joint) == len(report.fixed_points) == 2
    with pytest.raises(TypeError, match="progress"):
        solve_bilevel(game, progress="yes")
    with pytest.raises(TypeError, match="callback"):
        birl_optimum(game, callback=3)


@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e-9, 1e-3, 1.0]))
def test_property_cycle_prefilter_is_exact(seed, scale):
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((2, 5))
    olds = [V + scale * rng.standard_normal((2, 5)) for _ in range(6)]
    history = [(old, old.max(axis=1), old.min(axis=1)) for old in olds]
    for threshold in (1e-9, 1e-3 * scale, scale, 3 * scale):
        brute = any(0.9 * np.abs(V - old).max() <= threshold for old in olds)
        assert _iterate._repeats(V, history, 0.9, threshold) == brute
