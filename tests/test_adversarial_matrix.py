"""Adversarial matrix games: scaled and shifted payoffs, absurd sizes, huge exact numbers.

* Scale: every float tolerance of the matrix solvers is relative to the payoff scale, so multiplying all payoffs by
  ``c`` in {1e-12, 1e-6, 1e6, 1e12} and adding a constant per player changes no equilibrium set (pure Nash, all
  extreme Nash by vertex and support enumeration, Lemke-Howson, pure and mixed Stackelberg under both tie-breaks,
  sequential), for float and exact games.
* Size: enumerations that used to grow to 17-60 GB refuse with ``ProblemTooLargeError`` naming the ``max_...``
  keyword, in a subprocess whose address space is capped, within a time limit, never with MemoryError.
* Huge numbers: exact games with 100-digit denominators are solved by every method, and the methods agree.
"""

import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import stackelberg as sb
from stackelberg.errors import ProblemTooLargeError
from stackelberg.solvers.matrix.sequential import sequential_equilibria
from stackelberg.solvers.matrix.stackelberg import stackelberg_equilibria

F = Fraction
ROOT = Path(__file__).resolve().parents[1]
SCALES = [1e-12, 1e-6, 1e6, 1e12]
EXACT_SCALES = [F(1, 10**12), F(1, 10**6), F(10**6), F(10**12)]


# ---------------------------------------------------------------------------- scaling and shifting


def _float_key(values):
    return tuple(float(v) for v in np.asarray(values, dtype=float))


def assert_same(found, expected, where=()):
    """Equal structures, floats within 1e-7 (probabilities: the float solvers round at about 1e-9)."""
    if isinstance(expected, float):
        assert abs(found - expected) <= 1e-7, where
    elif isinstance(expected, (list, tuple)):
        assert isinstance(found, (list, tuple)) and len(found) == len(expected), (where, found, expected)
        for k, (a, b) in enumerate(zip(found, expected)):
            assert_same(a, b, where + (k,))
    elif isinstance(expected, dict):
        assert found.keys() == expected.keys(), where
        for key in expected:
            assert_same(found[key], expected[key], where + (key,))
    else:
        assert found == expected, (where, found, expected)


def nash_sets(game):
    """Everything the Nash solvers say about ``game``, in a form independent of the payoff scale."""
    exact = game.is_exact
    key = (lambda s: tuple(s)) if exact else _float_key
    out = {"pure": [eq.pure_actions for eq in sb.pure_nash_equilibria(game)]}
    for method in ("vertex", "support", "lemke-howson"):
        profiles = [tuple(key(s) for s in eq.strategies) for eq in sb.nash_equilibria(game, method)]
        out[method] = sorted(profiles, key=lambda p: [np.round(np.asarray(s, dtype=float), 6).tolist() for s in p])
    out["sequential"] = [s.path for s in sequential_equilibria(game)]
    out["sequential weak"] = [s.path for s in sequential_equilibria(game, tie_break="weak")]
    return out


def stackelberg_sets(game):
    """Every Stackelberg solution: commitment, follower action, and whether the supremum is attained."""
    exact = game.is_exact
    key = (lambda s: tuple(s)) if exact else _float_key
    out = {}
    for commitment in ("pure", "mixed"):
        for tie_break in ("strong", "weak"):
            for leader in (0, 1):
                found = stackelberg_equilibria(game, leader, commitment, tie_break)
                out[commitment, tie_break, leader] = [
                    (key(s.leader_strategy), s.follower_action, s.attained) for s in found]
    return out


def scaled(A, B, c, shift_A, shift_B, exact):
    if exact:
        A2 = np.array([[c * F(v) + shift_A for v in row] for row in A], dtype=object)
        B2 = np.array([[c * F(v) + shift_B for v in row] for row in B], dtype=object)
    else:
        A2 = np.asarray(A, dtype=float) * c + shift_A * c
        B2 = np.asarray(B, dtype=float) * c + shift_B * c
    return sb.NormalFormGame.from_bimatrix(A2, B2)


games = st.tuples(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**32 - 1)).map(
    lambda t: tuple(np.random.default_rng(t[2]).integers(-3, 4, size=(2, t[0], t[1])).tolist()))


