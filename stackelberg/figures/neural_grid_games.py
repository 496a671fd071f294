"""Neural Bi-AC on grid games, measured against the exact bi-level solution: the Bi-AC grid game (Zhang et al.,
AAAI 2020, Fig. 1) and a 15 x 15 two-agent coordination grid (50,626 joint states).

Paper: on the grid game (Fig. 1; 3 x 3 here, :func:`stackelberg.biac_grid_game`) Bi-AC's agents end together on
the "20" square, the exact BiRL solution, where Nash learners may settle on the "10" square. The issue's large
gridworld target: the learned greedy joint policy's exact value within 5% of :func:`stackelberg.solve_bilevel`'s.

Ours: :func:`stackelberg.neural.train.train` runs Bi-AC on

* ``biac-grid``: :func:`stackelberg.biac_grid_game` (gamma 0.9, one-hot observations of the 82 states, episodes
  cut at 50 steps and bootstrapped across the cut); the exact reference is ``solve_bilevel`` (both at 20 after
  three steps: 20 * 0.9**2 = 16.2 for both agents);
* ``coordination-grid``: :func:`stackelberg.neural.envs.coordination_grid_game` with ``size=15`` (the 3 x 3
  game scaled up: the 10 square top-left, the 20 square bottom-right, 50,626 states, 25 joint actions; gamma
  0.95), observations the two agents' scaled coordinates (:func:`~stackelberg.neural.envs.grid_features`),
  exploring starts (a uniformly random first joint cell, so the paying squares are seen without a 28-step random
  walk; the exact reference is evaluated at the same initial distribution). A table-based learner would need
  1.27 million entries per player (10 MB: memory is not the obstacle) and visits of every one of them; the
  exact solver needs 30 sweeps of bi-level value iteration (about 10 s here).

Every seed's greedy joint policy (leader greedy in ``E_{pi_2} Q_1``, follower greedy in ``pi_2(. | s, a_1)``) at
every state is evaluated exactly with :func:`stackelberg.policy_evaluation`; the gap is ``exact - learned`` at
the initial distribution, reported in % of the exact value.

Choices (ours): Bi-AC's default settings (see :mod:`stackelberg.neural.offpolicy`) with longer training
(biac-grid 20,000 steps, epsilon decaying over 10,000; coordination-grid 60,000 steps, epsilon over 30,000,
buffer 50,000, batch 64), 20 seeds (5 with ``--quick``, which also shortens training).

Our numbers (an earlier shortened run: 5 seeds; biac-grid 6,000 steps, coordination-grid 10,000 steps; the full settings
were not run before the deadline):

* biac-grid: every seed's greedy joint policy is the exact bi-level solution (both at 20): value 16.2 = exact,
  gap 0%, 5/5 seeds (170 s under load 10-16 on 2 cores).
* coordination-grid (15 x 15): exact value at the initial distribution 8.496 (solve_bilevel, 30 sweeps, about
  11 s); the learned greedy policies reach 0.778 on average: a gap of 91%, far from the 5% target, no seed at
  the exact value (131 s). 10,000 steps spread over 50,626 states with a sparse reward paid only when both
  agents meet on a corner is far too little; the full setting (60,000 steps) is the next thing to measure, and
  reaching 5% will likely need more (shaped exploration, more steps, larger batches).

``--quick`` (about 20 s on 2 idle cores with compilation) trains only on ``biac-grid``: 4 seeds x 3,000 steps,
networks of width 32; the coordination grid's row then shows "quick-only" (not run). It gave 3 of 4 seeds at the
exact solution, mean value 15.8 against 16.2 (gap 2.5%).

Usage::

    python -m stackelberg.figures.neural_grid_games --out DIR [--quick]

Writes ``neural_grid_games.csv`` (per game: exact value, mean learned value, gap in %, share of seeds at the
exact value), ``neural_grid_games.png`` (exact vs learned value per game), per-seed CSVs and learning-curve PNGs.
"""

from __future__ import annotations

import csv
import json
import os
import time

import numpy as np

from stackelberg.figures._script import pyplot, save_figure, script_main
import stackelberg as sb
from stackelberg.figures._account import Row

SETTINGS = {
    "biac-grid": dict(steps=20_000, epsilon_decay_steps=10_000, buffer_size=20_000, log_every=1000),
    "coordination-grid": dict(steps=60_000, epsilon_decay_steps=30_000, buffer_size=50_000, batch_size=64,
                              log_every=2000),
}
QUICK = {"biac-grid": dict(steps=3_000, explore_steps=1000, epsilon_decay_steps=1_000, buffer_size=3_000,
                           hidden=(32, 32), log_every=500)}
