"""Tests of stackelberg/solvers/matrix/vertex_enumeration.py and its kernels (stackelberg/solvers/kernels/vertex_enumeration.py)."""

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stackelberg.solvers.matrix.vertex_enumeration as vertex_enumeration
from stackelberg import NormalFormGame
from stackelberg.solvers.kernels import vertex_enumeration as kernel
from stackelberg.solvers.matrix.vertex_enumeration import iter_vertex_enumeration


def brute_force_vertices(M):
    """Label masks and coordinates of every vertex of {z >= 0 : M z <= 1}: all choices of d tight constraints."""
    M = [[Fraction(int(v)) for v in row] for row in M]
    k, d = len(M), len(M[0])
    # constraint c < d: z_c >= 0; constraint d + r: (M z)_r <= 1
    normals = [[Fraction(int(i == c)) for i in range(d)] for c in range(d)] + M
    offsets = [Fraction(0)] * d + [Fraction(1)] * k
    found = {}
    for tight in combinations(range(d + k), d):
        z = solve_fraction([normals[c] for c in tight], [offsets[c] for c in tight])
        if z is None or any(v < 0 for v in z) or any(sum(a * b for a, b in zip(row, z)) > 1 for row in M):
            continue
        mask = sum(1 << c for c in range(d + k) if sum(a * b for a, b in zip(normals[c], z)) == offsets[c])
        found[mask] = tuple(z)
    return found


def solve_fraction(matrix, rhs):
    n = len(rhs)
    rows = [list(row) + [b] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                f = rows[r][col] / rows[col][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[col])]
    return [rows[r][n] / rows[r][r] for r in range(n)]


def words_to_int(words):
    return sum(int(w) << (64 * i) for i, w in enumerate(words))


def random_positive_matrix(rng, kind, shape):
    low, high = {"tiny": (0, 1), "small": (0, 2), "wide": (-10, 10)}[kind]
    values = rng.integers(low, high + 1, size=shape)
    return values - values.min() + 1


def kernel_vertices(M_int, labels=None):
    """Kernel run on the float rescaling that vertex_enumeration uses (same combinatorics as M_int)."""
    M = np.ascontiguousarray(vertex_enumeration._rescaled(np.asarray(M_int, dtype=float)))
    labels = np.arange(sum(M.shape), dtype=np.int64) if labels is None else labels
    return kernel.polytope_vertices(M, labels)


# ---------------------------------------------------------------------- kernel against references


@pytest.mark.parametrize("kind", ["tiny", "small", "wide"])
def test_kernel_matches_brute_force_and_reference_on_random_polytopes(kind):
    rng = np.random.default_rng(11)
    for _ in range(25):
        k, d = rng.integers(1, 5, size=2)
        M = random_positive_matrix(rng, kind, (k, d))
        truth = brute_force_vertices(M)
        masks, coordinates, bases, ambiguous = kernel_vertices(M)
        reference = kernel.polytope_vertices_reference(M, range(d + k))
        assert not ambiguous
        assert {words_to_int(w) for w in masks} == set(truth)
        assert {mask for mask, _, _ in reference} == set(truth)
        for mask, coords, _ in reference:
            assert coords == truth[mask]
        # kernel coordinates are those of the rescaled polytope: compare the normalised points
        for words, z in zip(masks, coordinates):
            exact = np.array(truth[words_to_int(words)], dtype=float)
            if exact.sum() > 0:
                np.testing.assert_allclose(z / z.sum(), exact / exact.sum(), atol=1e-12)
            else:
                assert z.sum() == 0


def test_kernel_matches_reference_on_larger_degenerate_polytopes():
    rng = np.random.default_rng(3)
    for kind in ("tiny", "small", "wide"):
        for _ in range(4):
            M = random_positive_matrix(rng, kind, (7, 6))
            labels = rng.permutation(13).astype(np.int64)
            masks, _, bases, ambiguous = kernel_vertices(M, labels)
            reference = kernel.polytope_vertices_reference(M, labels)
            # the same breadth-first traversal: same vertices, in the same order, from the same bases
            assert [words_to_int(w) for w in masks] == [mask for mask, _, _ in reference]
            assert bases.tolist() == [list(basis) for _, _, basis in reference]
            assert bases.shape == (len(masks), 7)
            assert not ambiguous


