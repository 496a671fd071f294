"""Thesis ch. 6 with sampled episodes: MetaGrad in ER(2,1), ER(5,2), ER(10,5), dual-RL (Fig. 6.1c) and AMD (Fig. C.1).

The exact dynamics of ``ch6_designer_escape_room`` tabulate the joint state, out of reach at N = 10. This script
runs the thesis's own setting with sampled episodes (:func:`stackelberg.solvers.incentives.sampled_designer_trajectory`):
REINFORCE agents with linear softmax policies on the one-hot positions of all agents (the thesis code's
observation; a network without hidden layers, separate per agent, nothing joint tabulated), a designer network
of the positions and the joint action with one hidden tanh layer and 3 sigmoid outputs in (0, 2), "the incentive for
action i taken by any agent", trained by the sampled meta-gradient of Eq. 6.4 on validation episodes of the updated
agents, Adam on the meta-gradient and a separate Adam on the cost (the sum of incentives paid), gamma = 0.99,
agents' entropy 0.0166 and no exploration floor (Table C.1 / the code's config_er_pg.py). Rates: the thesis's
(agents 9.56e-5 on 64/64 networks, one episode per update, 1e5 episodes) do not transfer to linear policies; ours
are agents alpha = 0.1 (plain gradient steps), designer Adam 0.03 with 32 hidden units, cost Adam 5e-4, 16
episodes per iteration; ER(2,1): alpha 0.3, Adam 0.03, cost Adam 1e-3, 16 hidden units. Fig. 6.1c: dual-RL (d) (a linear softmax designer on the positions choosing one of
|S_r|^3 = 27 incentive assignments, S_r = {0, 1.1, 2}, entropy 0.488 as Table C.1, Adam 0.01) and dual-RL (c) (Gaussian
actions through the sigmoid, the MetaGrad network with a linear output, Adam 1e-3), same agents. Fig. C.1: the
first-order "adaptive mechanism design" planner (AMD, Baumann et al. 2018; the text: a LOLA-like central planner
that anticipates the agents' update instead of measuring it on validation episodes, runs truncated at 6k episodes)
beside MetaGrad in ER(2,1), 6000 episodes each.

Full run: seeds 0-7 of MetaGrad in ER(5,2) and ER(10,5) (the thesis's 8 runs per method), seeds 0-3 of the other
cases, 2000 iterations (ER(2,1)) or 3000 (ER(5,2), ER(10,5), dual-RL) of 16 episodes (3000 x 16 = 48k training
episodes, plus as many validation episodes: about the 100k episodes of the thesis code's config_er_pg.py);
``--quick``: one seed, a few hundred iterations per case (shows the machinery, not the result).
The curves are means over the training episodes of each window; the final numbers are 2000 test episodes of the
final policies and designer (the thesis's test measure: collective extrinsic return, designer reward = collective
minus incentives paid).

Results of the full run (final test episodes, per seed; recorded in :data:`FULL_SCALE` as means over the seeds; one
ER(5,2) run takes about 8 s and one ER(10,5) run about 20 s at a load average of 4-10 on the shared 2-core machine):

| case | thesis | ours: designer reward (collective, paid per episode) |
|---|---|---|
| MetaGrad ER(2,1), 2000 x 16 episodes | 8 - eps (Fig. 6.1d) | 8.99 (9.00), 8.98 (8.98), 8.90 (8.99), -0.04 (0.00); mean 6.71 |
| MetaGrad ER(5,2), 3000 x 16 episodes | about 26 (Fig. 6.1a) | 23.62 (27.77, 4.15), 18.88 (25.00, 6.12), 23.97 (27.98, 4.01), 23.92 (27.95, 4.03), 23.40 (27.64, 4.24), 19.10 (25.06, 5.96), 20.68 (26.02, 5.34), 23.99 (27.99, 4.00); mean 22.20 |
| MetaGrad ER(10,5), 3000 x 16 episodes | about 40 (Fig. 6.1b) | 21.89 (40.04, 18.15), -4.10 (-4.00, 0.10), 13.27 (39.99, 26.72), 34.58 (44.84, 10.26), -0.08 (0.00, 0.08), 34.86 (44.95, 10.08), -0.08 (-0.01, 0.08), -11.01 (-11.00, 0.01); mean 11.17 |
| dual-RL (d) ER(5,2) | unstable, does not solve | -3.71, -2.07, -1.45, -2.11; mean -2.34 |
| dual-RL (c) ER(5,2) | does not solve | -3.04, -1.03, -1.03, -2.04; mean -1.79 |
| AMD ER(2,1), 6000 episodes | learns slower than MetaGrad (Fig. C.1) | 6.49, -2.45, 7.02, -0.41; mean 2.66 |
| MetaGrad ER(2,1), 6000 episodes | (Fig. C.1) | 8.88, 7.08, 6.07, -1.15; mean 5.22 |

What the numbers say:

* ER(5,2): MetaGrad solves the room in all eight seeds (collective 27.6-28.0, optimum 28, in five; 25.0-26.0 in
  three, where a single agent pulls and the second puller's pull comes a step late) and pays each puller about 2
  per episode, the bound R_max: designer reward 23.4-24.0 in the five, mean 22.20, against the thesis's 26 =
  28 - 2(1 + eps). **Bound and cost are the thesis code's**: its incentive is ``r_multiplier * sigmoid`` with
  ``r_multiplier = 2.0`` (config_er_pg.py) and the agents add ``2 * sigmoid`` (hard-coded), our ``r_max = 2``; the
  test-time designer reward subtracts the full amount paid (evaluate.py), as ours. Its cost is the discounted sum
  over the steps of *all three* sigmoid outputs before the factor 2 (half of what an agent would be paid for each
  action, charged whether or not any agent takes it), our ``cost_on="sigmoid"``. Measured over seeds 0-7 (3000 x 16
  episodes; designer reward mean, and the split of the seeds):

  | designer settings | mean | lever paid ~2 per puller | paid ~0 | room fails |
  |---|---|---|---|---|
  | Adam 0.03, cost Adam 5e-4 on the payments (kept) | 22.20 | 8 (18.9-24.0) | 0 | 0 |
  | cost Adam 2.28e-3 (the code's cost/incentive rate ratio 6.03e-5 / 7.93e-4 = 0.076) | 20.70 | 4 | 3 (25.2, 25.2, 28.0) | 1 |
  | the same and ``cost_on="sigmoid"`` (the code's cost) | 20.31 | 5 | 2 (25.1, 28.0) | 1 |
  | the same, agents' rate 0.03 instead of 0.1 | 22.62 | 8 | 0 | 0 |
  | Adam 0.01, cost Adam 7.6e-4 (ratio 0.076), code's cost | 7.59 | 0 | 3 (27.9-28.0) | 5 |
  | cost Adam 2.28e-3, code's cost, agents' rate 0.01, 6000 x 16 episodes (the code's 1e5) | 26.76 | 1 | 7 (25.7-27.95) | 0 |

  No setting settles the payment at 1 + eps: it is either at the bound 2 or, once the cost wins, falls through
  1 + eps to 0 within a few hundred iterations (seed 2 of the third row, traced over 6000 iterations: 2.0 per
  puller from iteration 600 to 4200, then 0 by 5400 and the room fails at 6000). The cause is saturation on both
  sides: the lever output's sigmoid saturates within the first 600 iterations (its gradient, and with it the
  meta-gradient's and the cost's, is proportional to sigma'), and the agents' linear softmax policies reach lever
  probability 1.00, where their own gradient, and so the meta-gradient through their update, vanishes. The
  thesis's 1 + eps is an equilibrium between the cost and agents that still respond to a payment just above 1
  (entropy 0.0166 keeps a policy responsive at a reward gap of eps ~ 0.05-0.1, not at a gap of 1): its agents
  (two ReLU layers, rate 9.56e-5, one episode per update) move about 30 times less in total than ours (9.56e-5 x
  1e5 against 0.1 x 3000) and do not saturate. "Paid ~0" runs are above the thesis (25-28): saturated agents keep
  pulling unpaid. So the last row's mean 26.76, close to the thesis's 26, is not its mechanism and is not kept:
  its payment stays at 2 per puller for most of the run (seed 0: 4.5-5.3 paid per episode up to iteration 5200,
  designer reward 21-22 during training) and collapses to 0 near the end while the saturated pullers keep pulling;
  a longer run ends like seed 2 of the third row.
* ER(10,5): four of eight seeds escape: seeds 3 and 5 with five pullers (collective 44.8-45.0, the optimum 45;
  designer 34.6-34.9 against the thesis's 40, paying 2 per puller as in ER(5,2)), seeds 0 and 2 with four pullers
  and a fifth a step late (collective 40.0, designer 21.9 and 13.3); seeds 1, 4, 6 and 7 end with everybody
  waiting. **What separates them is settled in the first 10 iterations (160 episodes)**: the lever's share of the
  incentives paid in iterations 1-10 is 0.37-0.50 in the four escaping seeds and 0.06-0.23 in the four failing
  ones (the number of agents already leaning to the lever, 2-5 against 0-3, does not separate them), which pay the agents for *staying at start* (seed 4: 70 of 75
  paid per episode at iteration 30 goes to "start"; seed 1: 52 to "start", 24 to "door"). Before any door opens
  (5 of 10 agents pulling at once is rare under random policies) the only effect of the payments that the
  validation episodes measure is fewer -1 moves, so the meta-gradient pays waiting; the agents' policies saturate
  on start (seed 4: every agent's lever probability below 0.01 by iteration 30), the meta-gradient through them vanishes, and the cost then
  removes the payments (paid per episode 98 at iteration 90, 0.85 at 900). Longer runs do not recover these
  seeds: at the thesis code's budget (6000 x 16 = 96k training episodes, about 50 s a seed) seeds 1, 4, 6, 7 still
  end at -4.0, 0.0, 0.0, -10.0 and the others at 22.0, 17.9, 29.9, 44.8 (seed 5: collective 44.8 paid nothing,
  saturated pullers), mean 12.57 against 11.17 at 3000 iterations. The thesis's 40 in Fig. 6.1b is its runs' mean,
  so its designer escaped in (nearly) all eight.
* ER(2,1): three seeds reach the optimum 9 and end *above* 8 - eps (8.90-8.99), paying almost nothing once the
  Cooperator's policy saturates; the thesis's Cooperator keeps receiving 1 + eps. Seed 3 ends with both waiting.
* The ingredient that the exact tabular runs (``ch6_designer_escape_room``, collective 7.8-7.9, the Cooperator a
  step late) lack, measured in ER(2,1) with everything else equal (sampled, tabular agents
  ``observation="joint-state"``, the rates above, seeds 0-3): a tabular designer eta[s, a, b]
  (``designer_inputs="table"``) fails in all four seeds (collective -1.0, still paying 3.3-6.5); a designer linear
  in the state and each agent's action solves 1 of 4 (collective 9.00); with 16 hidden units 2 of 4 (8.99, 9.00);
  with agents on positions 3 of 4. Sampling alone does not do it: the tabular designer of ``incentive_trajectory`` with
  ``gradient="sampled"`` (16 episodes, the exact script's settings) ends at collective 7.84, 7.98, 7.00, 7.96 like
  its exact twin (7.93, 7.94, 8.98, 8.92). The thesis's incentive function is a network of the state and the joint
  action: a payment for the lever learnt anywhere carries over to the start state at step 0, which a table cannot.
* Failed seeds end with everybody waiting (nothing paid): the fresh sigmoid pays 1 for every action, which rewards
  staying at start, and the cost optimiser removes the incentives before the designer has learnt to pay the lever
  more than the rest.
* dual-RL (d) and (c) do not solve ER(5,2) in any seed (the thesis: "unstable ... high variance", 1 of 8 runs
  succeeded): an RL designer's payment shows its effect only episodes later.
* Fig. C.1: after 6000 episodes MetaGrad is ahead of the first-order AMD planner on average (5.22 against 2.66), as
  the thesis states, with large seed-to-seed variation at this short budget (both solve 2-3 seeds of 4; AMD still
  pays 1.5-2.5 per episode where it solved the room).
"""