#: Recorded (the docstring's numbers): only the earlier 5-seed shortened runs exist, not the full settings.
FULL_SCALE = {"biac-grid % seeds at exact": None, "coordination-grid gap %": None}


def _env(name):
    from stackelberg.neural.envs import grid_env, markov_env  # the neural extra, only when run

    if name == "biac-grid":
        return markov_env(sb.biac_grid_game(), name="Bi-AC grid game")
    return grid_env(15, random_start=True)


def run(out_dir, quick: bool = False) -> dict:
    """Train Bi-AC on both grid games (only biac-grid when ``quick``); write CSV + PNG; return the numbers."""
    from stackelberg.neural.offpolicy import BiACConfig
    from stackelberg.neural.train import train

    os.makedirs(out_dir, exist_ok=True)
    seeds = 4 if quick else 20
    settings = QUICK if quick else SETTINGS
    rows, numbers = [], {}
    for name, fields in settings.items():
        env = _env(name)
        config = BiACConfig(**fields)
        start = time.perf_counter()
        result = train("bi-ac", env, config, seeds=seeds, progress=None)
        seconds = time.perf_counter() - start
        result.write_csv(os.path.join(out_dir, f"neural_grid_seeds_{name}.csv"))
        result.plot_curves(os.path.join(out_dir, f"neural_grid_curves_{name}.png"))
        exact = float(result.exact_values[0])
        learned = float(result.mean_values[0])
        row = {
            "game": name,
            "states": env.n_states,
            "seeds": seeds,
            "steps": config.steps,
            "exact_leader_value": round(exact, 4),
            "mean_learned_leader_value": round(learned, 4),
            "gap_percent": round(100 * (exact - learned) / abs(exact), 2),
            "best_seed_gap_percent": round(100 * float(result.value_gaps[:, 0].min()) / abs(exact), 2),
            "percent_seeds_at_exact": round(100 * result.share_at_exact, 1),
            "seconds": round(seconds, 1),
        }
        rows.append(row)
        numbers[f"{name} exact value"] = row["exact_leader_value"]
        numbers[f"{name} learned value (mean)"] = row["mean_learned_leader_value"]
        numbers[f"{name} gap %"] = row["gap_percent"]
        numbers[f"{name} % seeds at exact"] = row["percent_seeds_at_exact"]
        numbers[f"{name} seconds"] = row["seconds"]
    with open(os.path.join(out_dir, "neural_grid_games.csv"), "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _plot(rows, os.path.join(out_dir, "neural_grid_games.png"))
    with open(os.path.join(out_dir, "numbers.json"), "w") as handle:
        json.dump(numbers, handle, indent=2)
    return numbers


def _plot(rows, path):
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    x = np.arange(len(rows))
    exact = [r["exact_leader_value"] for r in rows]
    learned = [r["mean_learned_leader_value"] for r in rows]
    ax.bar(x - 0.2, exact, 0.4, label="exact (solve_bilevel)")
    ax.bar(x + 0.2, learned, 0.4, label="Bi-AC greedy policy (mean over seeds)")
    for k, r in enumerate(rows):
        ax.text(k + 0.2, learned[k], f"gap {r['gap_percent']:g}%", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [f"{r['game']}\n({r['states']} states)" for r in rows])
    ax.set_ylabel("leader's value at the initial distribution")
    ax.set_ylim(0, 1.45 * max(exact + learned))
    ax.legend(loc="upper center", ncol=1, fontsize=8)  # above the bars
    ax.set_title("Neural Bi-AC on grid games against the exact bi-level value")
    save_figure(fig, path)


def account(numbers: dict, quick: bool) -> list[Row]:
    """The grid game's claim (Bi-AC's agents end on the 20 square: the exact bi-level solution) and the issue's
    large-gridworld target (gap <= 5%); a quick run leaves the coordination grid out."""
    return [
        Row("Bi-AC grid game (Fig. 1): neural Bi-AC seeds at the exact bi-level solution (both on 20), %", 100.0,
            numbers.get("biac-grid % seeds at exact"), FULL_SCALE["biac-grid % seeds at exact"], scale=100.0),
        Row("15 x 15 coordination grid: value gap of neural Bi-AC's greedy policy, % of the exact value", "<= 5",
            numbers.get("coordination-grid gap %"), FULL_SCALE["coordination-grid gap %"]),
    ]


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="biac-grid only, 4 seeds, shorter training")


if __name__ == "__main__":
    main()