def test_kernel_with_labels_beyond_64_bits():
    rng = np.random.default_rng(5)
    M = random_positive_matrix(rng, "small", (2, 63))
    labels = rng.permutation(65).astype(np.int64)  # 65 labels: two mask words
    masks, coordinates, _, ambiguous = kernel_vertices(M, labels)
    assert masks.shape[1] == 2 and not ambiguous
    assert coordinates[0].sum() == 0  # the origin comes first
    reference = kernel.polytope_vertices_reference(M, labels)
    assert {words_to_int(w) for w in masks} == {mask for mask, _, _ in reference}

    simplex, _, _, _ = kernel.polytope_vertices(np.ones((1, 70)), np.arange(71, dtype=np.int64))
    assert simplex.shape == (71, 2)  # the origin and one vertex per coordinate axis
    reference = kernel.polytope_vertices_reference(np.ones((1, 70), dtype=int), range(71))
    assert {words_to_int(w) for w in simplex} == {mask for mask, _, _ in reference}


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["tiny", "small", "wide"]))
def test_pairing_kernel_matches_reference(seed, kind):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 6, size=2)
    B, A = random_positive_matrix(rng, kind, (m, n)), random_positive_matrix(rng, kind, (m, n))
    p_labels = np.arange(m + n, dtype=np.int64)
    q_labels = np.concatenate((np.arange(m, m + n), np.arange(m))).astype(np.int64)
    masks_p = kernel_vertices(B.T, p_labels)[0]
    masks_q = kernel_vertices(A, q_labels)[0]
    pairs = kernel.completely_labelled_pairs(masks_p, masks_q, m + n)
    expected = kernel.completely_labelled_pairs_reference(
        [words_to_int(w) for w in masks_p], [words_to_int(w) for w in masks_q], m + n
    )
    assert sorted(map(tuple, pairs.tolist())) == sorted(expected)


def test_pairing_kernel_with_many_vertices_and_degenerate_matches():
    rng = np.random.default_rng(8)
    n_labels = 6
    masks_p = rng.integers(0, 2**n_labels, size=(150, 1)).astype(np.uint64)
    masks_q = rng.integers(0, 2**n_labels, size=(140, 1)).astype(np.uint64)
    pairs = kernel.completely_labelled_pairs(masks_p, masks_q, n_labels)
    expected = kernel.completely_labelled_pairs_reference(
        [int(w[0]) for w in masks_p], [int(w[0]) for w in masks_q], n_labels
    )
    assert len(expected) > 140  # vertices pairing with several partners
    assert sorted(map(tuple, pairs.tolist())) == sorted(expected)


def bimatrix_labels(m, n):
    p_labels = np.arange(m + n, dtype=np.int64)
    q_labels = np.concatenate((np.arange(m, m + n), np.arange(m))).astype(np.int64)
    return p_labels, q_labels


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["tiny", "small", "wide"]))
def test_complementary_kernel_matches_reference(seed, kind):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 6, size=2)
    B, A = random_positive_matrix(rng, kind, (m, n)), random_positive_matrix(rng, kind, (m, n))
    p_labels, q_labels = bimatrix_labels(m, n)
    masks_p = kernel_vertices(B.T, p_labels)[0]
    A_float = np.ascontiguousarray(vertex_enumeration._rescaled(A.astype(float)))
    determined, partner, masks, coordinates, bases, ambiguous = kernel.complementary_vertices(
        A_float, q_labels, masks_p, m + n
    )
    # The reference solves the same systems in integers: A_float is (A - low) / span + 1, a positive multiple of
    # A - low + span. (Labels survive any positive shift of A, but singular systems do not: the kernel may decide
    # what the reference on A itself leaves undetermined.)
    low, high = int(A.min()), int(A.max())
    expected_determined, expected = kernel.complementary_vertices_reference(
        A - low + (high - low if high > low else 1), q_labels, [words_to_int(w) for w in masks_p], m + n
    )
    assert determined == expected_determined and not ambiguous
    if not determined:
        return
    for i, want in enumerate(expected):
        assert partner[i] == (want is not None)
        if want is None:
            continue
        assert words_to_int(masks[i]) == want[0]
        exact = np.array(want[1], dtype=float)
        np.testing.assert_allclose(coordinates[i] / coordinates[i].sum(), exact / exact.sum(), atol=1e-12)
        # the basis: the free coordinates and the slacks of the loose rows, all nonbasic ones tight
        assert sorted(bases[i].tolist()) == sorted(set(bases[i].tolist()))
        nonbasic = set(range(n + m)) - set(bases[i].tolist())
        assert all(want[0] >> int(q_labels[v]) & 1 for v in nonbasic)