from __future__ import annotations

import csv
import os
import time

import numpy as np

from stackelberg.figures._account import Row
from stackelberg.figures._script import pyplot, save_figure, script_main
from stackelberg.solvers.incentives import sampled_designer_trajectory

AGENTS = dict(entropy=0.0166, exploration=0.0, gamma=0.99, r_max=2.0, batch_size=16)
META = dict(AGENTS, designer="metagrad", alpha=0.1, beta=0.03, cost_beta=0.0005, hidden=32)
META21 = dict(AGENTS, designer="metagrad", alpha=0.3, beta=0.03, cost_beta=0.001, hidden=16)
CASES = [  # key, (N, M), settings, full (iterations, seeds), quick (iterations, seeds)
    ("MetaGrad ER(2,1)", (2, 1), META21, (2000, 4), (500, 1)),
    ("AMD ER(2,1)", (2, 1), dict(META21, designer="amd"), (375, 4), (375, 1)),
    ("MetaGrad ER(2,1), 6k episodes", (2, 1), META21, (375, 4), None),
    ("MetaGrad ER(5,2)", (5, 2), META, (3000, 8), (300, 1)),
    ("MetaGrad ER(10,5)", (10, 5), META, (3000, 8), (150, 1)),
    ("dual-RL (d) ER(5,2)", (5, 2), dict(AGENTS, designer="dual-rl-d", alpha=0.1, beta=0.01, designer_entropy=0.488,
                                         incentive_values=(0.0, 1.1, 2.0)), (3000, 4), (150, 1)),
    ("dual-RL (c) ER(5,2)", (5, 2), dict(AGENTS, designer="dual-rl-c", alpha=0.1, beta=0.001, hidden=32),
     (3000, 4), None),
]
EVAL_EPISODES = 2000  # test episodes of the final policies and designer
THESIS = {"MetaGrad ER(2,1)": 8.0, "MetaGrad ER(5,2)": 26.0, "MetaGrad ER(10,5)": 40.0}


