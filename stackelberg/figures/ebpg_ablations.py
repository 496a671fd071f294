"""The expensive-coordination paper's appendix ablations with the tabular event leader, against the exact optimum.

The paper (Appendix D.3, neural leader, 250,000 episodes per curve) reports: sparse EBPG learns worse than the dense
EBPG of Remark 2 (D.3.3, Figs. 8-9); two time-scale updates, followers' step 1e-3 well above the leader's 3e-4,
beat one time scale with the leader at the followers' 1e-3 and stabilise training (D.3.5, Fig. 11, one and two RL
followers); every fixed commitment interval is "much worse" than the dynamic (event-based) commitment (D.3.6,
Fig. 12); and the leader without EBPG is worse than with it (Fig. 3, D.3.1). Here every ablation is a tabular
event leader (:func:`~stackelberg.solvers.coordination.train_coordination`) on one small instance, resource
collection on a 5x5 grid with 4 resource types, 2 followers drawn from the pool of 40 (seed 0), horizon 12,
bonuses {1, 2}, whose exact optimum against rule-based followers is 12.0 (backward induction on the leader's MDP):

* rule-based followers (leader step 0.3, critic step 1.0, batches of 32, lambda1 = 0.01, lambda2 = 0.001): dense
  EBPG; sparse EBPG (Proposition 1); "w/o EBPG", a leader that re-decides at every step (beta = 1, only mu learns:
  commitment interval 1); fixed commitment intervals 2, 3, 4 and 6 (the leader may change its offers only at
  multiples of the interval); one time scale for the leader and its critic (critic step = leader step = 0.3);
* Lemma-3 RL followers (exploration 0.3, followers' step 0.5): two time scales (leader step 0.15) against one
  time scale (leader step 0.5 = the followers').

Each curve is the leader's exact value (against the current followers, without exploration) as a fraction of the
exact optimum against rule-based followers (for RL followers a yardstick, not a bound). Full run: 2000 iterations
(64,000 episodes), 3 seeds; ``--quick``: 150 iterations, 1 seed. Runs are stored in ``OUT/runs.sqlite``
(:class:`~stackelberg.analysis.store.ResultStore`) and a killed run resumes.

Our numbers (full run: 30 runs of 2000 iterations, about 200 s of CPU in all, 23 minutes of wall time on the
shared 2-core machine at a load of about 20), fractions of the exact optimum 12.0, mean of 3 seeds (their final
fractions agree to 0.001 except for the RL followers):

==============================================  =====  ===================  ======================================
variant                                         final  mean over training   paper
==============================================  =====  ===================  ======================================
EBPG (dense, event-based)                       0.997  0.900                "ours"
sparse EBPG                                     0.996  0.890                worse than dense (D.3.3): holds, small
w/o EBPG (re-decide every step)                 0.746  0.642                worse than EBPG (Fig. 3): holds
fixed interval 2                                0.748  0.691                worse than dynamic: holds
fixed interval 3                                0.999  0.946                worse than dynamic: differs
fixed interval 4                                0.999  0.946                worse than dynamic: differs
fixed interval 6                                0.833  0.798                worse than dynamic: holds
critic at the leader's step (rule-based)        0.997  0.901                (not in the paper)
RL followers, two time scales (0.15 < 0.5)      0.672  0.413                better than one time scale: differs
RL followers, one time scale (0.5 = 0.5)        0.742  0.560
==============================================  =====  ===================  ======================================

Shapes and orderings. Dense EBPG stays ahead of sparse EBPG all along (0.981 against 0.970 after 400 iterations),
the paper's D.3.3 ordering with a small gap: a tabular leader visits every entry often, so the sparse form's missing
keep-terms cost little. The leader without events stalls at 0.746 on every seed, in a local optimum of re-deciding
every step (keeping a contract for a whole trip requires re-drawing the same offer at every step), the paper's point
that events avoid myopic decisions. Fixed intervals: the paper's "all fixed intervals much worse" holds for intervals
that cut a trip (2, and 1 = w/o EBPG) or outlast it (6), not for 3 and 4, which match the trips of these
deterministic rule-based followers and end marginally above the event-based leader (0.999 against 0.997; the event
leader must learn beta ~ 0 within trips, under its beta^2 and entropy terms); with follower noise the fixed intervals
fall behind (``ebpg_exact_leader``: 30% noise, every interval below the event-based leader). The dynamic leader
never needs the right interval; a fixed one is good only when it happens to fit the task. Two time scales with
Lemma-3 followers: the paper's TTSU ordering (D.3.5) is reversed here. Tabular followers at step 0.5 settle within a
few hundred iterations either way; the leader at the followers' step then simply learns faster (every seed ends at
0.742, where its best response to its followers is 0.747), while the slow leader lets the followers settle first
into behaviour that is worse for it (seeds 1-2 end at 0.645, its best response to those followers 0.67-0.69); the
paper's instability of one time scale comes from neural followers whose policies keep moving. The critic's step
(1.0 against the leader's 0.3) makes no difference with rule-based followers (0.997 either way).
"""

from __future__ import annotations

import csv
import os

from stackelberg.figures._account import Row
from stackelberg.figures._ebpg_runs import run_study, write_curves
from stackelberg.figures._script import pyplot, save_figure, script_main

FULL = dict(iterations=2000, seeds=(0, 1, 2), evaluate_every=100)
QUICK = dict(iterations=150, seeds=(0,), evaluate_every=50)
RULE = dict(follower_kind="rule", batch_size=32, leader_lr=0.3, critic_lr=1.0, lambda1=0.01, lambda2=0.001)
LEARNING = dict(follower_kind="abstraction", batch_size=32, follower_lr=0.5, critic_lr=1.0, lambda1=0.01,
                lambda2=0.001, exploration=0.3)
