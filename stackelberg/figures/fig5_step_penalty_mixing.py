"""Reproduce STEP Fig. 5 and Table 1 (Zhang et al., IJCAI 2023): convergence of the N-level learner versus
independent learners in Penalty(k) and Mixing.

**Penalty(k)** (common payoff [[k, 0, 10], [0, 2, 0], [8, 0, k]], k in {0, -25, -50, -75, -100}) has three pure
NE, (a1, a3) = 10, (a2, a2) = 2 and (a3, a1) = 8; the unique SE is (a1, a3). Fig. 5 shows the share of 100 trials
converging to each; the text gives STEP 93% at (a1, a3) for k = -100 and MAPPO 100% at (a2, a2) unless k = 0 (the
other bars are only in the missing figure). **Mixing** (leader [[0, -10, -8], [-5, -5, -15], [5, -10, -10]],
follower [[5, -5, 4], [-10, 0, -5], [0, -5, 5]]) has the pure SE (a1, a1) = (0, 5) (the caption's "(a1, a2)" is a
typo, see ../shared/papers/README.md); Table 1 reports each agent's average action probabilities and rewards:
STEP 99.99% a1 / 99.99% a1, rewards (0.00, 5.00), average 2.50; MAPPO 32.93 / 0.03 / 67.04 and 61.98 / 0.04 /
37.97, (2.72, -1.29), 0.72; MADDPG (3.20, -7.9), -2.35.

We run the tabular learners of :mod:`stackelberg.solvers.learning`: the N-level actor-critic (STEP's priority-
ordered policies, agent 1 first), tabular Bi-AC, bi-level Q-learning, and independent Q-learning (the tabular
independent learner standing in for MAPPO/MADDPG). A run converges to the cell of its final greedy joint action.
For Table 1, a learner with policies reports each agent's marginal action probabilities under its final joint
policy (the follower's marginal is sum_a1 pi1(a1) pi2(a2 | a1)) and the expected rewards; independent Q reports its
greedy actions. Means over runs, standard deviations in parentheses, as in the paper.

Choices the paper leaves open (ours): tabular learners instead of the hypernetwork; gamma = 0; 100 runs, seed 0;
400 episodes of 25 steps (STEP's 10,000 steps in episodes of its length 25); epsilon decaying linearly from 1 to
0; critic learning rates 0.1; actor step 0.003, temperature 1, no entropy bonus.

Our numbers (100 runs; share at (a1, a3) / (a2, a2) / (a3, a1)): N-level 100/0/0, 100/0/0, 99/0/1, 97/1/2, 94/1/5
for k = 0, -25, -50, -75, -100 (paper: STEP 93% at k = -100); independent Q 99/0/1 at k = 0, then 3/97/0, 1/99/0,
0/100/0, 0/100/0, falling into the (a2, a2) trap as MAPPO does (paper: 100% at (a2, a2) unless k = 0). Mixing:
N-level 100% a1 / 100% a1, rewards (0.00, 5.00), average 2.50, as STEP; independent Q ends with the follower
split between a1 and a3 and average reward about 0.7.

Independent Q is a *tabular stand-in* for MAPPO and MADDPG, not either algorithm, and its rows are labelled so and
never scored as agreement: its average 0.70 lies beside MAPPO's 0.72 only by coincidence, the play behind it
differs (independent Q: leader a1 in 100% of runs, follower a1 60% / a3 40%, rewards (-3.2, 4.6); MAPPO: leader
a1 32.93% / a3 67.04%, follower a1 61.98% / a3 37.97%, rewards (2.72, -1.29)). Like-for-like comparisons are the
N-level rows (STEP's own learner, tabular). The neural baselines are the neural issue's. ``--quick`` uses 30 runs.

Usage::

    python -m stackelberg.figures.fig5_step_penalty_mixing --out DIR [--quick]
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from stackelberg.figures._script import pyplot, save_figure, script_main
from stackelberg import get_game, repeated_game
from stackelberg.figures._account import Row
from stackelberg.solvers import (
    bilevel_actor_critic,
    bilevel_q_learning,
    independent_q_learning,
    nlevel_learning,
)

KS = (0, -25, -50, -75, -100)
OUTCOMES = {"(a1,a3)": (0, 2), "(a2,a2)": (1, 1), "(a3,a1)": (2, 0)}
CONFIG = dict(episodes=400, steps_per_episode=25, gamma=0.0)
LEARNERS = {
    "N-level (STEP, tabular)": lambda game, **kw: nlevel_learning(game, beta=0.003, **kw),
    "Bi-AC (tabular)": lambda game, **kw: bilevel_actor_critic(game, beta=0.003, **kw),
    "bi-level Q": bilevel_q_learning,
    "independent Q": independent_q_learning,
}
PAPER_TABLE1 = {
    "STEP": {"leader a1": 99.99, "leader a2": 0.0, "leader a3": 0.01, "follower a1": 99.99, "follower a2": 0.0,
             "follower a3": 0.01, "leader reward": 0.0, "follower reward": 5.0, "average": 2.5},
    "MAPPO": {"leader a1": 32.93, "leader a2": 0.03, "leader a3": 67.04, "follower a1": 61.98, "follower a2": 0.04,
              "follower a3": 37.97, "leader reward": 2.72, "follower reward": -1.29, "average": 0.72},
    "MADDPG": {"leader a1": 21.39, "leader a2": 5.62, "leader a3": 72.99, "follower a1": 14.46, "follower a2": 7.86,
               "follower a3": 77.68, "leader reward": 3.20, "follower reward": -7.9, "average": -2.35},
}  # fmt: skip


def penalty_outcomes(k: int, learner: str, runs: int, seed: int = 0) -> dict:
    """Share of runs whose final greedy joint action is each pure NE of Penalty(k) (or another cell)."""
    result = LEARNERS[learner](repeated_game(get_game(f"penalty:{k}"), 0.0), runs=runs, seed=seed, **CONFIG)
    greedy = result.greedy_actions[:, result.initial_state]
    shares = {name: float(np.mean(np.all(greedy == cell, axis=1))) for name, cell in OUTCOMES.items()}
    shares["other"] = 1.0 - sum(shares.values())
    return shares


def mixing_table(learner: str, runs: int, seed: int = 0) -> dict:
    """Table 1 row: mean (std) action probabilities of both agents and expected rewards in Mixing."""
    stage = get_game("mixing")
    result = LEARNERS[learner](repeated_game(stage, 0.0), runs=runs, seed=seed, **CONFIG)
    s = result.initial_state
    if result.policies is not None:
        leader = result.policies[0][:, s]  # (runs, 3)
        conditional = result.policies[1][:, s]  # (runs, 3 leader actions, 3)
        joint = leader[:, :, None] * conditional
    else:
        greedy = result.greedy_actions[:, s]
        joint = np.zeros((result.runs, 3, 3))
        joint[np.arange(result.runs), greedy[:, 0], greedy[:, 1]] = 1.0
    A, B = (np.asarray(p, dtype=float) for p in stage.payoffs)
    columns = {}
    for name, marginal in (("leader", joint.sum(axis=2)), ("follower", joint.sum(axis=1))):
        for a in range(3):
            columns[f"{name} a{a + 1}"] = 100.0 * marginal[:, a]
    rewards = {"leader reward": (joint * A).sum(axis=(1, 2)), "follower reward": (joint * B).sum(axis=(1, 2))}
    rewards["average"] = (rewards["leader reward"] + rewards["follower reward"]) / 2
    columns.update(rewards)
    return {key: (float(v.mean()), float(v.std())) for key, v in columns.items()}


def run(out_dir, quick: bool = False) -> dict:
    """Penalty sweep and Mixing table for every learner; write PNG + CSV; return the headline numbers."""
    plt = pyplot()

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs = 30 if quick else 100
    penalty = [{"k": k, "learner": learner, **penalty_outcomes(k, learner, runs)} for learner in LEARNERS for k in KS]
    with open(out / "fig5_penalty.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(penalty[0]))
        writer.writeheader()
        writer.writerows(penalty)
    mixing = {learner: mixing_table(learner, runs) for learner in LEARNERS}
    with open(out / "table1_mixing.csv", "w", newline="") as handle:
        keys = list(next(iter(mixing.values())))
        writer = csv.writer(handle)
        writer.writerow(["method", "source"] + [f"{k} mean" for k in keys] + [f"{k} std" for k in keys])
        for learner, row in mixing.items():
            cells = [f"{round(row[k][i], 2) + 0.0:.2f}" for i in (0, 1) for k in keys]  # + 0.0: no "-0.00"
            writer.writerow([learner, "ours"] + cells)
        for method, row in PAPER_TABLE1.items():
            writer.writerow([method, "paper"] + [row[k] for k in keys] + [""] * len(keys))

    fig, axes = plt.subplots(1, len(LEARNERS), figsize=(4 * len(LEARNERS) + 1.2, 4), sharey=True)
    colors = {"(a1,a3)": "tab:green", "(a2,a2)": "tab:red", "(a3,a1)": "tab:orange", "other": "tab:gray"}
    for ax, learner in zip(axes, LEARNERS):
        bottom = np.zeros(len(KS))
        for outcome, color in colors.items():
            share = np.array([100 * r[outcome] for r in penalty if r["learner"] == learner])
            ax.bar([str(k) for k in KS], share, bottom=bottom, color=color, label=outcome)
            bottom += share
        title = f"{learner}\n(tabular stand-in for MAPPO/MADDPG)" if learner == "independent Q" else learner
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("penalty k")
    axes[0].set_ylabel(f"% of {runs} runs")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, title="final joint action")
    fig.suptitle("STEP Fig. 5: convergence in Penalty(k) (SE = (a1,a3))")
    save_figure(fig, out / "fig5_penalty.png")

    numbers = {f"penalty {r['k']} {r['learner']} (a1,a3) %": round(100 * r["(a1,a3)"], 1) for r in penalty}
    numbers.update({f"mixing {learner} average reward": round(row["average"][0], 2) for learner, row in mixing.items()})
    numbers.update({f"mixing {learner} follower a1 %": round(row["follower a1"][0], 2) for learner, row in mixing.items()})
    numbers.update({f"mixing {learner} leader a1 %": round(row["leader a1"][0], 2) for learner, row in mixing.items()})
    (out / "numbers.json").write_text(json.dumps(numbers, indent=2))
    return numbers


#: Recorded from a full run (100 runs; the docstring's numbers).
FULL_SCALE = {"penalty -100 N-level": 94.0, "penalty -100 independent Q": 0.0,
              "mixing N-level average": 2.5, "mixing N-level follower a1": 100.0, "mixing independent Q average": 0.7,
              "mixing independent Q leader a1": 100.0, "mixing independent Q follower a1": 60.0}


def account(numbers: dict, quick: bool) -> list[Row]:
    """STEP Fig. 5 / Table 1 beside ours (learning runs: budget dependent); independent Q rows are stand-ins."""
    nlevel, independent = "N-level (STEP, tabular)", "independent Q"
    stand_in = "independent Q, tabular stand-in for MAPPO"
    return [
        Row("Penalty(-100): N-level (STEP) runs at the SE (a1,a3), %", 93.0,
            numbers[f"penalty -100 {nlevel} (a1,a3) %"], FULL_SCALE["penalty -100 N-level"], scale=100.0),
        Row(f"Penalty(-100): runs at (a1,a3), % ({stand_in}; paper: MAPPO, all at (a2,a2))", 0.0,
            numbers[f"penalty -100 {independent} (a1,a3) %"], FULL_SCALE["penalty -100 independent Q"], scale=100.0,
            stand_in="MAPPO"),
        Row("Table 1 Mixing: N-level (STEP) average reward", PAPER_TABLE1["STEP"]["average"],
            numbers[f"mixing {nlevel} average reward"], FULL_SCALE["mixing N-level average"]),
        Row("Table 1 Mixing: N-level (STEP) follower plays a1, %", PAPER_TABLE1["STEP"]["follower a1"],
            numbers[f"mixing {nlevel} follower a1 %"], FULL_SCALE["mixing N-level follower a1"], scale=100.0),
        Row(f"Table 1 Mixing: average reward ({stand_in}; paper: MAPPO)", PAPER_TABLE1["MAPPO"]["average"],
            numbers[f"mixing {independent} average reward"], FULL_SCALE["mixing independent Q average"],
            stand_in="MAPPO"),
        Row(f"Table 1 Mixing: leader plays a1, % ({stand_in}; paper: MAPPO)", PAPER_TABLE1["MAPPO"]["leader a1"],
            numbers[f"mixing {independent} leader a1 %"], FULL_SCALE["mixing independent Q leader a1"],
            scale=100.0, stand_in="MAPPO"),
        Row(f"Table 1 Mixing: follower plays a1, % ({stand_in}; paper: MAPPO)", PAPER_TABLE1["MAPPO"]["follower a1"],
            numbers[f"mixing {independent} follower a1 %"], FULL_SCALE["mixing independent Q follower a1"],
            scale=100.0, stand_in="MAPPO"),
    ]  # fmt: skip


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="30 runs instead of 100")


if __name__ == "__main__":
    main()
