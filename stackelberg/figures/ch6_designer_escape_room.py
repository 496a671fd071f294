"""Reproduce the Escape Room results of Yang (2021, ch. 6, Fig. 6.1) with an exact meta-gradient designer.

The thesis: a central incentive designer (MetaGrad, Algorithm 3) pays policy-gradient agents
bounded incentives in (0, 2) and maximises the sum of their rewards minus the incentives it
pays; it "converged to the known global optimum" 10(n - m) - m - m(1 + eps), "approximately 26
in ER(5, 2) and 40 in ER(10, 5)", and in ER(2, 1) (Fig. 6.1d) "the cooperator consistently
receives incentives of 1 + eps ... whereas the winner receives zero incentives asymptotically".

What this script runs: Algorithm 3 with M = 1 and exact gradients
(``stackelberg.solvers.incentives.metagrad``): a tabular designer eta[s, a, b] that sees the state and
the joint action and pays R_max sigma(eta) for each agent's action (R_max = 2, the thesis's
bound); agents take exact policy-gradient steps with alpha = 0.1, gamma = 0.99; the designer
ascends the exact Eq. 6.4 with Adam (learning rate 0.1) and a separate Adam on the incentive
cost psi (sum of incentives) with learning rate ``cost * 0.1``, cost = 0.1 in ER(2,1) and the
thesis's ratio alpha_cost / alpha_ID = 6.03e-5 / 7.93e-4 = 0.076 in ER(5,2); eta starts at 0
(incentive R_max / 2 everywhere, a fresh sigmoid output). Initial logits N(0, 0.5^2). Two agent
settings: "eps 0.1" (the exploration lower bound 0.1 of ch. 5, no entropy bonus) and "eps 0,
c 0.0166" (what the thesis's public code uses for MetaGrad in ER(5,2), config_er_pg.py of
github.com/011235813/metagradient-incentive-design: no exploration floor, entropy coefficient
0.0166 of Table C.1, the bonus being the undiscounted sum over the episode's steps of the
policy's entropy, differentiated at the visited states). Runs: ER(2,1) both settings, seeds 0-3,
1500 iterations, and the thesis code's designer (below: its cost, its Adam as it acts on sampled gradients), seeds
0-3, 6000 iterations (--quick: eps 0.1 only, 2 seeds, 800 iterations, ~20 s); ER(5,2) eps 0.1, seed 0,
1500 iterations; ER(5,2) eps 0 c 0.0166, seeds 0-1, 3000 iterations (the full run takes about
10 minutes). ER(10,5) is out of reach of exact dynamics over the joint state: 3^10 + 1 states
times 3^10 joint actions is 3.5e9 entries per array (benchmarks/bench_lio.py: one exact update
takes 15 s at N = 7 and grows ~20x per agent).

Numbers are exact expected undiscounted returns of the learned policies; the designer's reward
is the collective return minus the expected incentives paid (the thesis's test-time measure).

Our numbers (full run). ER(2,1), eps 0.1: collective return 7.91, 7.89, 8.92, 7.90 (optimum 9;
the 7.9 runs are a two-step division of labour), designer reward 6.24, 5.83, 6.93, 6.63 (thesis
optimum 10 - 1 - (1 + eps) = 8 - eps): the cooperator is paid 1.2-2.0 per episode for the lever, the
winner 0.01-0.09 per episode (see below for why the cooperator's payment stays high). ER(2,1), eps 0 c 0.0166: collective 7.93, 7.94, 8.98,
8.92, designer 6.00, 7.49, 8.86, 7.56; without the floor the designer can stop paying a
cooperator whose policy has saturated (lever incentive 0.29 and 0.11 in seeds 1 and 2), the
thesis's own remark (ch. 5) that incentives are maintained only under an exploration floor.

ER(2,1) against Fig. 6.1d, with the thesis's code read closely (``incentive_designer.py``, ``pg_agent_m1.py``,
``train_er.py``, ``evaluate.py``, ``config_er_pg.py`` of the repository above):

* **The Winner is paid nothing, as in Fig. 6.1d, once measured as the code measures it.** The code logs, per
  agent and action, the incentive received per test episode summed over the steps where the agent *took* that
  action (``r-lever``, ``r-start``, ``r-door``). The "winner still paid 0.2-1.7" of an earlier version of this
  script was our other measure, the incentive an agent would receive *per visit when taking* an action, maximised
  over the actions (so mostly the lever the Winner never takes). Per episode (``IncentiveRun.incentive_per_episode``)
  the Winner gets 0.026, 0.087, 0.013, 0.039 (eps 0.1, 1500 iterations) and 0.035, 0.142, 0.005, 0.015 (eps 0,
  c 0.0166).
* **The Cooperator is paid 1 + eps only with the code's optimisers acting on sampled gradients.** On exact
  gradients the Cooperator is paid 1.23-1.98 per episode (eps 0.1) and 0.12-1.89 (eps 0, c 0.0166; 0.12 and 0.30
  where its tabular policy saturated and the designer could stop paying). The cause, measured
  (:func:`adam_noise_check`, at the end of seed 3 of each exact case): for the parameter that pays the Cooperator
  the most, the one-episode estimate of the meta-gradient has signal-to-noise ratio 0.0005 (eps 0.1) and 0.073
  (eps 0, c 0.0166), the cost gradient's 6.4 and 6.8. Adam steps by about ``lr * mean / sqrt(mean^2 + var)``: on
  the code's single sampled episodes the meta-gradient moves the payment by at most 0.073 x 7.93e-4 = 5.8e-5 per
  episode, less than the cost's full 6.03e-5, so the payment decays until the Cooperator starts to waver, i.e. to
  1 + eps; on exact gradients the meta-gradient keeps its sign, Adam moves it at the full rate (13 times the
  cost's) and the payment stays high. This is the ingredient the exact setting lacks: sampling noise inside Adam.
  The case "thesis code's cost, noisy-Adam designer" puts it back deterministically: the code's psi
  (``cost_on="sigmoid"``: every output's sigmoid before the factor 2, half of what is paid; with a separate Adam it
  changes nothing but the unpaid outputs) and ``incentive_optimizer="sgd+adam-cost"`` (a plain step on the
  meta-gradient, as Adam takes on noise-dominated gradients, rate 3; Adam at 0.0076 on the cost), eps 0,
  c 0.0166, 6000 iterations, seeds 0-3: Cooperator paid 1.034, 1.035, 1.022, 1.033 per episode (thesis 1 + eps),
  Winner 0.0022, 0.0018, 0.0013, 0.0020 (thesis 0), designer reward 6.76, 6.76, 6.77, 6.76, collective 7.80 in
  every seed.
* **What still differs: the collective return 7.8, not 9** (designer 6.76 against 8 - eps). In all four runs the
  Winner walks to the door at step 0 (-1) while the Cooperator stays at start (probability 1.00), and pulls at
  step 1 with probability 0.64 (paid 1 + eps it is nearly indifferent between pulling now and waiting, and
  waiting costs only the discount 0.99): 9 - 1 - delays = 7.8. Reaching 9 needs the Cooperator to pull at step 0
  from a start-state lever probability of 0.001; through a saturated tabular softmax the meta-gradient of that
  payment is proportional to p(1 - p), so the plain (noise-Adam) step cannot recruit it. A larger meta step
  (rate 30 instead of 3, seeds 0-3, 6000 iterations) reaches collective 7.95, 8.87, 8.99, 8.89 and designer 6.70,
  8.56, 8.99, 8.26, but then the Cooperator's policy saturates and the designer stops paying it (0.31, 0.001,
  0.63 per episode): the tabular policy holds the lever without incentives, which the thesis's networks, updated
  on every episode's states at once, do not. Not isolated further (the neural version is the neural issue's).

ER(5,2): NOT reproduced (thesis: designer reward about 26; optimum 26 - 2 eps; collective
optimum 28), but with the thesis code's agent settings the designer does recruit the second
lever puller:

* eps 0.1 (seed 0): designer reward -13.02 at 1500 iterations (best 2.83, early), collective
  -3.25, incentives 9.77 per episode: one agent pulls, the other four wait at the door.
* eps 0, c 0.0166 (seeds 0, 1), 3000 iterations: designer reward 12.46 and 16.96, collective
  23.91 and 24.89, incentives 11.45 and 7.93 per episode (at 1500 iterations: 10.20 and 14.26,
  collective 23.64 and 24.79; seeds 2 and 3, run separately with the same settings: designer
  10.56 and 9.79, collective 22.68 and 24.49 at 1500 iterations). The agents settle in a two-step division of labour: three walk
  to the door at step 1 (-1 each) while one pulls, the second puller joins at step 2, then the
  three exit: collective 25, not the one-step 28. The designer reward is still rising (payments
  fall by ~0.2-0.25 per 100 iterations, the cost optimiser at 0.076 x the learning rate
  removing incentives nobody needs), but this division of labour caps it at about
  25 - 2(1 + eps) = 23, below the thesis's 26.

What we tried, with evidence (ER(5,2), seed 0 unless stated, 1500 iterations):

1. Entropy bonus alone (c = 0.0166, floor 0.1): designer -12.98, collective -3.21 (vs -13.02):
   no effect. At c = 0.0166 the bonus only matters where two actions' values differ by less
   than ~0.1 (it keeps a probability near exp(-dQ / c)); it does not change the incentives'
   effect on the agents' step, so Eq. 6.4 keeps its form (tested).
2. No exploration floor (as the thesis's code), without entropy: designer 11.75, collective
   22.12, paid 10.38 -- the change that matters. A plausible mechanism (not isolated further):
   with the floor 0.1 each of the other door-goers pulls with probability at least 1/30 per
   step, so next to the one puller the door opens without an agent's help with probability
   ~0.1 per step, and waiting at the door is worth about 10 x 0.33 = 3.3 over four steps against
   the lever's at most -1 + 2 = 1 ("free riding", below); without the floor that chance
   vanishes as the door-goers' policies saturate.
3. The thesis's learning-rate ratio alpha_theta / alpha_ID = 9.56e-5 / 7.93e-4 = 0.12
   (alpha 0.1, Adam rate 0.8, cost rate 0.076 x 0.8, eps 0, c 0.0166): designer -14.9,
   collective 17.98, paid 32.9: the fast designer pays R_max almost everywhere before the
   agents settle. The ratio does not transfer: the thesis's agents take plain SGD steps on
   network weights (the logits move by the learning rate times the network's tangent kernel),
   its designer Adam steps on network weights.
4. Checked against the thesis's public code, no change needed: the designer sees the global
   state (one-hot positions) and the joint action (one-hot) and outputs one sigmoid per action,
   "the incentive for action i taken by any agent" (ours: eta[s, a, b]); gamma = 0.99; Adam for
   the designer, plain gradient steps for the agents. Differences we did not implement: the
   code's psi is the sum of the 3 unscaled sigmoid outputs at each visited (s, a), gamma^t
   discounted, including outputs of actions nobody took; ours is the sum of the incentives the
   agents receive. With a tabular eta and per-parameter Adam on the separate cost optimiser,
   each parameter's cost gradient differs between the two only by the constant factor
   (agents taking that action) x R_max, to which Adam is invariant, and the outputs nobody
   receives affect nothing. The code's agents weight the return-to-go G_t without gamma^t
   (at H = 5 the weights differ by at most 4%), learn from one sampled episode per update over
   1e5 episodes (pipelined: the validation episode is the next training episode), and use
   networks that generalise across states and joint actions; we use exact expectations.

5. The ER(2,1) ingredients (the code's cost ``cost_on="sigmoid"``, the noise-Adam designer
   ``incentive_optimizer="sgd+adam-cost"`` with the cost Adam at 0.0076, eps 0, c 0.0166), seed 0, 2000
   iterations, plain meta step at rate 3, 30, 100: designer reward at the end -0.18, -0.17, -1.25, collective
   -0.14, -0.09, -1.13, nobody escapes (each agent paid < 0.03 per episode). In ER(5,2) the plain step on the
   exact meta-gradient cannot recruit two pullers before the cost removes the incentives; only Adam's
   per-parameter normalisation (the exact "adam" runs above, 12.46 and 16.96) does. So the ingredient that gives
   Fig. 6.1d's 1 + eps in ER(2,1) does not close the ER(5,2) gap in the tabular exact setting; what remains is the
   thesis's own setting (sampled episodes, networks), the neural issue's.

**Which ingredient the exact tabular setting lacks, measured** (ER(2,1), seeds 0-3; the sampled runs are
``stackelberg.figures.ch6_sampled_designer``, :func:`stackelberg.solvers.incentives.sampled_designer_trajectory`,
16 episodes per iteration, 2000 iterations, agents' rate 0.3, designer Adam 0.03, cost Adam 1e-3, entropy 0.0166):

| run | episodes | agents | designer (incentive function) | collective return | paid at the end |
|---|---|---|---|---|---|
| exact, eps 0, c 0.0166 (above) | exact | tabular | table eta[s, a, b] | 7.93, 7.94, 8.98, 8.92 | 0.1-1.9 |
| ``incentive_trajectory(gradient="sampled")``, same settings | sampled | tabular | table | 7.84, 7.98, 7.00, 7.96 | 0.2-2.1 |
| sampled designer, ``designer_inputs="table"`` | sampled | tabular | table | -1.0, -0.98, -1.0, -1.0 | 3.3-6.5 |
| sampled designer, linear in state and each action | sampled | tabular | linear | -1.0, 9.00, 0.0, -1.0 | 0.3-0.5 |
| sampled designer, 16 hidden units | sampled | tabular | network | -1.0, 0.0, 8.99, 9.00 | 0.0-0.03 |
| sampled designer, 16 hidden units | sampled | linear on positions | network | 9.00, 8.98, 8.99, 0.00 | 0.0-0.09 |

Sampling alone changes nothing (rows 1-2); with the same sampled code and rates, a tabular incentive function
never solves the room and a network of the state and the joint action does (rows 3-5). The ingredient is the
thesis's function approximation of the *incentive function*: a payment for the lever learnt in any state or joint
action carries over to the start state at step 0, where the table must discover it cell by cell (the exact runs'
Cooperator, paid only where it already pulls, waits a step: collective 7.8). What no run of ours has, exact or
sampled, is the thesis's *persistent* 1 + eps: once the Cooperator's policy has saturated the cost optimiser removes
its incentive and the saturated softmax keeps pulling (sampled: 8.90-8.99 designer reward where it succeeds,
above 8 - eps), or the designer keeps paying the bound R_max = 2 where the sigmoid saturated (ER(5,2) sampled:
all eight seeds solved, collective 25.0-28.0, designer 18.9-24.0, mean 22.20, against about 26; the thesis code's
bound and cost change nothing). ER(10,5) (four of eight seeds escape, collective 40.0-45.0; the others are decided
in the first 10 iterations), the dual-RL designer (Fig. 6.1c) and AMD (Fig. C.1): see ``ch6_sampled_designer``.

``free_riding_check`` measures the door-goer's incentive: with one agent at the lever, four at
the door (start-state probability 0.965) and the designer paying ~2 for the lever in every
state and joint action, the door-goer's exact policy gradient still *lowers* its lever
probability (-4.1e-5 per step at exploration 0, -1.6e-4 at 0.1): once the others free-ride, the
bound R_max = 2 cannot buy a second puller, so the second puller must be recruited early,
before the policies saturate. An earlier version of this script ran R_max = 4 with the floor 0.1
as a diagnostic (collective 24.16, designer 11.72): the larger bound helps for the same reason.
Other settings tried earlier with the floor 0.1 and R_max = 2 (seed 0): policy rate 1.0, 0.03,
0.02, 0.01 (designer -19, -13, -12, -11), eta starting at -3 (-11.5), plain gradient ascent or a
single Adam on the weighted objective (-0.35, -4.75): none recruits the second puller.
"""