@settings(max_examples=12)
@given(payoffs=games, shift_A=st.integers(-50, 50), shift_B=st.integers(-50, 50))
@example(payoffs=([[1, -1, -1], [3, -1, -2]], [[3, -3, 0], [-1, -3, 2]]), shift_A=0, shift_B=0)  # weak tie, leader 1
@example(payoffs=([[-1, 1], [2, -3]], [[3, 3], [-3, 0]]), shift_A=0, shift_B=0)  # weak supremum not attained
def test_scaling_and_shifting_a_float_game_changes_no_equilibrium_set(payoffs, shift_A, shift_B):
    """Integer-valued (so often degenerate) float games, times c in 1e-12..1e12, plus a shift per player."""
    A, B = payoffs
    reference = sb.NormalFormGame.from_bimatrix(np.asarray(A, float), np.asarray(B, float))
    expected_nash, expected_stackelberg = nash_sets(reference), stackelberg_sets(reference)
    for c in SCALES:
        game = scaled(A, B, c, shift_A, shift_B, exact=False)
        assert_same(nash_sets(game), expected_nash, (c,))
        assert_same(stackelberg_sets(game), expected_stackelberg, (c,))


@settings(max_examples=8)
@given(payoffs=games, shift_A=st.fractions(-100, 100, max_denominator=7),
       shift_B=st.fractions(-100, 100, max_denominator=7))
def test_scaling_and_shifting_an_exact_game_changes_no_equilibrium_set(payoffs, shift_A, shift_B):
    """Exact games: the same rational equilibria, exactly, after c in 10^-12..10^12 and a rational shift."""
    A, B = payoffs
    reference = sb.NormalFormGame.from_bimatrix(A, B)
    expected_nash, expected_stackelberg = nash_sets(reference), stackelberg_sets(reference)
    for c in EXACT_SCALES:
        game = scaled(A, B, c, shift_A, shift_B, exact=True)
        assert nash_sets(game) == expected_nash, c
        assert stackelberg_sets(game) == expected_stackelberg, c


def test_a_tiny_game_has_its_one_pure_equilibrium_not_all_cells():
    """The issue's case: a 6 x 6 game times 1e-12 had 36 'pure equilibria' instead of its one."""
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((2, 6, 6))
    expected = [eq.pure_actions for eq in sb.pure_nash_equilibria(sb.NormalFormGame.from_bimatrix(A, B))]
    tiny = sb.NormalFormGame.from_bimatrix(A * 1e-12, B * 1e-12)
    assert [eq.pure_actions for eq in sb.pure_nash_equilibria(tiny)] == expected
    assert len(expected) <= 2


@pytest.mark.parametrize("c", [1e-12, 1e12])
def test_mixed_commitment_follows_a_best_response_at_any_scale(c):
    """The follower's action of a float mixed commitment is a best response (regret within tol of the scale)."""
    rng = np.random.default_rng(4)
    A, B = rng.standard_normal((2, 5, 5)) * c
    for tie_break in ("strong", "weak"):
        for solution in stackelberg_equilibria(sb.NormalFormGame.from_bimatrix(A, B), 0, "mixed", tie_break):
            follower = solution.leader_strategy @ B
            assert follower.max() - follower[solution.follower_action] <= 1e-9 * np.ptp(B)


def test_huge_payoffs_are_certified():
    """Payoffs times 1e12 failed certification with a traceback; every method now returns the equilibria."""
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((2, 5, 5))
    reference = sb.nash_equilibria(sb.NormalFormGame.from_bimatrix(A, B))
    game = sb.NormalFormGame.from_bimatrix(A * 1e12 + 3e12, B * 1e12)
    for method in ("vertex", "support"):
        found = sb.nash_equilibria(game, method)
        assert [eq.support for eq in found] == [eq.support for eq in reference]
    zero_sum = sb.zero_sum_equilibrium(A * 1e12)
    assert zero_sum.value == pytest.approx(sb.zero_sum_equilibrium(A).value * 1e12, rel=1e-8)


# ---------------------------------------------------------------------------- bounded work

LIMITED = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    import numpy as np
    import stackelberg as sb
    from stackelberg.errors import ProblemTooLargeError
    rng = np.random.default_rng(0)
    n, m = {shape}
    game = sb.NormalFormGame.from_bimatrix(rng.standard_normal((n, m)), rng.standard_normal((n, m)))
    try:
        {call}
    except ProblemTooLargeError as error:
        print("REFUSED", error.limit)
        print(error)
    except MemoryError:
        print("MEMORYERROR")
    else:
        print("SOLVED")
