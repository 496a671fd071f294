"""Fig. 4 of the expensive-coordination paper, tabular: the leader's reward with RL followers with and without
action abstraction.

The paper trains its neural leader for 250,000 episodes against RL followers on four tasks and reports (Fig. 4,
Section 5.2) that against action-abstraction followers (Lemma 3) the leader's reward is high, while "without action
abstraction, the reward is less than zero, revealing that the abstraction does play a crucial role in stabilizing
training". Here, scaled to a small grid and tabular learners: resource collection on a 5x5 grid with 4 resource types,
2 followers drawn from the pool of 40 (seed 0), horizon 12, bonuses {1, 2}; the tabular event leader
(:func:`~stackelberg.solvers.coordination.train_coordination`, dense EBPG, baselines, lambda1 = 0.01, lambda2 = 0.001)
co-trained with (a) Lemma-3 followers (tabular meta-policy over goals, REINFORCE), (b) vanilla followers (tabular
Q-learning over the five moves, seeing the current offer) and, for reference, (c) rule-based followers. Two time
scales: leader step 0.15, followers and critic 0.5 / 1.0; followers explore with rate 0.3 (Appendix D.2.1); batches
of 32 episodes. Every curve is the leader's *exact* value against the current followers (without exploration), as a
fraction of the exact optimum against rule-based followers of the same types (12.0; a yardstick, not a bound, for
learning followers); the sampled training reward (followers exploring) is in the CSV.

Full run: 3000 iterations (96,000 episodes), 3 seeds, recorded in FULL_SCALE below; ``--quick``: 300 iterations,
1 seed (about 20 s). Runs are stored in ``OUT/runs.sqlite`` (:class:`~stackelberg.analysis.store.ResultStore`) and a
killed run resumes.

Our numbers (full run: 9 runs of 3000 iterations, about 110 s of CPU in all, 16.5 minutes of wall time on the
shared 2-core machine at a load of about 17), as fractions of the yardstick 12.0, mean of 3 seeds:

=========================  ===============  ==============  ================  ==========================
followers                  final exact      final sampled   mean over         leader's best / against
                           value / optimum  reward          training          best-responding followers
=========================  ===============  ==============  ================  ==========================
abstraction (Lemma 3)      0.683            5.01            0.499             0.706 / 0.674
no abstraction (vanilla)   0.176            1.79            -0.056            0.806 / -0.025
rule-based (reference)     0.996            11.96           0.893             1.000 / 0.996
=========================  ===============  ==============  ================  ==========================

The paper's ordering holds: abstraction followers far ahead of vanilla followers (every seed), the leader gaining
steadily against abstraction followers (sampled reward -2.4 -> 5.0, exact value -0.22 -> 0.68). The paper's sign
for vanilla followers ("less than zero") holds for the first 60% of our training: the exact value drops to about
-0.5 of the yardstick within 300 iterations and the sampled training reward stays below zero until about iteration
1800 (58,000 episodes), then it ends slightly positive (0.18 exact, 1.79 sampled): differs at the end. Why: our
vanilla follower is a table over a 5x5 grid that Q-learning fills in a few tens of thousands of episodes, while the
paper's are neural followers on larger maps whose exploration never settles in 250,000 episodes; the failure mode
is the same (while vanilla followers explore, with 30% random moves, they sign offers they then abandon, so the
leader pays bonuses for unfinished contracts: its best response to the final vanilla followers, 0.81, is far above
what it earns, 0.18, because they keep changing). Against abstraction followers the leader is within 0.02 of its
best response to them (0.706): the followers' learned meta-policies, not the leader, hold the value below the
rule-based optimum (they ask for larger bonuses or refuse offers a rule-based follower signs).
"""

from __future__ import annotations

import csv
import os

import numpy as np

from stackelberg.figures._account import Row
from stackelberg.figures._ebpg_runs import run_study, write_curves
from stackelberg.figures._script import pyplot, save_figure, script_main

FULL = dict(iterations=3000, seeds=(0, 1, 2), evaluate_every=100)
QUICK = dict(iterations=300, seeds=(0,), evaluate_every=50)
TRAINING = dict(batch_size=32, leader_lr=0.15, follower_lr=0.5, critic_lr=1.0, lambda1=0.01, lambda2=0.001,
                exploration=0.3, form="dense")
VARIANTS = {
    "abstraction followers": dict(TRAINING, follower_kind="abstraction"),
    "no abstraction (vanilla followers)": dict(TRAINING, follower_kind="vanilla"),
    "rule-based followers": dict(TRAINING, follower_kind="rule"),
}


