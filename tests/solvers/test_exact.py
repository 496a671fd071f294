"""Tests of stackelberg.solvers._exact: fraction-free solves, the fraction-free pivot and the exact simplex,
against each other and against plain Fraction arithmetic."""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

from stackelberg.solvers._exact import (
    exact_maximize,
    fraction_free_pivot,
    fraction_free_solve,
    integer_solve,
    rational_solve,
)

entries = st.integers(-4, 4)


@st.composite
def systems(draw, max_size=4, square=False):
    """An integer system ``(matrix, rhs)`` with rows >= columns (equal when ``square``)."""
    columns = draw(st.integers(1, max_size))
    rows = columns if square else draw(st.integers(columns, columns + 2))
    matrix = draw(st.lists(st.lists(entries, min_size=columns, max_size=columns), min_size=rows, max_size=rows))
    rhs = draw(st.lists(entries, min_size=rows, max_size=rows))
    return matrix, rhs


def fraction_reference(matrix, rhs):
    """The unique solution of ``matrix @ z = rhs`` by Gauss-Jordan elimination in Fractions, else None."""
    rows = [[F(v) for v in row] + [F(b)] for row, b in zip(matrix, rhs)]
    n_cols = len(matrix[0])
    for col in range(n_cols):
        pivot = next((r for r in range(col, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = [v / rows[col][col] for v in rows[col]]
        rows[col] = head
        for r in range(len(rows)):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], head)]
    if any(rows[r][n_cols] != 0 for r in range(n_cols, len(rows))):
        return None  # inconsistent
    return [rows[r][n_cols] for r in range(n_cols)]


# ---------------------------------------------------------------------- solves


@given(systems())
def test_rational_solve_matches_fraction_elimination(system):
    matrix, rhs = system
    assert rational_solve(matrix, rhs) == fraction_reference(matrix, rhs)


@given(systems())
def test_integer_solve_is_the_rational_solution_over_a_positive_denominator(system):
    matrix, rhs = system
    solved, expected = integer_solve(matrix, rhs), fraction_reference(matrix, rhs)
    assert (solved is None) == (expected is None)
    if solved is not None:
        numerators, denominator = solved
        assert denominator > 0 and all(type(v) is int for v in numerators)
        assert [F(v, denominator) for v in numerators] == expected


@given(st.lists(systems(max_size=3, square=True), min_size=1, max_size=6).filter(
    lambda batch: len({len(m) for m, _ in batch}) == 1))
def test_batched_solve_matches_one_system_at_a_time_in_int64_and_object(batch):
    M = np.array([m for m, _ in batch], dtype=np.int64)
    b = np.array([r for _, r in batch], dtype=np.int64)
    one_by_one = [rational_solve(m, r) for m, r in batch]
    for dtype in (np.int64, object):
        regular, numerators, denominators = fraction_free_solve(M.astype(dtype), b.astype(dtype))
        assert regular.tolist() == [z is not None for z in one_by_one]
        assert (denominators > 0).all()
        solutions = [z for z in one_by_one if z is not None]
        assert [[F(int(v), int(d)) for v in row] for row, d in zip(numerators, denominators)] == solutions


@pytest.mark.parametrize("dtype", [np.int64, object])
def test_batched_solve_determinants_and_singular_systems(dtype):
    rng = np.random.default_rng(11)
    M = rng.integers(-2, 3, (400, 4, 4))
    M[:50, 3] = M[:50, 0] + M[:50, 1]  # singular
    e = np.zeros((400, 4), dtype=np.int64)
    e[:, -1] = 1
    regular, numerators, determinants = fraction_free_solve(M.astype(dtype), e.astype(dtype))
    for k in range(len(M)):
        det = round(np.linalg.det(M[k]))
        assert regular[k] == (det != 0)
    assert not regular[:50].any()
    assert (determinants > 0).all()
    for matrix, num, det in zip(M[regular], numerators, determinants):
        assert (matrix.astype(object) @ num.astype(object) == e[0].astype(object) * int(det)).all()
        assert abs(int(det)) == abs(round(np.linalg.det(matrix)))


