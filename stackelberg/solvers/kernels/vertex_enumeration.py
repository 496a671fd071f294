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
degenerate vertex would (Avis and Fukuda's reverse search [1]_ uses the same
perturbation). Vertices are told apart by their label sets, which determine them.

:func:`complementary_vertices` avoids enumerating the second polytope when the
first one's vertices are non-degenerate: such a vertex misses exactly ``d`` labels
(``d`` the dimension of the second polytope), which fix ``d`` tight constraints, so
its only possible partner solves one square system and is a partner if feasible.

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
kernel against. :func:`completely_labelled_pairs_reference` and
:func:`complementary_vertices_reference` are the plain references of the pairing
and of the partner solves.

References
----------
The polytopes, labels and completely labelled pairs follow the references of the front end,
:mod:`stackelberg.solvers.matrix.vertex_enumeration` (von Stengel 2002; Avis, Rosenberg, Savani and
von Stengel 2010); the lexicographic perturbation follows

.. [1] D. Avis and K. Fukuda, "A pivoting algorithm for convex hulls and vertex
   enumeration of arrangements and polyhedra", Discrete Comput. Geom. 8, 1992.
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction

import numba
import numpy as np

from .._exact import fraction_free_pivot, rational_solve

__all__ = [
    "polytope_vertices",
    "polytope_vertices_bounded",
    "traversal_bytes",
    "polytope_vertices_reference",
    "completely_labelled_pairs",
    "complementary_vertices",
    "complementary_vertices_reference",
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
def _slack_entry(D, r, s, slack_column, slack_row):
    """Entry of row ``r`` in the tableau column of slack ``s``: a dictionary column, or a unit vector if basic."""
    j = slack_column[s]
    if j >= 0:
        return D[r, j]
    return 1.0 if slack_row[s] == r else 0.0


@numba.njit(cache=True)
def _lex_compare(D, r, s, j, slack_column, slack_row):
    """Sign of lex(T[r] / T[r, e]) - lex(T[s] / T[s, e]) over the slack columns; and an ambiguity flag."""
    ambiguous = False
    for c in range(slack_column.shape[0]):
        a = _slack_entry(D, r, c, slack_column, slack_row) / D[r, j]
        b = _slack_entry(D, s, c, slack_column, slack_row) / D[s, j]
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
def _lex_min_ratio_row(D, j, slack_column, slack_row):
    """Leaving row of the lexicographic minimum ratio test for dictionary column ``j``.

    The right-hand side decides; ties are broken by the slack columns (the basis inverse) in order.
    """
    rhs = D.shape[1] - 1
    best = -1
    best_ratio = 0.0
    ambiguous = False
    for r in range(D.shape[0]):
        a = D[r, j]
        if _in_band(a, 1.0):
            ambiguous = True
        if a <= DECISION_TOL:
            continue
        ratio = D[r, rhs] / a
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
            sign, tie = _lex_compare(D, r, best, j, slack_column, slack_row)
            ambiguous = ambiguous or tie
            if sign < 0:
                best, best_ratio = r, ratio
    return best, ambiguous


@numba.njit(cache=True, error_model="numpy")
def _scan_ratios(D, best, best_row, tie, doubt):
    """The minimum ratio test of every dictionary column at once, without branches.

    For each column ``j``, ``best_row[j]`` is the first row of smallest ratio
    ``D[r, -1] / D[r, j]`` over the rows with ``D[r, j] > DECISION_TOL`` (-1 if none);
    ``tie[j]`` says whether some ratio came within the tolerance of the running minimum
    (then the lexicographic rule decides and :func:`_lex_min_ratio_row` redoes that column);
    otherwise the comparisons made are exactly those of :func:`_lex_min_ratio_row` (each new
    ratio against the running minimum) and ``doubt[j]`` is its ambiguity flag. The inner loop
    runs along a row, so it vectorises.
    """
    k, n_col = D.shape
    d = n_col - 1
    for j in range(d):
        best[j] = np.inf
        best_row[j] = -1
        tie[j] = False
        doubt[j] = False
    for r in range(k):
        row = D[r]
        b = row[d]
        for j in range(d):
            a = row[j]
            magnitude = abs(a)
            eligible = a > DECISION_TOL
            ratio = b / a if eligible else np.inf
            running = best[j]
            compared = eligible & (running < np.inf)
            scale = max(1.0, max(abs(ratio), abs(running)))
            gap = abs(ratio - running)
            doubt[j] = (
                doubt[j]
                | ((_BAND_LOW < magnitude) & (magnitude < _BAND_HIGH))
                | (compared & (_BAND_LOW * scale < gap) & (gap < _BAND_HIGH * scale))
            )
            tie[j] = tie[j] | (compared & (gap <= DECISION_TOL * scale))
            smaller = ratio < running
            best[j] = ratio if smaller else running
            best_row[j] = r if smaller else best_row[j]


@numba.njit(cache=True)
def _pivot_into(source, r, j, target):
    """``target`` = dictionary ``source`` after a pivot on entry ``(r, j)``.

    Column ``j`` then holds the leaving variable: its tableau column was the unit vector
    ``e_r``, which the pivot maps to ``1 / p`` in row ``r`` and ``0 - source[i, j] / p`` elsewhere
    (computed as the full-tableau pivot computes it, so the values agree bit for bit).
    """
    k, n_col = source.shape
    p = source[r, j]
    pivot_row = target[r]
    for c in range(n_col):
        pivot_row[c] = source[r, c] / p
    inverse = 1.0 / p
    pivot_row[j] = inverse
    for i in range(k):
        if i == r:
            continue
        f = source[i, j]
        src = source[i]
        dst = target[i]
        for c in range(n_col):
            dst[c] = src[c] - f * pivot_row[c]
        dst[j] = 0.0 - f * inverse


@numba.njit(cache=True)
def _grow_ring(queue_D, queue_B, queue_N, queue_L, head):
    """A full ring buffer unrolled from ``head`` into one of twice the capacity."""
    size = queue_B.shape[0]
    new_D = np.empty((2 * size, queue_D.shape[1], queue_D.shape[2]))
    new_B = np.empty((2 * size, queue_B.shape[1]), dtype=np.int64)
    new_N = np.empty((2 * size, queue_N.shape[1]), dtype=np.int64)
    new_L = np.full(2 * size, -1, dtype=np.int64)
    for i in range(size):
        s = (i + head) & (size - 1)
        new_D[i] = queue_D[s]
        new_B[i] = queue_B[s]
        new_N[i] = queue_N[s]
        new_L[i] = queue_L[s]
    return new_D, new_B, new_N, new_L


@numba.njit(cache=True)
def polytope_vertices(M, labels):
    """All vertices of ``{z >= 0 : M z <= 1}``: :func:`polytope_vertices_bounded` without a memory budget.

    Returns its first four outputs: ``masks, coordinates, bases, ambiguous``.
    """
    masks, coordinates, bases, ambiguous, _ = polytope_vertices_bounded(M, labels, -1)
    return masks, coordinates, bases, ambiguous


@numba.njit(cache=True)
def traversal_bytes(k, d, queued, seen, vertices):
    """Bytes held by :func:`polytope_vertices_bounded` with these capacities (queue, basis table, vertices).

    A queued basis keeps its ``k x (d + 1)`` dictionary and its ``k + d + 1`` variable indices; a seen basis or a
    vertex a hash-table slot (``W + 1`` words, ``W = ceil((d + k) / 64)``); a vertex its mask, coordinates and basis.
    """
    words = (d + k + 63) // 64
    per_queued = 8 * (k * (d + 1) + k + d + 1)
    per_slot = 8 * (words + 1)
    per_vertex = 8 * (words + d + k)
    return queued * per_queued + (seen + 2 * vertices) * per_slot + vertices * per_vertex


@numba.njit(cache=True)
def polytope_vertices_bounded(M, labels, max_bytes):
    """All vertices of ``{z >= 0 : M z <= 1}`` by lexicographic basis traversal (numba), within a memory budget.

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
    complete : bool
        False when the traversal stopped because growing its queue, tables or vertex arrays would have held more
        than ``max_bytes`` bytes (:func:`traversal_bytes`; ``max_bytes < 0``: no budget); the other outputs are
        then partial.

    Notes
    -----
    Each basis is kept as a dictionary: the ``k x (d + 1)`` columns of the tableau of its
    ``d`` nonbasic variables and the right-hand side (the basic columns are unit vectors), so
    a pivot costs ``k (d + 1)`` operations. The pivots and all decisions are those of the full
    tableau ``[B^-1 M | B^-1 | B^-1 1]``, in the same order, bit for bit. The ratio tests of all
    entering variables of a basis run in one vectorised pass (:func:`_scan_ratios`); only the
    columns with a near tie take the lexicographic rule. The bases waiting in the
    breadth-first queue live in a ring buffer that doubles when full.
    """
    k, d = M.shape
    n_var = d + k
    words = (n_var + 63) // 64
    cap = 16
    # ring buffer of bases waiting to be processed: dictionary, basic variables, nonbasic
    # variable of each dictionary column, variable that left to reach the basis
    queue_D = np.zeros((cap, k, d + 1))
    queue_B = np.zeros((cap, k), dtype=np.int64)
    queue_N = np.zeros((cap, d), dtype=np.int64)
    queue_L = np.full(cap, -1, dtype=np.int64)
    for r in range(k):
        for c in range(d):
            queue_D[0, r, c] = M[r, c]
        queue_D[0, r, d] = 1.0
        queue_B[0, r] = d + r
    for c in range(d):
        queue_N[0, c] = c
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

    basis = np.empty(k, dtype=np.int64)
    nonbasic = np.empty(d, dtype=np.int64)
    slack_column = np.empty(k, dtype=np.int64)
    slack_row = np.empty(k, dtype=np.int64)
    mask = np.zeros(words, dtype=np.uint64)
    new_key = np.zeros(words, dtype=np.uint64)
    best = np.empty(d)
    column_of = np.empty(n_var, dtype=np.int64)
    best_row = np.empty(d, dtype=np.int64)
    tie = np.empty(d, dtype=np.bool_)
    doubt = np.empty(d, dtype=np.bool_)
    while waiting > 0:
        # the basis at the head stays in the ring (counted in ``waiting``) while it is expanded,
        # so its dictionary is read in place and no new basis overwrites it
        D = queue_D[head]
        basis[:] = queue_B[head]
        nonbasic[:] = queue_N[head]
        came_by = queue_L[head]
        key[:] = 0
        mask[:] = 0  # the vertex of this basis: its labels are the zero variables
        for r in range(k):
            key[basis[r] >> 6] |= _ONE << np.uint64(basis[r] & 63)
        for j in range(d):
            label = labels[nonbasic[j]]
            mask[label >> 6] |= _ONE << np.uint64(label & 63)
        for r in range(k):
            value = D[r, d]
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
                if max_bytes >= 0 and traversal_bytes(
                        k, d, queue_B.shape[0], seen_values.shape[0], 2 * masks.shape[0]) > max_bytes:
                    return masks[:n_vertices].copy(), coordinates[:n_vertices].copy(), bases[:n_vertices].copy(), \
                        ambiguous, False
                masks = np.concatenate((masks, np.zeros_like(masks)))
                coordinates = np.concatenate((coordinates, np.zeros_like(coordinates)))
                bases = np.concatenate((bases, np.zeros_like(bases)))
            masks[n_vertices] = mask
            bases[n_vertices] = basis
            for r in range(k):
                if basis[r] < d and D[r, d] > DECISION_TOL:
                    coordinates[n_vertices, basis[r]] = D[r, d]
            n_vertices += 1
            if 2 * n_vertices > vertex_values.shape[0]:
                vertex_keys, vertex_values = _grow_table(vertex_keys, vertex_values)

        # its neighbours in the perturbed polytope: one per entering variable
        _scan_ratios(D, best, best_row, tie, doubt)
        located = False  # where the slacks are, needed by the lexicographic rule only
        column_of[:] = -1
        for j in range(d):
            column_of[nonbasic[j]] = j
        for e in range(n_var):  # entering variables in increasing order, as polytope_vertices_reference
            j = column_of[e]
            if j < 0 or e == came_by:  # basic, or re-entering the variable that left (leads back)
                continue
            if tie[j]:
                if not located:
                    slack_column[:] = -1
                    slack_row[:] = -1
                    for c in range(d):
                        if nonbasic[c] >= d:
                            slack_column[nonbasic[c] - d] = c
                    for r in range(k):
                        if basis[r] >= d:
                            slack_row[basis[r] - d] = r
                    located = True
                r, unsure = _lex_min_ratio_row(D, j, slack_column, slack_row)
            else:
                r, unsure = best_row[j], doubt[j]
            ambiguous = ambiguous or unsure
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
                if max_bytes >= 0 and traversal_bytes(
                        k, d, queue_B.shape[0], 2 * seen_values.shape[0], masks.shape[0]) > max_bytes:
                    return masks[:n_vertices].copy(), coordinates[:n_vertices].copy(), bases[:n_vertices].copy(), \
                        ambiguous, False
                seen_keys, seen_values = _grow_table(seen_keys, seen_values)
            if waiting == queue_B.shape[0]:
                if max_bytes >= 0 and traversal_bytes(
                        k, d, 2 * queue_B.shape[0], seen_values.shape[0], masks.shape[0]) > max_bytes:
                    return masks[:n_vertices].copy(), coordinates[:n_vertices].copy(), bases[:n_vertices].copy(), \
                        ambiguous, False
                queue_D, queue_B, queue_N, queue_L = _grow_ring(queue_D, queue_B, queue_N, queue_L, head)
                head = 0
            tail = (head + waiting) & (queue_B.shape[0] - 1)
            _pivot_into(D, r, j, queue_D[tail])
            queue_B[tail] = basis
            queue_B[tail, r] = e
            queue_N[tail] = nonbasic
            queue_N[tail, j] = leaving
            queue_L[tail] = leaving
            waiting += 1
        head = (head + 1) & (queue_B.shape[0] - 1)
        waiting -= 1
    return masks[:n_vertices].copy(), coordinates[:n_vertices].copy(), bases[:n_vertices].copy(), ambiguous, True


@numba.njit(cache=True)
def complementary_vertices(M, labels, masks_other, n_labels):
    """The vertex of ``{z >= 0 : M z <= 1}`` carrying the labels missing from each given label set (numba).

    For a bimatrix game, ``masks_other`` are the vertices of the other best-response polytope
    (row 0, the origin, is skipped). When such a vertex is non-degenerate (it misses exactly
    ``d`` labels), the missing labels name ``d`` tight constraints of this polytope: the rows
    ``c`` with ``labels[d + c]`` missing hold with equality and the coordinates ``z_j`` with
    ``labels[j]`` missing are zero. So its only possible partner is the solution of one square
    system, a vertex if it is feasible. This replaces the enumeration of this polytope's
    vertices and the pairing by :func:`completely_labelled_pairs` when every vertex is
    non-degenerate and every system regular.

    Parameters
    ----------
    M : numpy.ndarray
        ``(k, d)`` float64 matrix with positive entries.
    labels : numpy.ndarray
        int64 labels of the ``d + k`` variables, as in :func:`polytope_vertices`.
    masks_other : numpy.ndarray
        ``(V, W)`` uint64 label sets of the other polytope's vertices, row 0 its origin.
    n_labels : int
        ``d + k``, the number of labels.

    Returns
    -------
    determined : bool
        False when some vertex of ``masks_other`` (row 0 excepted) is degenerate or some
        system is singular (pivot at most ``DECISION_TOL``): then the other outputs are
        meaningless and the caller must enumerate and pair all vertices.
    partner : numpy.ndarray
        ``(V,)`` bool: whether vertex ``i`` has a completely labelled partner.
    masks : numpy.ndarray
        ``(V, W)`` uint64 label set of each partner.
    coordinates : numpy.ndarray
        ``(V, d)`` float64 partner vertices.
    bases : numpy.ndarray
        ``(V, k)`` int64 basic variables of a basis of each partner: its free coordinates and
        the slacks of its loose rows.
    ambiguous : bool
        True when a float decision (a pivot, a sign, a zero) fell close to its threshold.

    Examples
    --------
    >>> import numpy as np
    >>> masks_other = np.array([[0b01], [0b10]], dtype=np.uint64)  # the origin and a vertex with label 1
    >>> determined, partner, masks, coordinates, _, _ = complementary_vertices(
    ...     np.array([[2.0]]), np.array([1, 0]), masks_other, 2)
    >>> bool(determined), partner.tolist(), masks[1].tolist(), coordinates[1].tolist()
    (True, [False, True], [1], [0.5])
    """
    k, d = M.shape
    n_other = masks_other.shape[0]
    words = masks_other.shape[1]
    partner = np.zeros(n_other, dtype=np.bool_)
    masks = np.zeros((n_other, words), dtype=np.uint64)
    coordinates = np.zeros((n_other, d))
    bases = np.zeros((n_other, k), dtype=np.int64)
    ambiguous = False
    free = np.empty(d, dtype=np.int64)
    tight = np.empty(k, dtype=np.int64)
    is_tight = np.zeros(k, dtype=np.bool_)
    system = np.empty((k, k + 1))
    z = np.empty(d)
    for i in range(1, n_other):
        # the labels vertex i misses, which its partner must have
        missing = 0
        for label in range(n_labels):
            if not (masks_other[i, label >> 6] >> np.uint64(label & 63)) & _ONE:
                missing += 1
        if missing != d:
            return False, partner, masks, coordinates, bases, ambiguous
        n_free, n_tight = 0, 0
        for j in range(d):
            label = labels[j]
            if (masks_other[i, label >> 6] >> np.uint64(label & 63)) & _ONE:
                free[n_free] = j
                n_free += 1
        for c in range(k):
            label = labels[d + c]
            if not (masks_other[i, label >> 6] >> np.uint64(label & 63)) & _ONE:
                tight[n_tight] = c
                n_tight += 1
        if n_free != n_tight:
            return False, partner, masks, coordinates, bases, ambiguous
        if n_free == 0:  # the origin: not a partner
            continue
        # M[tight, free] z_free = 1 by Gauss-Jordan elimination with partial pivoting
        size = n_free
        for a in range(size):
            for b in range(size):
                system[a, b] = M[tight[a], free[b]]
            system[a, size] = 1.0
        for col in range(size):
            pivot_row = col
            for a in range(col + 1, size):
                if abs(system[a, col]) > abs(system[pivot_row, col]):
                    pivot_row = a
            pivot = system[pivot_row, col]
            if _in_band(pivot, 1.0):
                ambiguous = True
            if abs(pivot) <= DECISION_TOL:
                return False, partner, masks, coordinates, bases, ambiguous
            if pivot_row != col:
                for b in range(col, size + 1):
                    system[col, b], system[pivot_row, b] = system[pivot_row, b], system[col, b]
            for b in range(col, size + 1):
                system[col, b] /= pivot
            for a in range(size):
                if a != col:
                    factor = system[a, col]
                    if factor != 0.0:
                        for b in range(col, size + 1):
                            system[a, b] -= factor * system[col, b]
        z[:] = 0.0
        for b in range(size):
            z[free[b]] = system[b, size]
        # feasibility and the extra (degenerate) labels, with the tolerances of polytope_vertices
        feasible = True
        for b in range(size):
            value = system[b, size]
            if _in_band(value, 1.0):
                ambiguous = True
            if value < -DECISION_TOL:
                feasible = False
        if not feasible:  # a negative coordinate: no partner, whatever the slacks
            continue
        for j in range(d):
            masks[i, labels[j] >> 6] |= _ONE << np.uint64(labels[j] & 63)
        for b in range(size):
            if system[b, size] > DECISION_TOL:
                label = labels[free[b]]
                masks[i, label >> 6] &= ~(_ONE << np.uint64(label & 63))
        is_tight[:] = False
        for a in range(size):
            is_tight[tight[a]] = True
        for c in range(k):
            if not is_tight[c]:
                slack = 1.0
                for b in range(size):
                    slack -= M[c, free[b]] * z[free[b]]
                if _in_band(slack, 1.0):
                    ambiguous = True
                if slack < -DECISION_TOL:
                    feasible = False
                if slack > DECISION_TOL:
                    continue
            label = labels[d + c]
            masks[i, label >> 6] |= _ONE << np.uint64(label & 63)
        if not feasible:
            masks[i] = 0
            continue
        partner[i] = True
        for j in range(d):
            if z[j] > DECISION_TOL:
                coordinates[i, j] = z[j]
        for b in range(size):
            bases[i, b] = free[b]
        n_basic = size
        for c in range(k):
            if not is_tight[c]:
                bases[i, n_basic] = d + c
                n_basic += 1
    return True, partner, masks, coordinates, bases, ambiguous


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
    tableau = np.array([rows[r] + [int(c == r) for c in range(k)] + [1] for r in range(k)], dtype=object)
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
            new_T = T.copy()
            queue.append((new_T, fraction_free_pivot(new_T, best, e, det), new_basis))
    return [(mask, coords, basis) for mask, (coords, basis) in vertices.items()]


def _lex_less(row, other, e, lex_columns) -> bool:
    """Whether ``row / row[e]`` is lexicographically smaller than ``other / other[e]`` (both pivots > 0)."""
    for c in lex_columns:
        left, right = row[c] * other[e], other[c] * row[e]
        if left != right:
            return left < right
    return False


def complementary_vertices_reference(M, labels, masks_other, n_labels):
    """Exact reference of :func:`complementary_vertices` in Python ints and Fractions.

    Parameters
    ----------
    M : array_like
        ``(k, d)`` matrix of positive integers.
    labels : sequence of int
        The label of each of the ``d + k`` variables, as in :func:`polytope_vertices`.
    masks_other : sequence of int
        Label sets (Python ints) of the other polytope's vertices, the origin first.
    n_labels : int
        ``d + k``.

    Returns
    -------
    determined : bool
        False if a vertex (the origin excepted) misses other than ``d`` labels or a system is singular.
    partners : list
        Per vertex of ``masks_other``: None (the origin, or no partner) or ``(mask, coordinates)``
        with ``coordinates`` a tuple of ``d`` Fractions; empty when not determined.

    Examples
    --------
    >>> complementary_vertices_reference([[2]], [1, 0], [0b01, 0b10], 2)
    (True, [None, (1, (Fraction(1, 2),))])
    """
    rows = [[int(v) for v in row] for row in np.asarray(M, dtype=object)]
    k, d = len(rows), len(rows[0])
    labels = [int(v) for v in labels]
    full = (1 << n_labels) - 1
    partners = [None]
    for other in list(masks_other)[1:]:
        missing = full & ~int(other)
        if bin(missing).count("1") != d:
            return False, []
        free = [j for j in range(d) if not missing >> labels[j] & 1]
        tight = [c for c in range(k) if missing >> labels[d + c] & 1]
        if len(free) != len(tight):
            return False, []
        if not free:
            partners.append(None)
            continue
        solution = rational_solve([[rows[c][j] for j in free] for c in tight], [1] * len(free))
        if solution is None:
            return False, []
        z = [Fraction(0)] * d
        for j, value in zip(free, solution):
            z[j] = value
        slacks = [1 - sum(rows[c][j] * z[j] for j in range(d)) for c in range(k)]
        if any(v < 0 for v in z) or any(v < 0 for v in slacks):
            partners.append(None)
            continue
        mask = sum(1 << labels[j] for j in range(d) if z[j] == 0)
        mask += sum(1 << labels[d + c] for c in range(k) if slacks[c] == 0)
        partners.append((mask, tuple(z)))
    return True, partners


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