def test_complementary_kernel_agrees_with_full_pairing_on_nondegenerate_polytopes():
    """On random float games every vertex is non-degenerate: the solves replace the second enumeration."""
    rng = np.random.default_rng(13)
    determined_count = 0
    for _ in range(20):
        m, n = rng.integers(2, 7, size=2)
        A, B = (vertex_enumeration._rescaled(rng.standard_normal((m, n))) for _ in range(2))
        p_labels, q_labels = bimatrix_labels(m, n)
        masks_p = kernel.polytope_vertices(np.ascontiguousarray(B.T), p_labels)[0]
        masks_q, coords_q, _, _ = kernel.polytope_vertices(np.ascontiguousarray(A), q_labels)
        determined, partner, masks, coordinates, _, ambiguous = kernel.complementary_vertices(
            np.ascontiguousarray(A), q_labels, masks_p, m + n
        )
        assert not ambiguous
        determined_count += determined
        if not determined:
            continue
        pairs = kernel.completely_labelled_pairs(masks_p, masks_q, m + n).tolist()
        assert [i for i, _ in pairs] == np.flatnonzero(partner).tolist()
        for i, j in pairs:
            assert masks[i].tolist() == masks_q[j].tolist()
            np.testing.assert_allclose(coordinates[i], coords_q[j], atol=1e-12)
    assert determined_count == 20


def test_complementary_kernel_gives_up_on_degenerate_vertices_and_singular_systems():
    labels = np.arange(2, dtype=np.int64)
    degenerate = np.array([[0b00], [0b11]], dtype=np.uint64)  # a vertex missing no label (d = 1)
    assert not kernel.complementary_vertices(np.array([[1.0]]), labels, degenerate, 2)[0]
    assert kernel.complementary_vertices_reference([[1]], labels, [0, 0b11], 2) == (False, [])
    # z_0, z_1 free and both rows tight with equal rows: a singular system
    singular = np.array([[0b0000], [0b0011]], dtype=np.uint64)
    labels = np.arange(4, dtype=np.int64)
    M = np.array([[1.0, 2.0], [1.0, 2.0]])
    assert not kernel.complementary_vertices(M, labels, singular, 4)[0]
    assert kernel.complementary_vertices_reference([[1, 2], [1, 2]], labels, [0, 0b0011], 4) == (False, [])


# ---------------------------------------------------------------------- the solver module


def games(kind, count, seed, max_actions=6):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        m, n = rng.integers(1, max_actions + 1, size=2)
        low, high = {"tiny": (0, 1), "small": (0, 2), "wide": (-10, 10)}[kind]
        yield NormalFormGame.from_bimatrix(rng.integers(low, high + 1, (m, n)), rng.integers(low, high + 1, (m, n)))


def profile_set(pairs):
    return {(tuple(x), tuple(y)) for x, y in pairs}