INTERVALS = (2, 3, 4, 6)
EVENT = "EBPG (dense, event-based)"
SPARSE = "sparse EBPG"
WITHOUT = "w/o EBPG (re-decide every step)"
ONE_CRITIC = "one time scale (critic step = leader step)"
TWO = "RL followers: two time scales (leader 0.15, followers 0.5)"
ONE = "RL followers: one time scale (leader 0.5 = followers 0.5)"
VARIANTS = {
    EVENT: dict(RULE, form="dense"),
    SPARSE: dict(RULE, form="sparse"),
    WITHOUT: dict(RULE, commitment_interval=1),
    **{f"fixed interval {c}": dict(RULE, commitment_interval=c) for c in INTERVALS},
    ONE_CRITIC: dict(RULE, critic_lr=0.3),
    TWO: dict(LEARNING, leader_lr=0.15),
    ONE: dict(LEARNING, leader_lr=0.5),
}


def run(out_dir, quick: bool = False, progress=None) -> dict:
    """Train every ablation; write PNG + CSV (curves and the table of final fractions) into ``out_dir``."""
    plt = pyplot()
    os.makedirs(out_dir, exist_ok=True)
    budget = QUICK if quick else FULL
    records, summary = run_study(out_dir, "ebpg_ablations", VARIANTS, budget, progress)

    fig, axes = plt.subplots(1, 3, figsize=(17, 4.2))
    panels = (("rule-based followers: EBPG forms, commitment, critic time scale",
               [n for n in VARIANTS if VARIANTS[n]["follower_kind"] == "rule"]),
              ("Lemma-3 RL followers: two vs one time scale", [TWO, ONE]))
    for ax, (title, names) in zip(axes[:2], panels):
        for name in names:
            s = summary[name]
            style = "-" if name in (EVENT, TWO) else "--" if name in (SPARSE, ONE) else ":"
            ax.plot(s["iterations"], s["mean_ratios"], style, label=name)
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_ylim(-0.5, 1.05)
        ax.set_xlabel("iteration (32 episodes each)")
        ax.set_ylabel("leader's exact value / exact optimum")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    names = list(VARIANTS)
    axes[2].barh(range(len(names)), [summary[n]["final_ratio"] for n in names])
    axes[2].set_yticks(range(len(names)), [n.replace("RL followers: ", "RL: ") for n in names], fontsize=7)
    axes[2].axvline(1.0, color="k", lw=0.8)
    axes[2].set_xlabel("final fraction of the exact optimum (mean over seeds)")
    axes[2].invert_yaxis()
    fig.suptitle("Appendix ablations, tabular event leader, 5x5 resource collection (4 types, 2 followers)")
    fig.tight_layout()
    png = save_figure(fig, os.path.join(out_dir, "ebpg_ablations.png"))
    curves = write_curves(os.path.join(out_dir, "ebpg_ablations_curves.csv"), records)
    table = os.path.join(out_dir, "ebpg_ablations_final.csv")
    with open(table, "w", newline="") as handle:
        writer = csv.writer(handle)
        keys = ["final_ratio", "min_final_ratio", "mean_ratio_over_training", "final_value", "seconds", "seeds"]
        writer.writerow(["variant", *keys])
        for name in VARIANTS:
            writer.writerow([name, *(summary[name][k] for k in keys)])
    return dict(summary=summary, optimum=records[0]["optimum"], budget=dict(budget),
                files=dict(png=png, curves=curves, table=table))


#: Recorded from a full run (2000 iterations, 3 seeds); see the module docstring.
FULL_SCALE = dict(event_ratio=0.9974, sparse_ratio=0.9959, dense_ahead=True, without_below=True,
                  fixed_below={2: True, 3: False, 4: False, 6: True}, two_ahead=False, two_ratio=0.6718,
                  one_ratio=0.7422, cpu_seconds=204, wall_seconds=1365)


def account(numbers: dict, quick: bool) -> list[Row]:
    """The appendix's orderings, each measured as a fraction of the exact optimum."""
    s = numbers["summary"]
    event = s[EVENT]["final_ratio"]
    return [
        Row("event-based (dense EBPG) leader / exact optimum, rule-based followers (issue target >= 0.9)", ">= 0.9",
            event, FULL_SCALE["event_ratio"]),
        Row("D.3.3: dense EBPG ahead of sparse EBPG (mean fraction of the optimum over training)", True,
            s[EVENT]["mean_ratio_over_training"] > s[SPARSE]["mean_ratio_over_training"], FULL_SCALE["dense_ahead"]),
        Row("sparse EBPG / exact optimum, final (issue target >= 0.9)", ">= 0.9", s[SPARSE]["final_ratio"],
            FULL_SCALE["sparse_ratio"]),
        Row("Fig. 3 / D.3.1: w/o EBPG (re-decide every step) ends below EBPG", True,
            s[WITHOUT]["final_ratio"] < event, FULL_SCALE["without_below"]),
    ] + [
        Row(f"D.3.6: fixed commitment interval {c} ends below dynamic commitment (paper: every fixed interval worse)",
            True, s[f"fixed interval {c}"]["final_ratio"] < event, FULL_SCALE["fixed_below"][c]) for c in INTERVALS
    ] + [
        Row("D.3.5: two time scales end above one time scale (RL followers)", True,
            s[TWO]["final_ratio"] > s[ONE]["final_ratio"], FULL_SCALE["two_ahead"]),
        Row("RL followers, two time scales: leader / exact optimum vs rule-based (a yardstick; paper: none)", "> 0",
            s[TWO]["final_ratio"], FULL_SCALE["two_ratio"]),
    ]


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="150 iterations, one seed")


if __name__ == "__main__":
    main()