def run(out_dir, quick: bool = False, progress=None) -> dict:
    """Co-train the leader with each kind of follower; write PNG + CSV into ``out_dir``."""
    plt = pyplot()
    os.makedirs(out_dir, exist_ok=True)
    budget = QUICK if quick else FULL
    records, summary = run_study(out_dir, "ebpg_rl_followers", VARIANTS, budget, progress)

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, style in zip(VARIANTS, ("-", "--", ":")):
        s = summary[name]
        axes[0].plot(s["iterations"], s["mean_ratios"], style, label=name)
        sampled = np.mean([r["sampled"][1:] for r in records if r["variant"] == name], axis=0)
        axes[1].plot(s["iterations"][1:], sampled, style, label=name)
    axes[0].axhline(1.0, color="k", lw=0.8, label="exact optimum vs rule-based followers")
    axes[0].axhline(0.0, color="gray", lw=0.8, ls=":")
    axes[0].set_ylabel("leader's exact value / optimum (rule-based)")
    axes[1].axhline(0.0, color="gray", lw=0.8, ls=":")
    axes[1].set_ylabel("leader's sampled reward (followers exploring)")
    for ax in axes:
        ax.set_xlabel("iteration (32 episodes each)")
        ax.legend(fontsize=8)
    fig.suptitle("Fig. 4, tabular: leader with RL followers, 5x5 resource collection (4 types, 2 followers)")
    png = save_figure(fig, os.path.join(out_dir, "ebpg_rl_followers.png"))
    curves = write_curves(os.path.join(out_dir, "ebpg_rl_followers_curves.csv"), records)
    table = os.path.join(out_dir, "ebpg_rl_followers_final.csv")
    with open(table, "w", newline="") as handle:
        writer = csv.writer(handle)
        keys = ["final_ratio", "min_final_ratio", "mean_ratio_over_training", "final_value", "final_sampled",
                "final_follower_value", "leader_best_ratio", "against_best_responses_ratio", "seconds", "seeds"]
        writer.writerow(["followers", *keys])
        for name in VARIANTS:
            writer.writerow([name, *(summary[name][k] for k in keys)])
    optimum = records[0]["optimum"]
    return dict(summary=summary, optimum=optimum, budget=dict(budget, training=TRAINING),
                files=dict(png=png, curves=curves, table=table))


#: Recorded from a full run (3000 iterations, 3 seeds); see the module docstring.
FULL_SCALE = dict(abstraction_ratio=0.6825, vanilla_ratio=0.1760, vanilla_sampled=1.787, rule_ratio=0.9964,
                  abstraction_ahead=True, abstraction_gains=True, vanilla_mean=-0.0557, abstraction_mean_ahead=True,
                  cpu_seconds=107, wall_seconds=992)


def account(numbers: dict, quick: bool) -> list[Row]:
    """The paper's Fig. 4 claims: abstraction ahead, vanilla below zero, the leader gains with abstraction."""
    s = numbers["summary"]
    abstraction, vanilla = s["abstraction followers"], s["no abstraction (vanilla followers)"]
    return [
        Row("Fig. 4: the leader's final reward with abstraction followers above that with vanilla followers",
            True, abstraction["final_ratio"] > vanilla["final_ratio"], FULL_SCALE["abstraction_ahead"]),
        Row("Fig. 4: without action abstraction the leader's reward is below zero (final sampled training reward)",
            "< 0", vanilla["final_sampled"], FULL_SCALE["vanilla_sampled"]),
        Row("Fig. 4: without action abstraction, the leader's exact value / optimum vs rule-based (final)", "< 0",
            vanilla["final_ratio"], FULL_SCALE["vanilla_ratio"]),
        Row("Fig. 4: with abstraction followers the leader gains: final exact value above the initial one", True,
            abstraction["mean_ratios"][-1] > abstraction["mean_ratios"][0], FULL_SCALE["abstraction_gains"]),
        Row("with abstraction followers, leader's exact value / optimum vs rule-based (paper: no exact reference)",
            "> 0", abstraction["final_ratio"], FULL_SCALE["abstraction_ratio"]),
        Row("without action abstraction, the leader's exact value / optimum averaged over training (the shape: "
            "below zero for about half of training)", "< 0", vanilla["mean_ratio_over_training"],
            FULL_SCALE["vanilla_mean"]),
        Row("abstraction ahead of vanilla over the whole training (mean exact value)", True,
            abstraction["mean_ratio_over_training"] > vanilla["mean_ratio_over_training"],
            FULL_SCALE["abstraction_mean_ahead"]),
        Row("rule-based followers (reference): leader / exact optimum (issue target >= 0.9)", ">= 0.9",
            s["rule-based followers"]["final_ratio"], FULL_SCALE["rule_ratio"]),
    ]


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="300 iterations, one seed")


if __name__ == "__main__":
    main()
