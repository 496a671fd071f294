"""Reproduce the Escape Room results of Yang (2021, ch. 6, Fig. 6.1) with an exact meta-gradient designer.

The thesis: a central incentive designer (MetaGrad, Algorithm 3) pays policy-gradient agents
bounded incentives in (0, 2) and maximises the sum of their rewards minus the incentives it
pays; it "converged to the known global optimum" 10(n - m) - m - m(1 + eps), "approximately 26
in ER(5, 2) and 40 in ER(10, 5)", and in ER(2, 1) (Fig. 6.1d) "the cooperator consistently
receives incentives of 1 + eps ... whereas the winner receives zero incentives asymptotically".

What this script runs: Algorithm 3 with M = 1 and exact gradients
(``stackelberg.solvers.metagrad``): a tabular designer eta[s, a, b] that sees the state and
the joint action and pays R_max sigma(eta) for each agent's action (R_max = 2, the thesis's
bound); agents take exact policy-gradient steps with alpha = 0.1, gamma = 0.99 and exploration
lower bound 0.1; the designer ascends the exact Eq. 6.4 with Adam (learning rate 0.1) and a
separate Adam on the incentive cost psi (sum of incentives) with learning rate ``cost * 0.1``,
cost = 0.1 in ER(2,1) and the thesis's ratio alpha_cost / alpha_ID = 6.03e-5 / 7.93e-4 = 0.076
in ER(5,2); eta starts at 0 (incentive R_max / 2 everywhere, a fresh sigmoid output). Initial
logits N(0, 0.5^2), seeds 0-3 (ER(2,1)), 0 (ER(5,2)). ER(2,1): 1500 iterations (--quick: 2
seeds, 800); ER(5,2): 1500 iterations with R_max = 2 and, as a diagnostic, R_max = 4 (full
run only; the full run takes about 5 minutes). ER(10,5) is out of reach of exact dynamics over
the joint state: 3^10 + 1 states times 3^10 joint actions is 3.5e9 entries per array
(benchmarks/bench_lio.py: one exact update takes 15 s at N = 7 and grows ~20x per agent).

Numbers are exact expected undiscounted returns of the learned policies; the designer's reward
is the collective return minus the expected incentives paid (the thesis's test-time measure).

Our numbers (full run). ER(2,1), four initial points: collective return 7.91, 7.89, 8.92, 7.90
(optimum 9; the 7.9 runs are a two-step division of labour), designer reward 6.24, 5.83, 6.93,
6.63 (thesis optimum 10 - 1 - (1 + eps) = 8 - eps): the cooperator is paid 1.2-2.0 for the
lever, but unlike Fig. 6.1d the winner is still paid 0.2-1.6 after 1500 iterations (the
separate cost optimiser at 0.1 x the learning rate removes it slowly).

ER(5,2): NOT reproduced with the thesis's bound R_max = 2: designer reward -13.02 at the end
(best 2.83, early), collective return -3.25, incentives paid 9.77 per episode (thesis: about 26;
optimum 26 - 2 eps; collective optimum 28). Why, with evidence:

1. At the start, under near-uniform play, going to the door is worth about
   0.41 x 10 - 0.59 = 3.5 to an agent (the door opens when 2 of the 4 others pull), while the
   lever is worth at most -1 + R_max = 1: no incentive in (0, 2) can stop the agents' first
   gradients from pointing at the door (incentives are positive, so the door cannot be taxed).
2. Once one agent pulls and four go to the door, a door-goer that switches to the lever earns
   at most -1 + 2 = +1 and ends the episode, while waiting at the door earns +10 whenever one of
   the three other door-goers pulls in the remaining 4 steps. ``free_riding_check`` measures
   it: with the others fixed (start-state probability 0.965 on their action) and the designer
   paying ~2 for the lever in every state and joint action, the door-goer's exact policy
   gradient still *lowers* its lever probability (-4.1e-5 per step at exploration 0,
   -1.6e-4 at 0.1). Every Adam run we tried ends with one agent at the lever and (almost)
   all others at the door, start-state probabilities 0.73-0.99, the designer still paying
   9-14 per episode to no effect.
3. With R_max = 4 (diagnostic, not the thesis's setting) the same run does find two pullers:
   collective return 24.16 (agent 1 pulls at step 1, agent 0 waits at the start and pulls at
   step 2, the other three exit; optimum 28), designer reward 11.72 (it still pays 12.4 per
   episode: the cost optimiser at 0.076 x the learning rate is slow). A door-goer is not
   recruited even then (``free_riding_check`` at R_max = 4: -7.9e-5 per step); what the larger
   bound changes is the early phase, where the lever can be made worth up to +3 against the
   door's ~3.5, so a second agent is kept off the door before the policies saturate.

So the bound R_max = 2 (enough in ER(2,1), where nobody else can pull) cannot buy the second
puller in our exact tabular setting: too little early, and too late once the others free-ride. The thesis's agents
differ (neural policies with an entropy bonus c = 0.0166, learning rate 1e-4 over thousands of
sampled episodes, networks that generalise across states and joint actions); which of these
lets it reach ~26 with R_max = 2 we could not establish. Other settings tried with R_max = 2
(seed 0): policy rate 1.0, 0.03, 0.02, 0.01 (designer reward -19, -13, -12, -11 at the end; the
slow agents peak at 4.5 first), eta starting at -3 (-11.5): none recruits the second puller;
plain gradient ascent or a single Adam on the weighted objective: the agents settle at the
start or the door and the designer stops paying (-0.35, -4.75).
"""