def test_overdetermined_systems():
    assert rational_solve([[1, 0], [0, 1], [1, 1]], [1, 1, 3]) is None  # inconsistent
    assert rational_solve([[1, 0], [0, 1], [1, 1]], [1, 1, 2]) == [F(1), F(1)]
    assert rational_solve([[0, 2], [3, 0]], [4, 9]) == [F(3), F(2)]
    assert rational_solve([[1, 1]], [1]) is None  # fewer equations than unknowns: not unique
    assert integer_solve([[1, 2], [2, 4]], [1, 1]) is None


# ---------------------------------------------------------------------- pivoting


@given(systems(max_size=4, square=True), st.randoms(use_true_random=False))
def test_pivoting_every_column_in_solves_the_system(system, random):
    """Pivoting the columns of ``[M | b]`` into the basis one by one (rows in random order) leaves ``z = rhs / d``
    in the pivot rows, as the Bareiss solve and Fraction elimination find; the integer tableau over its
    denominator equals the same pivots done in Fractions after every step."""
    matrix, rhs = system
    size = len(matrix)
    T = np.array([list(row) + [b] for row, b in zip(matrix, rhs)], dtype=object)
    reference = [[F(v) for v in row] for row in T.tolist()]
    d, free, row_of = 1, list(range(size)), {}
    for column in range(size):
        candidates = [r for r in free if T[r, column] != 0]
        if not candidates:
            assert rational_solve(matrix, rhs) is None  # singular
            return
        row = random.choice(candidates)
        free.remove(row)
        row_of[column] = row
        d = fraction_free_pivot(T, row, column, d)
        head = [v / reference[row][column] for v in reference[row]]
        reference = [head if r == row else [a - reference[r][column] * h for a, h in zip(reference[r], head)]
                     for r in range(size)]
        assert d > 0
        assert all(type(v) is int for v in T.ravel())
        assert [[F(v, d) for v in T[r]] for r in range(size)] == reference
    solution = [F(T[row_of[c], size], T[row_of[c], c]) for c in range(size)]
    assert solution == rational_solve(matrix, rhs) == fraction_reference(matrix, rhs)


def test_negative_pivot_keeps_the_denominator_positive():
    T = np.array([[-2, 1, 3], [1, 1, 1]], dtype=object)
    d = fraction_free_pivot(T, 0, 0, 1)
    assert d == 2
    assert T.tolist() == [[2, -1, -3], [0, 3, 5]]  # negated, after the other row became p T_1 - T_10 T_0


# ---------------------------------------------------------------------- exact simplex


@st.composite
def linear_programmes(draw):
    """max c.x over {x >= 0 : A x <= b, sum(x) = 1}: feasible and bounded (the simplex of the solvers' LPs)."""
    n = draw(st.integers(1, 4))
    m = draw(st.integers(0, 4))
    c = draw(st.lists(entries, min_size=n, max_size=n))
    A = draw(st.lists(st.lists(entries, min_size=n, max_size=n), min_size=m, max_size=m))
    b = draw(st.lists(st.integers(-2, 4), min_size=m, max_size=m))
    return c, A, b


@given(linear_programmes())
def test_exact_simplex_matches_highs_and_is_exactly_feasible(lp):
    c, A, b = lp
    n = len(c)
    x = exact_maximize(c, A, b, [[1] * n], [1])
    reference = linprog(-np.array(c, dtype=float), A_ub=np.array(A, dtype=float).reshape(-1, n) if A else None,
                        b_ub=np.array(b, dtype=float) if A else None, A_eq=np.ones((1, n)), b_eq=[1.0],
                        bounds=(0, None), method="highs")
    if reference.status == 2:
        assert x is None
        return
    assert reference.status == 0 and x is not None
    assert all(isinstance(v, F) and v >= 0 for v in x) and sum(x) == 1
    assert all(sum(a * v for a, v in zip(row, x)) <= bound for row, bound in zip(A, b))
    assert float(sum(a * v for a, v in zip(c, x))) == pytest.approx(-reference.fun, abs=1e-9)


def test_exact_simplex_with_fractions_and_redundant_equations():
    x = exact_maximize([F(1, 2), F(1, 3)], [[F(1, 2), 1]], [F(3, 4)], [[1, 1], [2, 2]], [1, 2])
    assert x.tolist() == [F(1), F(0)]
    assert exact_maximize([1, 1], [[1, 2], [3, 1]], [4, 6], [], []).tolist() == [F(8, 5), F(6, 5)]
    assert exact_maximize([1], [[1]], [-1], [], []) is None  # x <= -1 with x >= 0