from __future__ import annotations

import csv
import os


import numpy as np

from stackelberg.figures._script import pyplot, save_figure, script_main
from stackelberg import escape_room
from stackelberg.figures._account import Row
from stackelberg.games.escape_room import DOOR, LEVER
from stackelberg.solvers.incentives import designer_incentives, incentive_trajectory, initial_logits, pg_step, softmax_policies

DESIGNER = dict(gamma=0.99, beta=0.1)
THESIS_AGENTS = dict(exploration=0.0, entropy=0.0166)  # the thesis's code for ER(5,2): no exploration floor, c = 0.0166
FLOOR_AGENTS = dict(exploration=0.1, entropy=0.0)  # the exploration lower bound of ch. 5, no entropy bonus
#: The thesis code's designer on exact gradients: its psi (sigmoids before the factor 2, every output), and the two
#: Adam optimisers as they act on its sampled gradients -- the meta-gradient noise-dominated (a plain step, rate 3),
#: the cost steady (Adam at 0.0076 = 3 x 0.00253, the code's ratio 6.03e-5 / 7.93e-4 = 0.076 of a 0.1 Adam rate).
CODE_DESIGNER = dict(THESIS_AGENTS, cost_on="sigmoid", incentive_optimizer="sgd+adam-cost", beta=3.0, cost=0.0076 / 3.0)
CASES = [  # (key, (n, m), settings); seeds and iterations of the full run
    ("ER(2,1)", (2, 1), dict(FLOOR_AGENTS, alpha=0.1, cost=0.1, r_max=2.0, n_steps=1500, quick_steps=800, seeds=4)),
    ("ER(2,1), eps 0, c 0.0166", (2, 1), dict(THESIS_AGENTS, alpha=0.1, cost=0.1, r_max=2.0, n_steps=1500, seeds=4)),
    ("ER(2,1), thesis code's cost, noisy-Adam designer", (2, 1), dict(CODE_DESIGNER, alpha=0.1, r_max=2.0, n_steps=6000,
                                                                       seeds=4)),
    ("ER(5,2), eps 0.1", (5, 2), dict(FLOOR_AGENTS, alpha=0.1, cost=0.076, r_max=2.0, n_steps=1500, seeds=1)),
    ("ER(5,2), eps 0, c 0.0166", (5, 2), dict(THESIS_AGENTS, alpha=0.1, cost=0.076, r_max=2.0, n_steps=3000, seeds=2)),
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


def adam_noise_check(logits, eta, *, n_draws: int = 4000, seed: int = 0, alpha: float = 0.1, entropy: float = 0.0166,
                     r_max: float = 2.0) -> dict:
    """Signal-to-noise ratio of one-episode estimates of the designer's two gradients at ``(logits, eta)`` in ER(2,1).

    The thesis's code updates the designer on one sampled episode per iteration, with one Adam on the meta-gradient
    and another on the cost. Adam's step is about ``lr * mean / sqrt(mean**2 + variance)``: the full rate where a
    gradient keeps its sign, ``lr * SNR`` where noise dominates. For the parameter that pays the cooperator the
    most, this draws ``n_draws`` one-episode estimates (the sampled estimator, batch 1) of both gradients and
    returns their means, standard deviations and ``|mean| / std``, beside the exact values.
    """
    from stackelberg.solvers.incentives import metagrad as mg

    game = escape_room(2, 1)
    engine = mg._Engine(game, 0.99, 0.0)
    payments = mg._Payments(engine, "designer", eta.shape, "sigmoid")
    policies = softmax_policies(logits)
    joint = engine.joint(list(policies))
    visits = engine.forward(joint).sum(axis=0) * engine.live
    received = np.stack(payments.received(eta, r_max))  # (N, S, A)
    paid = visits[None, :, None] * joint[None] * received
    k = int(np.argmax(paid.sum(axis=(1, 2)) * (np.asarray([p[0] for p in policies])[:, LEVER] + 1e-12)))  # cooperator
    own = engine.own_action(k)
    s, a = np.unravel_index(int(np.argmax(paid[k])), paid[k].shape)
    index = (s, a, own[a])
    exact_benefit, exact_penalty = mg._incentive_update(mg._ExactEstimator(engine, entropy), payments, logits, eta, alpha,
                                                        r_max)[1]
    sampled = mg._SampledEstimator(engine, np.random.default_rng(seed), 1, entropy)
    draws = np.array([[g[index] for g in mg._incentive_update(sampled, payments, logits, eta, alpha, r_max)[1]]
                      for _ in range(n_draws)])
    mean, std = draws.mean(axis=0), draws.std(axis=0)
    return dict(state=game.state_names[s], joint_action=game.action_names[0][own[a]], agent=k,
                exact_meta_gradient=float(exact_benefit[index]), exact_cost_gradient=float(exact_penalty[index]),
                sampled_mean=mean.round(6).tolist(), sampled_std=std.round(6).tolist(),
                snr_meta=float(abs(mean[0]) / std[0]), snr_cost=float(abs(mean[1]) / std[1]))


def run(out_dir, quick: bool = False) -> dict:
    """Run the designer in ER(2,1) (and ER(5,2)); write PNG + CSV into ``out_dir``."""
    plt = pyplot()

    os.makedirs(out_dir, exist_ok=True)
    cases = CASES[:1] if quick else CASES
    numbers, rows = {}, []
    fig, axes = plt.subplots(1, len(cases) + 1, figsize=(5.2 * (len(cases) + 1), 3.8), squeeze=False)
    axes = axes[0]
    for column, (key, (n, m), case) in enumerate(cases):
        game = escape_room(n, m)
        seeds = range(2) if quick else range(case["seeds"])
        n_steps = case["quick_steps"] if quick else case["n_steps"]
        settings = dict(DESIGNER, **{key: case[key] for key in ("alpha", "cost", "r_max", "exploration", "entropy")})
        settings.update({key: case[key] for key in ("beta", "cost_on", "incentive_optimizer") if key in case})
        finals = []
        last = {}
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
                # per episode, summed over the steps and the actions taken, as the thesis's code logs Fig. 6.1d
                cooperator_paid=float(result.incentive_per_episode[-1][cooperators].sum(axis=1).mean()) if cooperators.any() else None,
                winner_paid=float(result.incentive_per_episode[-1][~cooperators].sum(axis=1).mean()) if (~cooperators).any() else None,
            ))  # fmt: skip
            last = dict(logits=result.logits, eta=result.eta)
            rows.append([key, seed, finals[-1]["designer_return"], finals[-1]["collective_return"],
                         finals[-1]["incentives_paid"], optimum(n, m), 10 * (n - m) - m])
            if column == 0 and seed == 0:
                for k in range(n):
                    role = "cooperator" if cooperators[k] else "winner"
                    for b, label in enumerate(game.action_names[0]):
                        axes[-1].plot(result.steps, result.incentive_received[:, k, b], label=f"A{k + 1} ({role}): {label}")
        eps = case["exploration"]
        axes[column].axhline(optimum(n, m, eps), color="k", ls=":",
                             label=f"designer optimum {optimum(n, m):g} - {m if m > 1 else ''}eps = {optimum(n, m, eps):g}")
        axes[column].axhline(10 * (n - m) - m, color="tab:green", ls=":", lw=0.8,
                             label=f"collective optimum {10 * (n - m) - m:g}")
        axes[column].set_title(f"{key}: exact MetaGrad designer", fontsize=9)
        axes[column].set_xlabel("iteration")
        axes[column].set_ylabel("return per episode")
        axes[column].legend(fontsize=7, loc="lower right")
        numbers[key] = dict(
            runs=finals, thesis_optimum=optimum(n, m), thesis_reported=THESIS[n, m],
            settings=dict(settings, n_steps=n_steps, seeds=list(seeds)),
        )  # fmt: skip
        if (n, m) == (2, 1) and not quick and case.get("incentive_optimizer") != "sgd+adam-cost":
            numbers[key]["adam_noise_check"] = adam_noise_check(last["logits"], last["eta"], n_draws=2000)
    axes[-1].set_title("ER(2,1): incentive received per action (Fig. 6.1d)", fontsize=9)
    axes[-1].set_xlabel("iteration")
    axes[-1].set_ylabel("incentive received per step")
    axes[-1].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    png = save_figure(fig, os.path.join(out_dir, "ch6_designer_escape_room.png"))
    summary = os.path.join(out_dir, "summary.csv")
    with open(summary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["game", "seed", "designer_return", "collective_return", "incentives_paid",
                         "thesis_designer_optimum_eps0", "collective_optimum"])
        writer.writerows(rows)
    numbers["free_riding_check"] = [free_riding_check(eps, r) for eps, r in ((0.0, 2.0), (0.1, 2.0))]
    numbers["ER(10,5)"] = dict(thesis_reported="about 40", ours="exact: 3^10 + 1 states x 3^10 joint actions; "
                               "sampled: stackelberg.figures.ch6_sampled_designer")
    numbers["parameters"] = dict(DESIGNER, cases={key: case for key, _, case in CASES})
    numbers["files"] = dict(png=png, summary_csv=summary)
    return numbers