""")


def run_limited(shape, call, *, limit_gb=3, timeout=120):
    """Run ``call`` on a random game in a subprocess with its address space capped; return its stdout."""
    code = LIMITED.format(limit=limit_gb * 2**30, shape=shape, call=call)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                            cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize(
    "shape, call, limit",
    [
        ((2000, 2000), "sb.nash_equilibria(game)", "max_memory"),
        ((30, 30), "sb.nash_equilibria(game, max_memory=2**28)", "max_memory"),
        ((30, 30), "sb.nash_equilibria(game, 'support')", "max_systems"),
        ((2000, 2000), "sb.stackelberg_equilibria(game, commitment='mixed')", "max_lp_entries"),
        ((2000, 2000), "list(sb.iter_nash_equilibria(game, 'vertex'))", "max_memory"),
    ],
)
def test_absurd_enumerations_are_refused_in_bounded_memory(shape, call, limit):
    """2000 x 2000 and 30 x 30 games used to grow to 17-60 GB; now one clear error, under a 3 GB address space."""
    out = run_limited(shape, call)
    assert out.startswith(f"REFUSED {limit}"), out
    assert limit in out.splitlines()[1]


def test_the_default_memory_budget_stops_a_30x30_enumeration():
    """With the default budget (1 GiB) a 30 x 30 vertex enumeration stops in seconds: never MemoryError."""
    out = run_limited((30, 30), "sb.nash_equilibria(game)", timeout=240)
    assert out.startswith("REFUSED max_memory"), out


def test_refusals_happen_before_any_work():
    """Up-front estimates: support enumeration and mixed Stackelberg refuse instantly, naming the keyword."""
    game = sb.NormalFormGame.from_bimatrix(np.zeros((14, 14)), np.zeros((14, 14)))
    with pytest.raises(ProblemTooLargeError, match="max_systems") as error:
        sb.nash_equilibria(game, "support")
    assert error.value.limit == "max_systems"
    exact = sb.NormalFormGame.from_bimatrix(np.zeros((200, 200), int), np.zeros((200, 200), int))
    with pytest.raises(ProblemTooLargeError, match="max_lp_entries"):
        stackelberg_equilibria(exact, commitment="mixed")
    with pytest.raises(ProblemTooLargeError, match="max_memory"):
        sb.nash_equilibria(sb.NormalFormGame.from_bimatrix(np.zeros((1000, 1200)), np.zeros((1000, 1200))))


def test_the_limits_can_be_raised():
    game = sb.NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    with pytest.raises(ProblemTooLargeError):
        sb.nash_equilibria(game, "support", max_systems=9)
    assert len(sb.nash_equilibria(game, "support", max_systems=10)) == 1
    with pytest.raises(ProblemTooLargeError):
        stackelberg_equilibria(game, commitment="mixed", max_lp_entries=799)
    assert stackelberg_equilibria(game, commitment="mixed", max_lp_entries=800)


# ---------------------------------------------------------------------------- huge exact numbers


def huge_game(m, n, digits, seed):
    rng = np.random.default_rng(seed)

    def denominator():
        return int("".join(str(d) for d in rng.integers(1, 10, digits)))

    return sb.NormalFormGame.from_bimatrix(
        *(np.array([[F(int(rng.integers(-5, 6)), denominator()) for _ in range(n)] for _ in range(m)], dtype=object)
          for _ in range(2)))


@pytest.mark.parametrize("shape, seed", [((2, 2), 0), ((3, 3), 1), ((4, 3), 2), ((3, 4), 3)])
def test_every_method_solves_100_digit_denominators_and_they_agree(shape, seed):
    """The default (vertex) method crashed on huge exact numbers; all methods now agree, exactly, with zero regret."""
    game = huge_game(*shape, digits=100, seed=seed)
    found = {method: sb.nash_equilibria(game, method) for method in ("vertex", "support", "lemke-howson")}
    exact_set = sorted(tuple(tuple(s) for s in eq.strategies) for eq in found["vertex"])
    assert exact_set == sorted(tuple(tuple(s) for s in eq.strategies) for eq in found["support"])
    assert all(tuple(tuple(s) for s in eq.strategies) in exact_set for eq in found["lemke-howson"])
    assert all(eq.exact and eq.max_regret == 0 for eqs in found.values() for eq in eqs)
    pure = [eq.pure_actions for eq in sb.pure_nash_equilibria(game)]
    assert pure == sorted(eq.pure_actions for eq in found["vertex"] if eq.is_pure)
    for commitment in ("pure", "mixed"):
        for tie_break in ("strong", "weak"):
            solutions = stackelberg_equilibria(game, 0, commitment, tie_break)
            assert solutions and all(s.exact and s.follower_regret == 0 for s in solutions)
    assert sb.equilibrium_components(game)
    zero_sum = sb.NormalFormGame.zero_sum(game.bimatrix(exact=True)[0])
    solution = sb.zero_sum_equilibrium(zero_sum)
    assert solution.max_regret == 0
    assert solution.value == sb.nash_equilibria(zero_sum, "support")[0].payoffs[0]