@pytest.mark.parametrize("kind", ["tiny", "small", "wide"])
def test_exact_fallback_enumeration_agrees_with_kernel_path(kind, monkeypatch):
    """Forcing the exact integer-pivoting path (taken when a float decision is in doubt) changes nothing."""
    all_games = list(games(kind, 15, seed=21))
    fast = [profile_set(iter_vertex_enumeration(g)) for g in all_games]
    real = kernel.polytope_vertices_bounded

    def doubtful(M, labels, max_bytes):
        masks, coordinates, bases, _, complete = real(M, labels, max_bytes)
        return masks, coordinates, bases, True, complete

    monkeypatch.setattr(kernel, "polytope_vertices_bounded", doubtful)
    slow = [profile_set(iter_vertex_enumeration(g)) for g in all_games]
    assert fast == slow


@pytest.mark.parametrize("kind", ["tiny", "small", "wide", "normal"])
def test_solving_for_partners_agrees_with_enumerating_both_polytopes(kind, monkeypatch):
    """The equilibria do not change when the second polytope is enumerated and paired instead."""
    rng = np.random.default_rng(17)
    all_games = []
    for _ in range(12):
        m, n = rng.integers(1, 7, size=2)
        if kind == "normal":
            all_games.append(NormalFormGame.from_bimatrix(rng.standard_normal((m, n)), rng.standard_normal((m, n))))
        else:
            all_games.append(next(games(kind, 1, seed=int(rng.integers(2**31)))))
    exact = [g.is_exact for g in all_games]
    fast = [profile_set(iter_vertex_enumeration(g)) for g in all_games]
    fast_float = [sorted(np.round(np.concatenate(p), 9).tolist() for p in iter_vertex_enumeration(g, exact=False))
                  for g in all_games]
    real = kernel.complementary_vertices

    def undetermined(*args):
        return (False, *real(*args)[1:])

    monkeypatch.setattr(kernel, "complementary_vertices", undetermined)
    slow = [profile_set(iter_vertex_enumeration(g)) for g in all_games]
    slow_float = [sorted(np.round(np.concatenate(p), 9).tolist() for p in iter_vertex_enumeration(g, exact=False))
                  for g in all_games]
    for found, expected in zip(fast_float, slow_float):
        assert len(found) == len(expected)
        np.testing.assert_allclose(np.array(found, dtype=float), np.array(expected, dtype=float), atol=1e-9)
    assert [f for f, e in zip(fast, exact) if e] == [s for s, e in zip(slow, exact) if e]


def test_exact_vertex_rejects_a_wrong_label_set():
    M = np.array([[2, 1], [1, 2]], dtype=object)
    basis = np.array([0, 1])  # both coordinates basic: z = (1/3, 1/3), both slacks tight
    labels = np.arange(4)
    vertex = vertex_enumeration._exact_vertex(M, basis, labels, 0b1100)
    assert vertex.tolist() == [Fraction(1, 2), Fraction(1, 2)]
    assert vertex_enumeration._exact_vertex(M, basis, labels, 0b0100) is None
    singular = np.array([[1, 2], [2, 4]], dtype=object)
    assert vertex_enumeration._exact_vertex(singular, basis, labels, 0b1100) is None  # a singular basis


def test_wrong_float_label_set_triggers_exact_enumeration(monkeypatch):
    game = NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    expected = profile_set(iter_vertex_enumeration(game))
    real = kernel.polytope_vertices_bounded

    def corrupted(M, labels, max_bytes):
        masks, coordinates, bases, ambiguous, complete = real(M, labels, max_bytes)
        masks = masks.copy()
        masks[1:, 0] ^= np.uint64(1)  # flip label 0 of every vertex but the origin
        return masks, coordinates, bases, ambiguous, complete

    monkeypatch.setattr(kernel, "polytope_vertices_bounded", corrupted)
    assert profile_set(iter_vertex_enumeration(game)) == expected


