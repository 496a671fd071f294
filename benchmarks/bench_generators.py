"""Random game generators: the vectorised covariance game against a per-cell multivariate-normal draw.

Run: ``python benchmarks/bench_generators.py``. Prints the time per 100x100 game of
:func:`stackelberg.covariance_game` and of a per-cell reference that draws each cell's payoff profile with
``numpy.random.Generator.multivariate_normal``, and their ratio (same process run, best of 5).
"""

from __future__ import annotations

import numpy as np

from _common import best_of, markdown_table

import stackelberg as sb


def per_cell_reference(n: int, rho: float, seed: int = 0) -> np.ndarray:
    """Each cell's (A_ij, B_ij) drawn on its own: the obvious loop the generator replaces."""
    rng = np.random.default_rng(seed)
    cov = np.array([[1.0, rho], [rho, 1.0]])
    out = np.empty((2, n, n))
    for i in range(n):
        for j in range(n):
            out[:, i, j] = rng.multivariate_normal(np.zeros(2), cov)
    return out


def main() -> None:
    rows = []
    for n in (10, 50, 100):
        ours, _ = best_of(5, sb.covariance_game, n, 0.5, seed=0)
        loop, _ = best_of(1 if n == 100 else 3, per_cell_reference, n, 0.5)
        rows.append([f"{n}x{n}", f"{ours * 1e3:.2f} ms", f"{loop * 1e3:.1f} ms", f"{loop / ours:.0f}x"])
    print(markdown_table(["game", "covariance_game", "per-cell loop", "ratio"], rows))


if __name__ == "__main__":
    main()
