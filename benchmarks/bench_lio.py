"""Cost of one exact LIO / designer / policy-gradient update in the Escape Room ER(N, M) as N grows.

Exact dynamics sweep the joint state space: ER(N, M) has 3^N + 1 states and 3^N joint actions,
so every recursion touches (3^N + 1) * 3^N state-joint-action pairs. One update of

* ``pg``: every agent's exact policy gradient (one forward and one backward pass with N
  reward rows);
* ``designer``: Algorithm 3 with M = 1 (the agents' step, the welfare gradient at the updated
  policies, and one forward-mode occupancy tangent per agent);
* ``lio``: Algorithm 2 with the thesis's incentive functions r_eta^i(s, a^{-i}) (parameters
  (N, N, S, 3^(N-1))): the agents' step, N extrinsic gradients at the updated policies, and
  N (N - 1) occupancy tangents, one per giver-recipient pair (batched per recipient).

For each N (M = N // 2, at least 1) it times one update (best of ``--repeats``), and stops a
method once an update took longer than ``--budget`` seconds (default 60) or the next size would
need more than ``--memory`` GB for its largest arrays. It prints a markdown table and the
largest N whose update runs in under the budget, and writes the table to ``--out`` if given.
There is no peer: the thesis's code samples episodes (see ``incentive_trajectory(gradient="sampled")`` for that
mode); this benchmark measures the exact mode's scaling.

Measured on the project machine (2 cores, one of them busy with another run; best of 2, one
run at N = 7), after the LIO incentive functions were given the thesis's inputs (the others'
joint action: N (N - 1) S 3^(N-1) parameters instead of N (N - 1) S 3) and the exact and
sampled updates were merged into one code path (tangents batched per recipient):

| game | states | joint actions | pg update | designer update | lio update |
|---|---|---|---|---|---|
| ER(2,1) | 10 | 9 | 550 us | 2.0 ms | 2.1 ms |
| ER(3,1) | 28 | 27 | 985 us | 2.9 ms | 3.5 ms |
| ER(4,2) | 82 | 81 | 2.3 ms | 6.8 ms | 15.8 ms |
| ER(5,2) | 244 | 243 | 25.8 ms | 66.8 ms | 201.2 ms |
| ER(6,3) | 730 | 729 | 278.2 ms | 608.4 ms | 2.72 s |
| ER(7,3) | 2188 | 2187 | 6.02 s | 14.93 s | 49.04 s |

(Before: ER(5,2) 118 ms / 190 ms / 349 ms, ER(7,3) 24.7 s / 30.6 s / 68.0 s with LIO seeing only
the recipient's action.) Largest N with one exact update under a minute: 7 for all three (each
step of N multiplies the cost by about 10-20, so N = 8 is out: LIO's parameters alone would be
64 x 6562 x 2187 floats, 7 GB). ER(10,5) would need 3^10 x 3^10 = 3.5e9 entries per array.

Run: ``python benchmarks/bench_lio.py [--max-n 8] [--budget 60] [--out benchmarks/bench_lio.md]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, format_seconds, markdown_table  # noqa: E402

from stackelberg.games.escape_room import escape_room  # noqa: E402
from stackelberg.solvers.incentives import initial_logits, lio_markov_step, metagrad_step, pg_step  # noqa: E402

METHODS = ("pg", "designer", "lio")


def largest_array_gb(n: int) -> float:
    """Approximate peak memory (GB) of the largest float arrays of one update.

    N + 2 arrays of (S, A), and LIO's parameters eta (N, N, S, 3**(N-1)) a few times over
    (parameters, sigmoid, two gradients).
    """
    states, joint = 3**n + 1, 3**n
    return ((n + 2) * states * joint + 4 * n * n * states * 3 ** (n - 1)) * 8 / 1e9


def one_update(method: str, game, logits):
    n = game.n_players
    if method == "pg":
        return pg_step(game, logits, alpha=0.1, exploration=0.1)
    if method == "designer":
        eta = np.zeros((game.n_states, game.n_joint_actions, 3))
        return metagrad_step(game, logits, eta, alpha=0.1, exploration=0.1)
    return lio_markov_step(game, logits, np.zeros((n, n, game.n_states, 3 ** (n - 1))), alpha=0.1, exploration=0.1)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=8)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per update above which a method stops")
    parser.add_argument("--memory", type=float, default=12.0, help="GB above which a size is skipped")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=None, help="write the markdown table here")
    args = parser.parse_args(argv)
    active = set(METHODS)
    rows, largest = [], {m: None for m in METHODS}
    for n in range(2, args.max_n + 1):
        if not active:
            break
        if largest_array_gb(n) > args.memory:
            rows.append([f"ER({n},{max(1, n // 2)})", 3**n + 1, 3**n] + ["memory"] * len(METHODS))
            break
        game = escape_room(n, max(1, n // 2))
        logits = initial_logits(game, scale=0.5, seed=0)
        cells = []
        for method in METHODS:
            if method not in active:
                cells.append("-")
                continue
            seconds, _ = best_of(args.repeats if n < 7 else 1, one_update, method, game, logits)
            cells.append(format_seconds(seconds))
            if seconds <= args.budget:
                largest[method] = n
            else:
                active.discard(method)
        rows.append([f"ER({n},{max(1, n // 2)})", game.n_states, game.n_joint_actions] + cells)
        print(rows[-1], flush=True)
    table = markdown_table(["game", "states", "joint actions"] + [f"{m} update" for m in METHODS], rows)
    summary = ", ".join(f"{m}: N = {largest[m]}" for m in METHODS)
    text = f"{table}\n\nLargest N with one exact update under {args.budget:g} s: {summary}\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return dict(rows=rows, largest=largest)


if __name__ == "__main__":
    main()
