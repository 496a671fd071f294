r"""Vertices of the polytope :math:`\{z \ge 0 : M z \le 1\}` and their completely labelled pairs.

For a bimatrix game with positive payoffs the best-response polytopes are
:math:`P = \{x \ge 0 : B^\top x \le 1\}` and :math:`Q = \{y \ge 0 : A y \le 1\}`.
Both have the form :math:`\{z \in \mathbb{R}^d : z \ge 0,\ M z \le 1\}` with
``M`` of shape ``(k, d)`` and positive entries (so the polytope is bounded).
With slacks :math:`s = 1 - M z` a basis is a set of ``k`` of the ``d + k``
variables :math:`(z, s)`; every variable carries a *label*, and a vertex carries
the labels of its zero variables (more than ``d`` of them at a degenerate vertex).

:func:`polytope_vertices` visits every vertex, degenerate ones included, by a
breadth-first traversal of the *lexicographically feasible* bases: the bases
that stay feasible when the right-hand side ``1`` becomes
:math:`1 + (\varepsilon, \varepsilon^2, \dots, \varepsilon^k)`. That perturbed
polytope is simple, its graph is connected, every one of its vertices lies (as
:math:`\varepsilon \to 0`) on a vertex of the original polytope and every
original vertex is such a limit; a pivot with the lexicographic minimum ratio
test moves along one of its edges. So the traversal reaches every vertex, and
it visits far fewer bases than an enumeration of all feasible bases of a
degenerate vertex would (Avis and Fukuda's reverse search uses the same
perturbation). Vertices are told apart by their label sets, which determine them.

:func:`completely_labelled_pairs` pairs the vertices of :math:`P` and
:math:`Q` whose label sets cover all ``m + n`` labels: the extreme Nash
equilibria (after normalisation), in degenerate games too, where one vertex may
pair with several.

The numba kernels pivot in float64. Every decision they take (is a value zero,
is a pivot entry positive, which ratio is smaller) is also checked against an
ambiguity band around its threshold; the returned flag says whether any
decision fell inside it, so that an exact caller can redo the work in rational
arithmetic with :func:`polytope_vertices_reference`, the plain-Python (integer
pivoting) implementation of the same traversal, which the tests compare the
kernel against. :func:`completely_labelled_pairs_reference` is the plain
reference of the pairing.

References
----------
.. [1] B. von Stengel, "Computing equilibria for two-person games", Handbook of
   Game Theory with Economic Applications, vol. 3, ch. 45, 2002.
.. [2] D. Avis, G. Rosenberg, R. Savani, B. von Stengel, "Enumeration of Nash
   equilibria for two-player games", Economic Theory 42, 9-37, 2010.
.. [3] D. Avis and K. Fukuda, "A pivoting algorithm for convex hulls and vertex
   enumeration of arrangements and polyhedra", Discrete Comput. Geom. 8, 1992.
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction

import numba
import numpy as np

__all__ = [
    "polytope_vertices",
    "polytope_vertices_reference",
    "completely_labelled_pairs",
    "completely_labelled_pairs_reference",
    "DECISION_TOL",
]

DECISION_TOL = 1e-9
"""Float values within this (relative) distance of a threshold count as equal to it."""
_BAND_LOW = 1e-12
_BAND_HIGH = 1e-8
# A decision whose quantity lies in (_BAND_LOW, _BAND_HIGH) (relative) is flagged as ambiguous.

_ONE = np.uint64(1)
_ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@numba.njit(cache=True)
def _splitmix(x):
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True)
def _find_slot(keys, values, key):
    """Slot holding ``key`` in the open-addressing table, or the empty slot where it belongs."""
    capacity = values.shape[0]
    h = np.uint64(0)
    for word in key:
        h = _splitmix(h ^ word)
    slot = np.int64(h & np.uint64(capacity - 1))
    while values[slot] >= 0:
        same = True
        for w in range(key.shape[0]):
            if keys[slot, w] != key[w]:
                same = False
                break
        if same:
            return slot
        slot = (slot + 1) & (capacity - 1)
    return slot


@numba.njit(cache=True)
def _grow_table(keys, values):
    new_keys = np.zeros((2 * keys.shape[0], keys.shape[1]), dtype=np.uint64)
    new_values = np.full(2 * values.shape[0], -1, dtype=np.int64)
    for slot in range(values.shape[0]):
        if values[slot] >= 0:
            target = _find_slot(new_keys, new_values, keys[slot])
            new_keys[target] = keys[slot]
            new_values[target] = values[slot]
    return new_keys, new_values


@numba.njit(cache=True)
def _in_band(value, scale):
    magnitude = abs(value)
    return _BAND_LOW * scale < magnitude < _BAND_HIGH * scale


@numba.njit(cache=True)
def _lex_compare(T, r, s, e, lex_columns):
    """Sign of lex(T[r] / T[r, e]) - lex(T[s] / T[s, e]) over ``lex_columns``; and an ambiguity flag."""
    ambiguous = False
    for c in lex_columns:
        a = T[r, c] / T[r, e]
        b = T[s, c] / T[s, e]
        scale = max(1.0, abs(a), abs(b))
        diff = a - b
        if _in_band(diff, scale):
            ambiguous = True
        if diff > DECISION_TOL * scale:
            return 1, ambiguous
        if diff < -DECISION_TOL * scale:
            return -1, ambiguous
    return 0, True  # rows of an invertible basis inverse never tie exactly


@numba.njit(cache=True)
def _lex_min_ratio_row(T, e, lex_columns):
    """Leaving row of the lexicographic minimum ratio test for entering column ``e``.

    ``lex_columns[0]`` is the right-hand side; the others break its ties.
    """
    rhs = lex_columns[0]
    best = -1
    best_ratio = 0.0
    ambiguous = False
    for r in range(T.shape[0]):
        a = T[r, e]
        if _in_band(a, 1.0):
            ambiguous = True
        if a <= DECISION_TOL:
            continue
        ratio = T[r, rhs] / a
        if best < 0:
            best, best_ratio = r, ratio
            continue
        scale = max(1.0, abs(ratio), abs(best_ratio))
        diff = ratio - best_ratio
        if _in_band(diff, scale):
            ambiguous = True
        if diff < -DECISION_TOL * scale:
            best, best_ratio = r, ratio
        elif diff <= DECISION_TOL * scale:  # a degenerate tie: the perturbation decides
            sign, tie = _lex_compare(T, r, best, e, lex_columns[1:])
            ambiguous = ambiguous or tie
            if sign < 0:
                best, best_ratio = r, ratio
    return best, ambiguous


@numba.njit(cache=True)
def _pivot_into(source, r, e, target):
    """``target`` = ``source`` after a pivot on entry ``(r, e)``."""
    k, ncol = source.shape
    p = source[r, e]
    for c in range(ncol):
        target[r, c] = source[r, c] / p
    for i in range(k):
        if i == r:
            continue
        f = source[i, e]
        for c in range(ncol):
            target[i, c] = source[i, c] - f * target[r, c]
        target[i, e] = 0.0


@numba.njit(cache=True)
def _grow_ring(queue_T, queue_B, queue_L, head):
    """A full ring buffer unrolled from ``head`` into one of twice the capacity."""
    size = queue_B.shape[0]
    order = (np.arange(size) + head) & (size - 1)
    new_T = np.zeros((2 * size, queue_T.shape[1], queue_T.shape[2]))
    new_B = np.zeros((2 * size, queue_B.shape[1]), dtype=np.int64)
    new_L = np.full(2 * size, -1, dtype=np.int64)
    new_T[:size] = queue_T[order]
    new_B[:size] = queue_B[order]
    new_L[:size] = queue_L[order]
    return new_T, new_B, new_L


@numba.njit(cache=True)
def polytope_vertices(M, labels):
    """All vertices of ``{z >= 0 : M z <= 1}`` by lexicographic basis traversal (numba).

    Parameters
    ----------
    M : numpy.ndarray
        ``(k, d)`` float64 matrix with positive entries.
    labels : numpy.ndarray
        int64 array of length ``d + k``: the label of variable ``z_i`` (index
        ``i``) and of slack ``s_c`` (index ``d + c``), all distinct in ``[0, d + k)``.

    Returns
    -------
    masks : numpy.ndarray
        ``(V, W)`` uint64 label sets, bit ``l % 64`` of word ``l // 64`` for label ``l``.
    coordinates : numpy.ndarray
        ``(V, d)`` float64 vertices; row 0 is the origin.
    bases : numpy.ndarray
        ``(V, k)`` int64 basic variables of one basis of each vertex.
    ambiguous : bool
        True when a float decision fell close to its threshold.
    """
    k, d = M.shape
    n_var = d + k
    n_col = n_var + 1
    words = (n_var + 63) // 64
    lex_columns = np.empty(k + 1, dtype=np.int64)
    lex_columns[0] = n_var
    for c in range(k):
        lex_columns[c + 1] = d + c

    # ring buffer of bases waiting to be processed: tableau, basic variables, variable that left to reach it
    queue_T = np.zeros((16, k, n_col))
    queue_B = np.zeros((16, k), dtype=np.int64)
    queue_L = np.full(16, -1, dtype=np.int64)
    for r in range(k):
        for c in range(d):
            queue_T[0, r, c] = M[r, c]
        queue_T[0, r, d + r] = 1.0
        queue_T[0, r, n_var] = 1.0
        queue_B[0, r] = d + r
    head, waiting = 0, 1

    seen_keys = np.zeros((64, words), dtype=np.uint64)
    seen_values = np.full(64, -1, dtype=np.int64)
    vertex_keys = np.zeros((64, words), dtype=np.uint64)
    vertex_values = np.full(64, -1, dtype=np.int64)
    masks = np.zeros((16, words), dtype=np.uint64)
    coordinates = np.zeros((16, d))
    bases = np.zeros((16, k), dtype=np.int64)
    n_vertices = 0
    ambiguous = False

    key = np.zeros(words, dtype=np.uint64)
    for r in range(k):
        key[(d + r) >> 6] |= _ONE << np.uint64((d + r) & 63)
    slot = _find_slot(seen_keys, seen_values, key)
    seen_keys[slot] = key
    seen_values[slot] = 0
    n_seen = 1

    T = np.empty((k, n_col))
    basis = np.empty(k, dtype=np.int64)
    is_basic = np.zeros(n_var, dtype=np.bool_)
    mask = np.zeros(words, dtype=np.uint64)
    new_key = np.zeros(words, dtype=np.uint64)
    while waiting > 0:
        T[:] = queue_T[head]
        basis[:] = queue_B[head]
        came_by = queue_L[head]
        head = (head + 1) & (queue_B.shape[0] - 1)
        waiting -= 1
        is_basic[:] = False
        key[:] = 0
        for r in range(k):
            is_basic[basis[r]] = True
            key[basis[r] >> 6] |= _ONE << np.uint64(basis[r] & 63)

        # the vertex of this basis: its labels are the zero variables
        mask[:] = 0
        for v in range(n_var):
            if not is_basic[v]:
                mask[labels[v] >> 6] |= _ONE << np.uint64(labels[v] & 63)
        for r in range(k):
            value = T[r, n_var]
            if _in_band(value, 1.0):
                ambiguous = True
            if value <= DECISION_TOL:
                label = labels[basis[r]]
                mask[label >> 6] |= _ONE << np.uint64(label & 63)
        slot = _find_slot(vertex_keys, vertex_values, mask)
        if vertex_values[slot] < 0:
            vertex_keys[slot] = mask
            vertex_values[slot] = n_vertices
            if n_vertices == masks.shape[0]:
                masks = np.concatenate((masks, np.zeros_like(masks)))
                coordinates = np.concatenate((coordinates, np.zeros_like(coordinates)))
                bases = np.concatenate((bases, np.zeros_like(bases)))
            masks[n_vertices] = mask
            bases[n_vertices] = basis
            for r in range(k):
                if basis[r] < d and T[r, n_var] > DECISION_TOL:
                    coordinates[n_vertices, basis[r]] = T[r, n_var]
            n_vertices += 1
            if 2 * n_vertices > vertex_values.shape[0]:
                vertex_keys, vertex_values = _grow_table(vertex_keys, vertex_values)

        # its neighbours in the perturbed polytope: one per entering variable
        for e in range(n_var):
            if is_basic[e] or e == came_by:  # re-entering the variable that left leads back
                continue
            r, tie = _lex_min_ratio_row(T, e, lex_columns)
            ambiguous = ambiguous or tie
            if r < 0:  # unbounded direction: impossible for positive M
                ambiguous = True
                continue
            leaving = basis[r]
            new_key[:] = key
            new_key[leaving >> 6] &= ~(_ONE << np.uint64(leaving & 63))
            new_key[e >> 6] |= _ONE << np.uint64(e & 63)
            slot = _find_slot(seen_keys, seen_values, new_key)
            if seen_values[slot] >= 0:
                continue
            seen_keys[slot] = new_key
            seen_values[slot] = n_seen
            n_seen += 1
            if 2 * n_seen > seen_values.shape[0]:
                seen_keys, seen_values = _grow_table(seen_keys, seen_values)
            if waiting == queue_B.shape[0]:
                queue_T, queue_B, queue_L = _grow_ring(queue_T, queue_B, queue_L, head)
                head = 0
            tail = (head + waiting) & (queue_B.shape[0] - 1)
            _pivot_into(T, r, e, queue_T[tail])
            queue_B[tail] = basis
            queue_B[tail, r] = e
            queue_L[tail] = leaving
            waiting += 1
    return masks[:n_vertices].copy(), coordinates[:n_vertices].copy(), bases[:n_vertices].copy(), ambiguous


@numba.njit(cache=True)
def completely_labelled_pairs(masks_p, masks_q, n_labels):
    """Index pairs ``(i, j)``, ``i, j >= 1``, whose label sets cover ``0 .. n_labels - 1`` (numba).

    Row 0 of each mask array is the origin (the start of :func:`polytope_vertices`) and is skipped.
    """
    n_q = masks_q.shape[0]
    q_words = (n_q + 63) // 64
    having = np.zeros((n_labels, q_words), dtype=np.uint64)  # bitset of Q-vertices having each label
    for j in range(n_q):
        for label in range(n_labels):
            if (masks_q[j, label >> 6] >> np.uint64(label & 63)) & _ONE:
                having[label, j >> 6] |= _ONE << np.uint64(j & 63)
    pairs = np.zeros((16, 2), dtype=np.int64)
    n_pairs = 0
    candidates = np.empty(q_words, dtype=np.uint64)
    for i in range(1, masks_p.shape[0]):
        candidates[:] = _ALL_ONES
        candidates[0] &= ~_ONE  # not the origin
        for label in range(n_labels):
            if not (masks_p[i, label >> 6] >> np.uint64(label & 63)) & _ONE:
                for w in range(q_words):
                    candidates[w] &= having[label, w]
        for w in range(q_words):
            word = candidates[w]
            while word:
                bit = 0
                while not (word >> np.uint64(bit)) & _ONE:
                    bit += 1
                word &= ~(_ONE << np.uint64(bit))
                j = w * 64 + bit
                if j >= n_q:
                    break
                if n_pairs == pairs.shape[0]:
                    pairs = np.concatenate((pairs, np.zeros_like(pairs)))
                pairs[n_pairs, 0] = i
                pairs[n_pairs, 1] = j
                n_pairs += 1
    return pairs[:n_pairs].copy()


# ---------------------------------------------------------------------- plain-Python references


def polytope_vertices_reference(M, labels):
    """Exact reference of :func:`polytope_vertices` by integer pivoting in Python ints.

    Parameters
    ----------
    M : array_like
        ``(k, d)`` matrix of positive Python/numpy integers.
    labels : sequence of int
        The label of each of the ``d + k`` variables, as in :func:`polytope_vertices`.

    Returns
    -------
    list of tuple
        ``(mask, coordinates, basis)`` per vertex in traversal order (the origin
        first): ``mask`` a Python int with bit ``l`` for label ``l``,
        ``coordinates`` a tuple of ``d`` Fractions, ``basis`` a tuple of ``k``
        basic variables.

    Examples
    --------
    >>> [(bin(mask), coords) for mask, coords, _ in polytope_vertices_reference([[2]], [0, 1])]
    [('0b1', (Fraction(0, 1),)), ('0b10', (Fraction(1, 2),))]
    """
    rows = [[int(v) for v in row] for row in np.asarray(M, dtype=object)]
    k, d = len(rows), len(rows[0])
    n_var = d + k
    labels = [int(v) for v in labels]
    lex_columns = [n_var] + [d + c for c in range(k)]
    # integer tableau: determinant * (basis inverse times [M | I | 1]); the determinant stays positive
    tableau = [rows[r] + [int(c == r) for c in range(k)] + [1] for r in range(k)]
    start = (tableau, 1, tuple(d + r for r in range(k)))
    queue = deque([start])
    seen = {frozenset(start[2])}
    vertices = {}
    while queue:
        T, det, basis = queue.popleft()
        zero = set(range(n_var)) - set(basis)
        zero.update(v for r, v in enumerate(basis) if T[r][n_var] == 0)
        mask = sum(1 << labels[v] for v in zero)
        if mask not in vertices:
            coordinates = [Fraction(0)] * d
            for r, v in enumerate(basis):
                if v < d:
                    coordinates[v] = Fraction(T[r][n_var], det)
            vertices[mask] = (tuple(coordinates), basis)
        for e in sorted(set(range(n_var)) - set(basis)):
            best = None
            for r in range(k):
                if T[r][e] <= 0:
                    continue
                if best is None or _lex_less(T[r], T[best], e, lex_columns):
                    best = r
            new_basis = basis[:best] + (e,) + basis[best + 1 :]
            if frozenset(new_basis) in seen:
                continue
            seen.add(frozenset(new_basis))
            pivot = T[best][e]
            new_T = [
                list(T[r]) if r == best else [(pivot * a - T[r][e] * b) // det for a, b in zip(T[r], T[best])]
                for r in range(k)
            ]
            queue.append((new_T, pivot, new_basis))
    return [(mask, coords, basis) for mask, (coords, basis) in vertices.items()]


def _lex_less(row, other, e, lex_columns) -> bool:
    """Whether ``row / row[e]`` is lexicographically smaller than ``other / other[e]`` (both pivots > 0)."""
    for c in lex_columns:
        left, right = row[c] * other[e], other[c] * row[e]
        if left != right:
            return left < right
    return False


def completely_labelled_pairs_reference(masks_p, masks_q, n_labels):
    """Plain-Python reference of :func:`completely_labelled_pairs` on Python-int masks.

    Examples
    --------
    >>> completely_labelled_pairs_reference([0b01, 0b10], [0b10, 0b01], 2)
    [(1, 1)]
    """
    full = (1 << n_labels) - 1
    return [
        (i, j)
        for i in range(1, len(masks_p))
        for j in range(1, len(masks_q))
        if (masks_p[i] | masks_q[j]) & full == full
    ]