from __future__ import annotations

import argparse
import csv
import os


import numpy as np

from stackelberg.games.escape_room import DOOR, LEVER, escape_room
from stackelberg.solvers.metagrad import designer_incentives, incentive_trajectory, initial_logits, pg_step, softmax_policies

DESIGNER = dict(gamma=0.99, beta=0.1, exploration=0.1)
CASES = [  # (key, (n, m), settings); seeds and iterations of the full run
    ("ER(2,1)", (2, 1), dict(alpha=0.1, cost=0.1, r_max=2.0, n_steps=1500, quick_steps=800, seeds=4)),
    ("ER(5,2)", (5, 2), dict(alpha=0.1, cost=0.076, r_max=2.0, n_steps=1500, seeds=1)),
    ("ER(5,2), R_max = 4", (5, 2), dict(alpha=0.1, cost=0.076, r_max=4.0, n_steps=1500, seeds=1)),
]
THESIS = {(2, 1): "8 - eps (cooperator paid 1 + eps, winner 0; Fig. 6.1d)", (5, 2): "about 26 (Fig. 6.1a)"}


def optimum(n: int, m: int, eps: float = 0.0) -> float:
    """The designer's global optimum 10(n - m) - m - m(1 + eps) (ch. 6)."""
    return 10 * (n - m) - m - m * (1 + eps)


def free_riding_check(exploration: float = 0.1, r_max: float = 2.0) -> dict:
    """Why a second lever puller cannot be bought in ER(5,2) with incentives below ``r_max`` = 2.

    Agent 1 pulls the lever and agents 0, 2, 3, 4 go to the door (start-state logit 4 on their
    action: probability 0.965); the designer pays (almost) ``r_max`` for the lever in every state
    and joint action and 2 sigma(-3) = 0.095 for anything else. Returns the change of door-goer
    0's start-state lever probability after one exact policy-gradient step (alpha = 0.1): negative
    means that waiting at the door for another door-goer to pull is worth more to it than pulling
    for the maximal incentive.
    """
    game = escape_room(5, 2)
    logits = []
    for k in range(5):
        x = np.zeros((game.n_states, 3))
        x[:, LEVER if k == 1 else DOOR] = 4.0
        logits.append(x)
    eta = np.full((game.n_states, game.n_joint_actions, 3), -3.0)
    eta[:, :, LEVER] = 12.0
    paid = designer_incentives(game, eta, r_max=r_max)
    new = pg_step(game, logits, paid, alpha=0.1, exploration=exploration)
    before, after = softmax_policies(logits)[0][0, LEVER], softmax_policies(new)[0][0, LEVER]
    return dict(exploration=exploration, r_max=r_max, lever_probability=float(before), change_per_step=float(after - before))