#: Recorded from a full run (the docstring's numbers), means over the seeds of each case.
FULL_SCALE = {"ER(2,1) designer": 6.4075, "ER(2,1) collective": 8.155, "ER(2,1) winner paid": 0.0412,
              "code designer": 6.763, "code collective": 7.796, "code cooperator paid": 1.031,
              "code winner paid": 0.0018, "ER(5,2) designer": 14.71, "ER(5,2) collective": 24.4}  # fmt: skip
EPS = 0.1  # the exploration lower bound of the "eps 0.1" agents, in the thesis's 8 - eps


def account(numbers: dict, quick: bool) -> list[Row]:
    """The thesis's ch. 6 numbers beside ours (learning runs: budget dependent)."""
    def mean(key, field):
        case = numbers.get(key)
        values = [] if case is None else [run[field] for run in case["runs"] if run[field] is not None]
        return float(np.mean(values)) if values else None

    thesis = "ER(5,2), eps 0, c 0.0166"
    code = "ER(2,1), thesis code's cost, noisy-Adam designer"
    return [
        Row(f"ER(2,1), eps {EPS:g}: designer reward, mean over seeds (thesis: optimum 8 - eps)", optimum(2, 1, EPS),
            mean("ER(2,1)", "designer_return"), FULL_SCALE["ER(2,1) designer"]),
        Row("ER(2,1): collective return, mean over seeds (optimum 9)", 9.0, mean("ER(2,1)", "collective_return"),
            FULL_SCALE["ER(2,1) collective"]),
        Row("ER(2,1): incentive paid to the winner per episode at the end, mean over seeds (thesis: zero)", 0.0,
            mean("ER(2,1)", "winner_paid"), FULL_SCALE["ER(2,1) winner paid"]),
        Row(f"{code}: designer reward, mean over seeds (thesis: 8 - eps)", optimum(2, 1),
            mean(code, "designer_return"), FULL_SCALE["code designer"]),
        Row(f"{code}: collective return, mean over seeds (optimum 9)", 9.0, mean(code, "collective_return"),
            FULL_SCALE["code collective"]),
        Row(f"{code}: incentive paid to the cooperator per episode (thesis: 1 + eps)", 1.0,
            mean(code, "cooperator_paid"), FULL_SCALE["code cooperator paid"]),
        Row(f"{code}: incentive paid to the winner per episode (thesis: zero)", 0.0, mean(code, "winner_paid"),
            FULL_SCALE["code winner paid"]),
        Row(f"{thesis}: designer reward, mean over seeds (thesis: about 26)", 26.0, mean(thesis, "designer_return"),
            FULL_SCALE["ER(5,2) designer"]),
        Row(f"{thesis}: collective return, mean over seeds (optimum 28)", 28.0, mean(thesis, "collective_return"),
            FULL_SCALE["ER(5,2) collective"]),
    ]  # fmt: skip


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="ER(2,1) with the floor 0.1 only, 2 initial points, 800 iterations")


if __name__ == "__main__":
    main()