def test_exact_results_are_fractions_and_float_results_are_close():
    for game in games("wide", 10, seed=4):
        exact = list(iter_vertex_enumeration(game))
        floats = list(iter_vertex_enumeration(game, exact=False))
        assert len(exact) == len(floats)
        for (x, y), (xf, yf) in zip(exact, floats):
            assert all(isinstance(v, Fraction) for v in (*x, *y))
            assert xf.dtype == float and yf.dtype == float
            np.testing.assert_allclose(np.array(x, dtype=float), xf, atol=1e-12)
            np.testing.assert_allclose(np.array(y, dtype=float), yf, atol=1e-12)


def test_fraction_payoffs_and_constant_games():
    half = Fraction(1, 2)
    game = NormalFormGame.from_bimatrix([[half, 0], [0, Fraction(1, 3)]], [[Fraction(1, 3), 0], [0, half]])
    assert profile_set(iter_vertex_enumeration(game)) == {
        ((1, 0), (1, 0)),
        ((0, 1), (0, 1)),
        ((Fraction(3, 5), Fraction(2, 5)), (Fraction(2, 5), Fraction(3, 5))),
    }
    constant = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 1], [1, 1]])
    assert profile_set(iter_vertex_enumeration(constant)) == {
        ((1, 0), (1, 0)), ((1, 0), (0, 1)), ((0, 1), (1, 0)), ((0, 1), (0, 1))
    }
    single = NormalFormGame.from_bimatrix([[4]], [[-2]])
    assert profile_set(iter_vertex_enumeration(single)) == {((1,), (1,))}


def test_iter_vertex_enumeration_rejects_bad_input():
    game = NormalFormGame.from_bimatrix([[1, 0]], [[0, 1]])
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        iter_vertex_enumeration([[1, 0]])
    with pytest.raises(ValueError, match="2 players.*pure_nash_equilibria"):
        iter_vertex_enumeration(NormalFormGame.common_payoff(np.zeros((2, 2, 2), dtype=int)))
    with pytest.raises(ValueError, match="exact=True needs"):
        iter_vertex_enumeration(game.to_float(), exact=True)
    with pytest.raises(TypeError, match="exact must be"):
        iter_vertex_enumeration(game, exact="yes")
    with pytest.raises(TypeError, match="exact must be"):
        iter_vertex_enumeration(game, exact=1)
    with pytest.raises(TypeError, match="tol"):  # no tolerance argument (see the Notes of its docstring)
        iter_vertex_enumeration(game, tol=1e-9)


def test_bounded_traversal_equals_the_unbounded_one_and_stops_at_its_budget():
    """polytope_vertices is polytope_vertices_bounded without a budget; a small budget stops it, flagged incomplete."""
    rng = np.random.default_rng(8)
    M = rng.uniform(1, 2, size=(9, 9))
    labels = np.arange(18, dtype=np.int64)
    masks, coordinates, bases, ambiguous = kernel.polytope_vertices(M, labels)
    bounded = kernel.polytope_vertices_bounded(M, labels, 1 << 30)
    assert bounded[4]
    for got, expected in zip(bounded[:3], (masks, coordinates, bases)):
        np.testing.assert_array_equal(got, expected)
    assert bounded[3] == ambiguous
    budget = kernel.traversal_bytes(9, 9, 64, 256, 64)
    partial = kernel.polytope_vertices_bounded(M, labels, budget)
    assert not partial[4] and 0 < len(partial[0]) < len(masks)
    np.testing.assert_array_equal(partial[0], masks[: len(partial[0])])
    assert vertex_enumeration._traversal_bytes(9, 9, 64, 256, 64) == budget


def test_vertex_enumeration_beyond_max_memory_is_refused():
    from stackelberg.errors import ProblemTooLargeError

    rng = np.random.default_rng(8)
    game = NormalFormGame.from_bimatrix(rng.standard_normal((9, 9)), rng.standard_normal((9, 9)))
    with pytest.raises(ProblemTooLargeError, match="max_memory") as error:
        list(iter_vertex_enumeration(game, max_memory=100_000))
    assert error.value.limit == "max_memory"
    with pytest.raises(ProblemTooLargeError, match="max_memory"):  # up front: the first level alone is too large
        iter_vertex_enumeration(game, max_memory=10_000)