def run(out_dir, quick: bool = False) -> dict:
    """Run the designer in ER(2,1) (and ER(5,2)); write PNG + CSV into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    cases = CASES[:1] if quick else CASES
    numbers, rows = {}, []
    fig, axes = plt.subplots(1, len(cases) + 1, figsize=(5.2 * (len(cases) + 1), 3.8))
    for column, (key, (n, m), case) in enumerate(cases):
        game = escape_room(n, m)
        seeds = range(2) if quick else range(case["seeds"])
        n_steps = case["quick_steps"] if quick else case["n_steps"]
        settings = dict(DESIGNER, alpha=case["alpha"], cost=case["cost"], r_max=case["r_max"])
        finals = []
        for seed in seeds:
            result = incentive_trajectory(
                game, "designer", n_steps=n_steps, logits0=initial_logits(game, scale=0.5, seed=seed),
                record_every=max(1, n_steps // 60), **settings,
            )  # fmt: skip
            axes[column].plot(result.steps, result.designer_return, color="tab:blue", alpha=0.7,
                              label="designer reward" if seed == 0 else None)
            axes[column].plot(result.steps, result.collective_return, color="tab:green", alpha=0.5, ls="--",
                              label="collective return" if seed == 0 else None)
            cooperators = result.returns[-1] < 0  # pays the lever's -1; winners collect the door's +10
            finals.append(dict(
                seed=seed,
                designer_return=float(result.designer_return[-1]),
                best_designer_return=float(result.designer_return.max()),
                collective_return=float(result.collective_return[-1]),
                incentives_paid=float(result.incentive_cost[-1]),
                cooperators=int(cooperators.sum()),
                start_policy=np.round(result.start_policy[-1], 2).tolist(),
                cooperator_lever_incentive=float(result.incentive_received[-1][cooperators, LEVER].mean()) if cooperators.any() else None,
                winner_incentive=float(result.incentive_received[-1][~cooperators].max()) if (~cooperators).any() else None,
            ))  # fmt: skip
            rows.append([key, seed, finals[-1]["designer_return"], finals[-1]["collective_return"],
                         finals[-1]["incentives_paid"], optimum(n, m), 10 * (n - m) - m])
            if (n, m) == (2, 1) and seed == 0:
                for k in range(n):
                    role = "cooperator" if cooperators[k] else "winner"
                    for b, label in enumerate(game.action_names[0]):
                        axes[-1].plot(result.steps, result.incentive_received[:, k, b], label=f"A{k + 1} ({role}): {label}")
        axes[column].axhline(optimum(n, m), color="k", ls=":", label=f"optimum {optimum(n, m):g} (+eps)")
        axes[column].set_title(f"{key}: exact MetaGrad designer")
        axes[column].set_xlabel("iteration")
        axes[column].legend(fontsize=7)
        numbers[key] = dict(
            runs=finals, thesis_optimum=optimum(n, m), thesis_reported=THESIS[n, m],
            settings=dict(settings, n_steps=n_steps, seeds=list(seeds)),
        )  # fmt: skip
    axes[-1].set_title("ER(2,1): incentive received per action (Fig. 6.1d)")
    axes[-1].set_xlabel("iteration")
    axes[-1].legend(fontsize=6)
    fig.tight_layout()
    png = os.path.join(out_dir, "ch6_designer_escape_room.png")
    fig.savefig(png, dpi=120)
    plt.close(fig)
    summary = os.path.join(out_dir, "summary.csv")
    with open(summary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["game", "seed", "designer_return", "collective_return", "incentives_paid",
                         "thesis_designer_optimum_eps0", "collective_optimum"])
        writer.writerows(rows)
    numbers["free_riding_check"] = [free_riding_check(eps, r) for eps, r in ((0.0, 2.0), (0.1, 2.0), (0.1, 4.0))]
    numbers["ER(10,5)"] = dict(thesis_reported="about 40", ours="not run: 3^10 + 1 states x 3^10 joint actions")
    numbers["parameters"] = dict(DESIGNER, cases={key: case for key, _, case in CASES})
    numbers["files"] = dict(png=png, summary_csv=summary)
    return numbers


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="figures/out/ch6_designer_escape_room", help="output directory")
    parser.add_argument("--quick", action="store_true", help="ER(2,1) only, 2 initial points, 800 iterations")
    args = parser.parse_args(argv)
    numbers = run(args.out, quick=args.quick)
    for key, value in numbers.items():
        if key.startswith("ER(") and "runs" in value:
            for r in value["runs"]:
                print(f"{key} seed {r['seed']}: designer {r['designer_return']:.2f} (best {r['best_designer_return']:.2f}), "
                      f"collective {r['collective_return']:.2f}, "
                      f"paid {r['incentives_paid']:.2f}, cooperator lever incentive {r['cooperator_lever_incentive']}, "
                      f"winner incentive {r['winner_incentive']} (thesis optimum {value['thesis_optimum']:g})")
    print("free-riding check:", numbers["free_riding_check"])
    print("wrote", ", ".join(numbers["files"].values()))
    return numbers


if __name__ == "__main__":
    main()