def run(out_dir, quick: bool = False) -> dict:
    """Run every case (quick: a short version of some); write PNG + CSV into ``out_dir``."""
    plt = pyplot()
    os.makedirs(out_dir, exist_ok=True)
    numbers, rows = {}, []
    fig, axes = plt.subplots(2, 3, figsize=(15, 7.5))
    panels = {"MetaGrad ER(2,1)": axes[0, 0], "MetaGrad ER(5,2)": axes[0, 1], "MetaGrad ER(10,5)": axes[0, 2],
              "dual-RL (d) ER(5,2)": axes[1, 0], "dual-RL (c) ER(5,2)": axes[1, 0], "AMD ER(2,1)": axes[1, 2],
              "MetaGrad ER(2,1), 6k episodes": axes[1, 2]}
    colours = {"dual-RL (d) ER(5,2)": "tab:red", "dual-RL (c) ER(5,2)": "tab:purple", "AMD ER(2,1)": "tab:orange"}
    for key, (n, m), settings, full, short in CASES:
        budget = short if quick else full
        if budget is None:
            continue
        iterations, seeds = budget
        finals, start = [], time.perf_counter()
        for seed in range(seeds):
            result = sampled_designer_trajectory(n, m, n_iterations=iterations, seed=seed,
                                                 record_every=max(1, iterations // 40), eval_episodes=EVAL_EPISODES,
                                                 **settings)
            final = result.final
            cooperators = final["start_policy"][:, 1] > 0.5
            finals.append(dict(
                seed=seed, designer_return=final["designer_return"], collective_return=final["collective_return"],
                incentives_paid=final["incentive_cost"],
                cooperator_paid=float(final["paid_per_action"][cooperators].sum(axis=1).mean()) if cooperators.any() else None,
                winner_paid=float(final["paid_per_action"][~cooperators].sum(axis=1).mean()) if (~cooperators).any() else None,
                start_policy=np.round(final["start_policy"], 2).tolist(),
            ))  # fmt: skip
            rows.append([key, seed, iterations, final["designer_return"], final["collective_return"],
                         final["incentive_cost"]])
            axis = panels[key]
            axis.plot(result.episodes, result.designer_return, color=colours.get(key, "tab:blue"), alpha=0.7,
                      label=key if seed == 0 else None)
            if key == "MetaGrad ER(2,1)" and seed == 0:
                for k in range(n):
                    role = "cooperator" if cooperators[k] else "winner"
                    for b, label in enumerate(("start", "lever", "door")):
                        axes[1, 1].plot(result.episodes, result.paid_per_action[:, k, b], label=f"A{k + 1} ({role}): {label}")
        numbers[key] = dict(runs=finals, iterations=iterations, seconds=round(time.perf_counter() - start, 1),
                            mean_designer_return=float(np.mean([f["designer_return"] for f in finals])),
                            mean_collective_return=float(np.mean([f["collective_return"] for f in finals])),
                            settings=dict(settings, n=n, m=m))
    for key, axis in (("MetaGrad ER(2,1)", axes[0, 0]), ("MetaGrad ER(5,2)", axes[0, 1]),
                      ("MetaGrad ER(10,5)", axes[0, 2]), ("dual-RL ER(5,2)", axes[1, 0])):
        axis.axhline(THESIS.get(key, 26.0), color="k", ls=":", label="thesis")
        axis.set_title(f"{key} (sampled)", fontsize=9)
    axes[1, 1].set_title("MetaGrad ER(2,1): incentive per episode (Fig. 6.1d)", fontsize=9)
    axes[1, 2].set_title("ER(2,1): AMD vs MetaGrad, 6k episodes (Fig. C.1)", fontsize=9)
    for axis in axes.ravel():
        axis.set_xlabel("episodes")
        axis.legend(fontsize=6)
    axes[0, 0].set_ylabel("designer reward")
    axes[1, 0].set_ylabel("designer reward")
    png = save_figure(fig, os.path.join(out_dir, "ch6_sampled_designer.png"))
    summary = os.path.join(out_dir, "ch6_sampled_designer.csv")
    with open(summary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case", "seed", "iterations", "designer_return", "collective_return", "incentives_paid"])
        writer.writerows(rows)
    numbers["files"] = dict(png=png, summary_csv=summary)
    return numbers


#: Recorded from a full run (module docstring): mean designer reward / collective return over the seeds, and the
#: run time of each case on the shared 2-core machine.
FULL_SCALE = {"MetaGrad ER(2,1)": 6.706, "MetaGrad ER(5,2)": 22.195, "MetaGrad ER(10,5)": 11.166,
              "ER(5,2) collective": 26.926, "ER(10,5) collective": 19.351,
              "dual-RL (d) ER(5,2)": -2.335, "dual-RL (c) ER(5,2)": -1.786, "C.1 MetaGrad ahead": True}


def account(numbers: dict, quick: bool) -> list[Row]:
    """The thesis's ch. 6 numbers beside the sampled runs (budget dependent)."""
    def mean(key, field="mean_designer_return"):
        return numbers[key][field] if key in numbers else None

    def full(key):
        return FULL_SCALE.get(key)

    def ahead(key_a, key_b):
        if key_a not in numbers or key_b not in numbers:
            return None
        return bool(numbers[key_a]["mean_designer_return"] > numbers[key_b]["mean_designer_return"])

    return [
        Row("MetaGrad ER(2,1), sampled: designer reward, mean over seeds (thesis: 8 - eps)", 8.0,
            mean("MetaGrad ER(2,1)"), full("MetaGrad ER(2,1)")),
        Row("MetaGrad ER(5,2), sampled: designer reward, mean over seeds (thesis: about 26)", 26.0,
            mean("MetaGrad ER(5,2)"), full("MetaGrad ER(5,2)")),
        Row("MetaGrad ER(10,5), sampled: designer reward, mean over seeds (thesis: about 40)", 40.0,
            mean("MetaGrad ER(10,5)"), full("MetaGrad ER(10,5)")),
        Row("MetaGrad ER(5,2), sampled: collective return, mean over seeds (optimum 28)", 28.0,
            mean("MetaGrad ER(5,2)", "mean_collective_return"), full("ER(5,2) collective")),
        Row("MetaGrad ER(10,5), sampled: collective return, mean over seeds (optimum 45)", 45.0,
            mean("MetaGrad ER(10,5)", "mean_collective_return"), full("ER(10,5) collective")),
        Row("dual-RL (d) ER(5,2): designer reward, mean over seeds (thesis: does not solve ER, below 26)", "< 20",
            mean("dual-RL (d) ER(5,2)"), full("dual-RL (d) ER(5,2)")),
        Row("dual-RL (c) ER(5,2): designer reward, mean over seeds (thesis: does not solve ER, below 26)", "< 20",
            mean("dual-RL (c) ER(5,2)"), full("dual-RL (c) ER(5,2)")),
        Row("Fig. C.1, ER(2,1) at 6k episodes: MetaGrad ahead of AMD (thesis: AMD learns slower)", True,
            ahead("MetaGrad ER(2,1), 6k episodes", "AMD ER(2,1)"), full("C.1 MetaGrad ahead")),
    ]  # fmt: skip


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="one seed, a few hundred iterations per case (~1 minute)")


if __name__ == "__main__":
    main()
