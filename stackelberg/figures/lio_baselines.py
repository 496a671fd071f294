"""LIO's baselines of Figs. 5.4-5.5 and App. B of Yang (2021) under their own names, exact dynamics.

What the thesis shows (Section 5.4, App. B.5; 20 runs per method):

* Fig. 5.4, IPD: LIO pairs reach mutual cooperation (-2 per round), LIO with PG ("LIO-asym") DC (near -3); "various
  baselines ... led to suboptimal solutions ... or failed to cooperate altogether" (the IPD paragraph itself is
  missing from our copy of the thesis: only its LIO-asym sentence survives, so no baseline number can be read off).
* Fig. 5.5, ER(2,1) and ER(3,2): LIO near the optimum (9 and 8); "fully-decentralized LIO-dec successfully solved
  both cases, albeit with slower learning speed"; PG "negative collective return"; "PG-d and PG-c sometimes
  successfully influence the learning of another agent to solve the game, but exhibit high variance"; "LOLA
  succeeds sometimes but with high variance".
* Fig. B.3, asymmetric Escape Room (:func:`~stackelberg.games.escape_room.asymmetric_escape_room`): LIO (A1) with a
  PG recipient (A2) "converges rapidly to a combined return near 9.0"; "both PG and PG-rewards could not escape the
  global minimum for A1"; "LOLA paired with a PG recipient found the cooperative solution in two out of 20 runs";
  A2's normalised reward (x 1/2) with LIO stays "above -0.5".
* Fig. B.4c: "LIO converges to the global optimum in ER(5,3)" (10 x 2 - 3 = 17).

What runs here (:func:`stackelberg.solvers.incentives.baseline_trajectory`, every learner exact and deterministic
given its start; starts are seeded N(0, 0.5^2) logits shared by all learners of a seed):

* IPD: the memory-1 IPD of the thesis (state = last joint action, 5-round episodes,
  :func:`~stackelberg.games.repeated.memory_one_game`), gamma 0.99, R_max 3, no incentive cost, epsilon 1.0 -> 0.01
  over 500 iterations (the authors' IPD schedule, 1.0 -> 0.01, shortened with the run), policy rate 0.1, incentive
  Adam rate 0.1; PG-d's reward value 2. Also the closed-form LOLA of the *memoryless* repeated PD
  (:func:`~stackelberg.solvers.incentives.lola_trajectory`).
* ER(2,1): policy rate 0.1, epsilon 0.1, LIO eta = 0 at the start; ER(3,2): policy rate 0.5, LIO eta = -3 (the
  settings of :mod:`stackelberg.figures.fig5_4_5_escape_room`); incentive Adam 0.1, cost Adam 0.01 (the thesis's
  1e-3/1e-4 ratio), R_max 2, R_a 2, LOLA's lookahead = the policy rate (the thesis's LOLA: "learning rate 0.1").
* ER(3,2) with the authors' configuration: epsilon from 0.5 down to 0.3 over 1000 iterations (Table B.4, LIO,
  N = 3) and down to 0.1 (``config_room_lio.py``, the README's ER(2,1) setting), separate cost Adam, 8 seeds.
* Asymmetric room: A1 gives (LIO, PG-d, PG-c, LOLA-d, LIO-dec), A2 is a plain PG learner; policy rate 0.1,
  epsilon 0.1.
* ER(5,3): LIO with the ER(3,2) settings (the exact engine holds it: 244 states, 243 joint actions, 0.3 s per
  iteration on the shared machine).
* The thesis's own setting, from sampled episodes (:func:`~stackelberg.solvers.incentives.sampled_lio_trajectory`,
  ``SAMPLED``): the authors' ``config_room_lio.py`` -- one episode per batch, epsilon 0.5 -> 0.1 over the first
  1000 iterations, entropy 0.01, incentive Adam 1e-3 and a separate cost Adam 1e-4 on the L1 cost of the sigmoid
  outputs (half of what is paid, as their code), R_max 2, gamma 0.99; each agent's incentive function a network
  of its observation (every agent's position) and the others' actions with 64 tanh units (theirs: 64/16 ReLU);
  linear softmax policies on the positions at plain-gradient rate 1e-3 (their 64/32 network at 1e-4; the
  module docstring of :mod:`~stackelberg.solvers.incentives.sampled_lio` shows why the rates are not
  transferable to a linear map one to one). LIO in ER(3,2) (8 seeds, 30,000 iterations = 60,000 episodes; the
  authors: 50,000 iterations) and ER(2,1) (20,000), LIO-dec (each giver fits Adam models of the others' policies
  to their actions, rate 1e-3, and differentiates through their fictitious update), and in the asymmetric room
  (8 seeds, 4000 iterations) LIO, the one-episode LIO of Fig. B.3d (importance-weighted, no second episode), a PG
  pair and the 2-TS baseline (:func:`~stackelberg.solvers.incentives.two_timescale_asymmetric`: A1 with PG-d's
  give action, fixed for epochs of 50 episodes of a tabular Q-learning A2 plus 10 test episodes whose mean A1
  return is A1's only reward; 400 epochs).

Our numbers (full budgets of ``run``; measured section by section on the shared machine, see ``SECONDS``):

* IPD (per round, 1000 iterations, seeds 0-2): LIO -2.00 on every seed, LIO-dec -2.00, LIO-asym -3.00 (DC) --
  as the thesis. PG -3.99, PG-d -4.00, PG-c -3.99, LOLA -3.99, LOLA-d -4.00 on every seed (DD). Why each baseline
  cannot cooperate here, measured: a give action is chosen before the recipient acts, so its reward does not
  depend on the recipient's action and cannot favour C over D, and the giver's own exact gradient sees only the
  cost, so giving decays (PG-d, PG-c). LOLA needs reciprocity, which five-round episodes barely reward: LOLA with
  lookahead 1 or 10 (rate 0.1) or lookahead 1 at rate 1 also ends at -3.99 to -4.00 (2 seeds, 800 iterations).
  Closed-form memoryless LOLA: -4 (in the PD the payoff is additively separable, A00 - A01 - A10 + A11 = 0, so
  LOLA's correction vanishes identically).
* ER(2,1) (2000 iterations, seeds 0-3): LIO 8.97, 8.87, 0.73, 7.94 (thesis: near 9; the 0.73 run stalls, the 7.94
  run found a two-step division of labour, as in :mod:`~stackelberg.figures.fig5_4_5_escape_room`); LIO-dec 8.98,
  8.89, 1.16, 7.96 (it differs from LIO only through the modelled recipient's extra exploration, so it tracks
  it; the thesis's slower LIO-dec comes from estimating the policies from sampled episodes). PG -1.93, PG-d
  -1.96, PG-c -1.93, LOLA-d -1.96 on every seed. With exact expected gradients a giver's gradient on its give
  action is only the cost (the benefit, the recipient's changed learning, reaches the giver only in later
  iterations and is not in its objective), so the give probability decays monotonically; the thesis's
  "sometimes" comes from sampling noise, which exact dynamics do not have. LOLA-d does see the benefit through
  its lookahead, but at lookahead 0.1 the correction is too small to matter; lookahead 5 lifted one of two seeds
  to 0.96 (1000 iterations; a one-step division of labour, still paying 0.3-0.4 per episode).
* Asymmetric room (1000 iterations, seeds 0-7): LIO 8.85, 8.89, 8.98, 8.96, 8.98, 8.98, 8.93, 8.84 (thesis: near
  9), LIO-dec 8.93-8.99, A2's total reward with LIO -0.92 to -0.95 (normalised -0.47, thesis: above -0.5); PG-d,
  PG-c, LOLA-d -4.82 to -4.87 on every seed (A1 penalised at every step, A2 stays: the thesis's "could not escape
  the global minimum for A1"; LOLA-d 0 of 8 where the thesis's LOLA found cooperation in 2 of 20). The PG pair
  -4.8 on 7 seeds and 3.67 on seed 4 (A2's start policy drifted to the lever before it learned not to move).
* ER(3,2) (2000 iterations, seeds 0-1): LIO 5.95, 7.98 (as in :mod:`~stackelberg.figures.fig5_4_5_escape_room`;
  thesis: near 8); LIO-dec 6.52, -2.39 (the second in the over-paying trap; the thesis: LIO-dec solves it, slower);
  PG -0.01 (everyone stays; thesis: negative), PG-c -0.01, PG-d and LOLA-d -2.00 on both seeds (none at 8; the
  same mechanism as in ER(2,1)). 135 s of CPU (1540 s wall on the shared machine).
* ER(3,2) share of runs reaching 8 (final collective return > 7.5, 8 seeds, 2000 iterations, policy rate 0.5,
  eta -3 at the start; measured with
  :func:`~stackelberg.solvers.incentives.incentive_trajectory`, whose LIO ``baseline_trajectory`` reproduces
  exactly): the authors' configuration with Table B.4's epsilon 0.5 -> 0.3: 0 of 8 (-2.80, -2.93, -2.92, -2.88,
  -2.82, -2.84, -2.76, -2.86); with 0.5 -> 0.1 (``config_room_lio.py``): 0 of 8 (-2.78 to -2.93); our constant
  0.1: 3 of 8 (the other five at 6, see :mod:`~stackelberg.figures.fig5_4_5_escape_room`). Other readings of the authors' rates tried with 0.5 -> 0.3 (policy rate 0.1
  with eta 0 or -3, rate 0.5 with eta 0, rate 1.0 with eta -3): 0, 0, 1, 1 of 8. The sampled version (REINFORCE,
  batch 16, 3000 iterations, 0.5 -> 0.3, rate 0.5, eta -3): -2.98, 6.71, 0.00, 6.89 on seeds 0-3, none at 8. So
  neither schedule brings the exact or the sampled tabular LIO to 8 in most runs: at epsilon 0.5 every agent
  spends half its steps exploring, the givers' exact meta-gradient rewards whatever keeps the others at the
  lever, and Adam moves every incentive parameter whose gradient keeps its sign by its full rate, so the three
  bid each other up (the over-paying trap: all three at the lever, paid by the other two, nobody exits, about
  -2.8) before anyone has learned to exit. The thesis's networks (incentives shared across states, the
  cumulative-incentive input) are not tabular; the sampled section below runs LIO with incentive networks.
* Asymmetric room from sampled episodes (seeds 0-7, 4000 iterations = 8000 episodes): LIO 8.89, 8.82, 8.86, 8.77,
  8.62, 8.87, 8.85, 8.78 (mean 8.81; thesis: "converges rapidly to a combined return near 9.0"), A1 finally paying
  0.02-0.11 per episode and A2's total -0.89 to -0.99 (normalised -0.45 to -0.50; thesis: "above -0.5").
  One-episode LIO 7.12-7.65 (mean 7.40) and it keeps paying 2.0-3.2 per episode (thesis, Fig. B.3d: "larger
  variance and lower performance", "gives more incentives than is necessary"). PG pair -3.72 to -0.52 (mean
  -2.73, still falling: A2 learns to stay, A1 pays -1 per step; thesis: A1 at its global minimum). 2-TS (24,000
  recipient episodes): -1.71, -3.44, -1.02, 6.39, -3.98, -3.23, 8.54, -3.80 over the last tenth of the epochs (mean
  -0.28; 2 of 8 runs learned to pay for the lever; thesis: "able to improve combined return but ... much more
  gradually than LIO").
* ER(3,2) from sampled episodes, the thesis's own setting (``SAMPLED``, seeds 0-7, 30,000 iterations): LIO
  -3.06, 7.87, -3.01, -2.97, 7.96, 7.92, -2.10, 7.82: 4 of 8 at 8 (mean 2.55; the exact tabular LIO with the same
  schedule: 0 of 8; thesis: mean of 20 runs near 8). Measured cause of the four failures: the separate cost Adam
  drives every incentive to zero (about 1e-7 paid per episode at the end) before the noisy one-episode
  meta-gradient has moved anyone to the lever; the agents then end as plain PG learners (one or two at the door,
  -2 to -3) -- the failure the thesis's own outlook names ("the cost driving the incentive function to zero before
  the effect of incentives ... is measurable"). Traced on seed 0: paid per episode 4.5 / 3.1 / 3.8 over iterations
  1-1000 (the epsilon-0.5 phase, where half of every agent's steps are random and no payment can produce an
  exit), 0.7 / 0.2 / 0.5 over 1000-2000, 0 from iteration 13,000, collective return -4.8 to -4.1 throughout
  training; the runs that succeed are those whose payments still stand when exploration ends. LIO-dec (seeds
  0-1): -3.06, -2.05 (the same collapse; thesis: solved, slower). ER(2,1), 20,000 iterations: LIO 8.74, 8.58,
  LIO-dec 8.94, 8.98 (seeds 0-1) -- near 9 as the thesis. Each ER(3,2) run: 40 s on an idle core (the lead's run,
  load 2-3), about 90 s with one other job, 350 s at load 13. Untested: the thesis's ReLU incentive networks,
  network policies and the cumulative-incentive input, any of which may delay the collapse.
* ER(5,3) (LIO, seed 0, ER(3,2)'s settings, 1000 iterations): 16.98 (thesis: the optimum 17): 15.68 after 50
  iterations, 16.82 after 150; agents 0 and 2 exit (9.99, 9.94), agents 1, 3, 4 pull (-0.98 to -0.99). 72 s of
  CPU (0.07 s per iteration; 700 s wall on the shared machine).
"""

from __future__ import annotations

import csv
import os
import time

import numpy as np

from stackelberg.figures._account import Row
from stackelberg.figures._script import pyplot, save_figure, script_main
from stackelberg.games import asymmetric_escape_room, escape_room, memory_one_game
from stackelberg.games.catalog import prisoners_dilemma
from stackelberg.solvers.incentives import (
    baseline_trajectory,
    initial_logits,
    lola_trajectory,
    sampled_lio_trajectory,
    two_timescale_asymmetric,
)

IPD = dict(gamma=0.99, alpha=0.1, beta=0.1, cost=0.0, r_max=3.0, give_reward=2.0, exploration=(1.0, 0.01, 500))
ROOM = dict(gamma=0.99, beta=0.1, cost=0.1, r_max=2.0, give_reward=2.0)
CASES = {(2, 1): dict(alpha=0.1, eta0=0.0, exploration=0.1), (3, 2): dict(alpha=0.5, eta0=-3.0, exploration=0.1)}
OPTIMUM = {(2, 1): 9.0, (3, 2): 8.0, (5, 3): 17.0, "asym": 9.0}
AUTHORS = {"0.5->0.3 (Table B.4)": (0.5, 0.3, 1000), "0.5->0.1 (config_room_lio.py)": (0.5, 0.1, 1000),
           "0.1 constant (tuned)": 0.1}
ER53_STEPS = 1000
#: The thesis's own setting from sampled episodes (:func:`~stackelberg.solvers.incentives.sampled_lio_trajectory`):
#: the authors' ``config_room_lio.py`` (one episode per batch, epsilon 0.5 -> 0.1 over 1000 episodes, entropy 0.01,
#: incentive Adam 1e-3, separate cost Adam 1e-4, cost on the sigmoid outputs, R_max 2, gamma 0.99); incentive
#: networks with one hidden layer of 64 tanh units (theirs: 64/16 ReLU); linear policies on the positions, whose
#: plain gradient step 1e-3 stands for their 64/32 network's 1e-4 (see the module docstring).
SAMPLED = dict(batch_size=1, alpha=1e-3, beta=1e-3, cost_beta=1e-4, exploration=(0.5, 0.1, 1000), entropy=0.01,
               hidden=64, cost_on="sigmoid", r_max=2.0, gamma=0.99)
SAMPLED_ITERATIONS = {(3, 2): 30000, (2, 1): 20000}
SAMPLED_ASYM_ITERATIONS = 4000
SAMPLED_EVAL = 1000
TWO_TS = dict(epoch_episodes=50, test_episodes=10, rate=0.5, q_rate=0.5, q_exploration=0.1)
TWO_TS_EPOCHS = 400
ROOM_LEARNERS = ("lio", "lio-dec", "pg", "pg-d", "pg-c", "lola-d")
IPD_LEARNERS = ("lio", "lio-asym", "lio-dec", "pg", "pg-d", "pg-c", "lola", "lola-d")
LABELS = {"lio": "LIO", "lio-asym": "LIO-asym", "lio-dec": "LIO-dec", "pg": "PG", "pg-d": "PG-d", "pg-c": "PG-c",
          "lola": "LOLA", "lola-d": "LOLA-d", "lio-1ep": "1-episode LIO", "2-ts": "2-TS"}


def _run(game, learner, seed, n_steps, record, **settings):
    givers = settings.pop("givers", None)
    if learner == "lio-asym":
        learner, givers = "lio", (0,)
    eta0 = settings.pop("eta0", None)
    return baseline_trajectory(game, learner, n_steps=n_steps, logits0=initial_logits(game, scale=0.5, seed=seed),
                               eta0=eta0 if learner in ("lio", "lio-dec") else None, givers=givers,
                               record_every=record, **settings)


def ipd_section(quick: bool) -> tuple:
    """Fig. 5.4: every learner in the memory-1 IPD; returns ``(numbers, csv rows, curves)``."""
    rows, curves = [], {}
    ipd = memory_one_game(prisoners_dilemma(), horizon=5)
    seeds, steps = (range(1), 300) if quick else (range(3), 1000)
    finals = {}
    for learner in IPD_LEARNERS:
        runs = [_run(ipd, learner, s, steps, 25, **IPD) for s in seeds]
        finals[learner] = [float(r.collective_return[-1]) / 5 for r in runs]
        curves["IPD", learner] = (runs[0].steps, np.mean([r.collective_return / 5 for r in runs], axis=0))
        rows += [["IPD (memory-1, 5 rounds)", LABELS[learner], s, f, -2.0] for s, f in zip(seeds, finals[learner])]
    memoryless = lola_trajectory(prisoners_dilemma(), (0.9, 0.9), n_steps=500, gamma=0.9, alpha=0.01, lookahead=0.01)
    numbers = dict(per_round=finals, memoryless_lola=float(memoryless.collective_reward[-1]),
                   settings=dict(IPD, n_steps=steps, seeds=list(seeds)))
    return numbers, rows, curves


def room_section(n: int, m: int, quick: bool) -> tuple:
    """Fig. 5.5: every learner in ER(n, m); returns ``(numbers, csv rows, curves)``."""
    rows, curves = [], {}
    case = CASES[(n, m)]
    game = escape_room(n, m)
    seeds = range(1) if quick else range(4 if n == 2 else 2)
    steps = 400 if quick else 2000
    finals = {}
    for learner in ROOM_LEARNERS:
        runs = [_run(game, learner, s, steps, 25, **ROOM, **case) for s in seeds]
        finals[learner] = [float(r.collective_return[-1]) for r in runs]
        curves[f"ER({n},{m})", learner] = (runs[0].steps, np.mean([r.collective_return for r in runs], axis=0))
        rows += [[f"ER({n},{m})", LABELS[learner], s, f, OPTIMUM[(n, m)]] for s, f in zip(seeds, finals[learner])]
    numbers = dict(
        final=finals, mean={k: float(np.mean(v)) for k, v in finals.items()},
        share_optimal={k: float(np.mean(np.array(v) > OPTIMUM[(n, m)] - 0.5)) for k, v in finals.items()},
        settings=dict(ROOM, **case, n_steps=steps, seeds=list(seeds)))
    return numbers, rows, curves


def asymmetric_section(quick: bool) -> tuple:
    """Fig. B.3: A1 gives (or not), A2 is a PG learner; returns ``(numbers, csv rows, curves)``."""
    rows, curves = [], {}
    asym = asymmetric_escape_room()
    seeds, steps = (range(2), 300) if quick else (range(8), 1000)
    finals, a2_total = {}, []
    for learner in ROOM_LEARNERS:
        runs = [_run(asym, learner, s, steps, 10, givers=(0,), alpha=0.1, exploration=0.1, **ROOM) for s in seeds]
        finals[learner] = [float(r.collective_return[-1]) for r in runs]
        if learner == "lio":
            a2_total = [float(r.total_returns[-1, 1]) for r in runs]
        curves["asym", learner] = (runs[0].steps, np.mean([r.collective_return for r in runs], axis=0))
        rows += [["asymmetric ER", LABELS[learner], s, f, 9.0] for s, f in zip(seeds, finals[learner])]
    numbers = dict(final=finals, mean={k: float(np.mean(v)) for k, v in finals.items()},
                   share_optimal={k: float(np.mean(np.array(v) > 8.5)) for k, v in finals.items()},
                   a2_total_with_lio=a2_total, settings=dict(ROOM, alpha=0.1, exploration=0.1, n_steps=steps))
    return numbers, rows, curves


def authors_section() -> tuple:
    """ER(3,2) LIO under the authors' epsilon schedules, 8 seeds; returns ``(numbers, csv rows, curves)``."""
    rows, shares = [], {}
    game = escape_room(3, 2)
    for name, schedule in AUTHORS.items():
        settings = dict(ROOM, **dict(CASES[(3, 2)], exploration=schedule))
        finals = [float(_run(game, "lio", s, 2000, 2000, **settings).collective_return[-1]) for s in range(8)]
        shares[name] = dict(final=finals, share=float(np.mean(np.array(finals) > 7.5)))
        rows += [["ER(3,2) authors' configuration", f"LIO, epsilon {name}", s, f, 8.0] for s, f in enumerate(finals)]
    return shares, rows, {}


def _sampled_runs(n, m, learner, seeds, n_iterations, record, **settings):
    return [sampled_lio_trajectory(n, m, learner=learner, n_iterations=n_iterations, seed=s, record_every=record,
                                   eval_episodes=SAMPLED_EVAL, **settings) for s in seeds]


def sampled_section(quick: bool) -> tuple:
    """The thesis's own setting, from sampled episodes: ER(3,2) and ER(2,1) LIO and LIO-dec, the asymmetric room's
    LIO, one-episode LIO, PG and 2-TS; returns ``(numbers, csv rows, curves)``."""
    rows, curves, numbers = [], {}, {}
    cases = [] if quick else [((3, 2), "lio", range(8)), ((3, 2), "lio-dec", range(2)), ((2, 1), "lio", range(2)),
                              ((2, 1), "lio-dec", range(2))]
    for (n, m), learner, seeds in cases:
        runs = _sampled_runs(n, m, learner, seeds, SAMPLED_ITERATIONS[(n, m)], SAMPLED_ITERATIONS[(n, m)] // 50,
                             **SAMPLED)
        finals = [r.final["collective_return"] for r in runs]
        key = f"ER({n},{m}) {learner}"
        numbers[key] = dict(final=finals, share=float(np.mean(np.array(finals) > OPTIMUM[(n, m)] - 0.5)),
                            mean=float(np.mean(finals)), given=[float(r.final["given"].sum()) for r in runs])
        curves[f"ER({n},{m}) sampled", learner] = (runs[0].steps, np.mean([r.collective_return for r in runs], 0))
        rows += [[f"ER({n},{m}) sampled (authors' configuration)", f"{LABELS[learner]} (sampled)", s, f,
                  OPTIMUM[(n, m)]] for s, f in zip(seeds, finals)]
    seeds, steps = (range(1), 1000) if quick else (range(8), SAMPLED_ASYM_ITERATIONS)
    for learner in ("lio", "lio-1ep", "pg"):
        runs = _sampled_runs(2, 1, learner, seeds, steps, steps // 50, asymmetric=True, **SAMPLED)
        finals = [r.final["collective_return"] for r in runs]
        numbers[f"asym {learner}"] = dict(final=finals, mean=float(np.mean(finals)),
                                          share=float(np.mean(np.array(finals) > 8.5)),
                                          a2_total=[float(r.final["returns"][1] + r.final["received"][1]) for r in runs],
                                          given=[float(r.final["given"][0]) for r in runs])
        curves["asym sampled", learner] = (runs[0].steps, np.mean([r.collective_return for r in runs], 0))
        rows += [["asymmetric ER sampled", f"{LABELS[learner]} (sampled)", s, f, 9.0] for s, f in zip(seeds, finals)]
    epochs = 60 if quick else TWO_TS_EPOCHS
    two_ts = [two_timescale_asymmetric(n_epochs=epochs, seed=s, **TWO_TS) for s in seeds]
    tail = max(1, epochs // 10)
    finals = [float(r.collective_return[-tail:].mean()) for r in two_ts]
    numbers["asym 2-ts"] = dict(final=finals, mean=float(np.mean(finals)), share=float(np.mean(np.array(finals) > 8.5)),
                                episodes=int(two_ts[0].episodes[-1]))
    rows += [["asymmetric ER", "2-TS", s, f, 9.0] for s, f in zip(seeds, finals)]
    per_iteration = 2 * SAMPLED["batch_size"]  # LIO's two episodes per iteration, the x axis of the 2-TS curve
    curves["asym sampled", "2-ts"] = (two_ts[0].episodes / per_iteration, np.mean([r.collective_return for r in two_ts], 0))
    numbers["settings"] = dict(SAMPLED, iterations={f"ER{k}": v for k, v in SAMPLED_ITERATIONS.items()},
                               asym_iterations=steps, two_ts=dict(TWO_TS, n_epochs=epochs))
    return numbers, rows, curves


def er53_section() -> tuple:
    """Fig. B.4c: LIO in ER(5,3), seed 0; returns ``(numbers, csv rows, curves)``."""
    run53 = _run(escape_room(5, 3), "lio", 0, ER53_STEPS, 50, **ROOM, **CASES[(3, 2)])
    numbers = dict(final=float(run53.collective_return[-1]), optimum=17.0, n_steps=ER53_STEPS, seed=0)
    return numbers, [["ER(5,3)", "LIO", 0, numbers["final"], 17.0]], {("ER(5,3)", "lio"): (run53.steps,
                                                                                          run53.collective_return)}


def run(out_dir, quick: bool = False) -> dict:
    """Run every case; write PNG + CSV into ``out_dir``."""
    plt = pyplot()
    os.makedirs(out_dir, exist_ok=True)
    numbers, rows, curves, timings = {}, [], {}, {}
    sections = [("IPD", lambda: ipd_section(quick)), ("ER(2,1)", lambda: room_section(2, 1, quick)),
                ("asym", lambda: asymmetric_section(quick)), ("sampled", lambda: sampled_section(quick))]
    if not quick:
        sections += [("ER(3,2)", lambda: room_section(3, 2, quick)), ("ER(3,2) authors", authors_section),
                     ("ER(5,3)", er53_section)]
    for name, section in sections:
        start = time.perf_counter()
        numbers[name], new_rows, new_curves = section()
        rows += new_rows
        curves.update(new_curves)
        timings[name] = time.perf_counter() - start
    numbers["seconds"] = timings

    # ---- figure
    panels = ["IPD", "ER(2,1)", "ER(3,2)", "asym", "ER(5,3)", None, "ER(3,2) sampled", "ER(2,1) sampled",
              "asym sampled"]
    fig, axes = plt.subplots(3, 3, figsize=(16, 12.5))
    titles = {"IPD": "IPD, per round (Fig. 5.4)", "ER(2,1)": "ER(2,1) (Fig. 5.5a)", "ER(3,2)": "ER(3,2) (Fig. 5.5c)",
              "asym": "asymmetric ER (Fig. B.3a)", "ER(5,3)": "ER(5,3), LIO (Fig. B.4c)",
              "ER(3,2) sampled": "ER(3,2), sampled episodes, authors' configuration (Fig. 5.5c)",
              "ER(2,1) sampled": "ER(2,1), sampled episodes, authors' configuration (Fig. 5.5a)",
              "asym sampled": "asymmetric ER, sampled episodes (Fig. B.3a, d)"}
    for ax, panel in zip(axes.ravel(), panels):
        if panel is None:
            continue
        for (name, learner), (x, y) in curves.items():
            if name == panel:
                ax.plot(x, y, label=LABELS[learner], ls="-" if learner.startswith("lio") else "--")
        base = panel.split(" ")[0]
        optimum = -2.0 if base == "IPD" else OPTIMUM["asym" if base == "asym" else tuple(int(c) for c in base[3:-1].split(","))]
        ax.axhline(optimum, color="k", ls=":", lw=1)
        ax.set_title(titles[panel] + ("" if any(k[0] == panel for k in curves) else ": not run (--quick)"), fontsize=9)
        ax.set_xlabel("iteration (sampled: 1 or 2 episodes each; 2-TS: its episodes / 2)" if "sampled" in panel
                      else "iteration")
        ax.set_ylabel("collective return")
        if any(k[0] == panel for k in curves):
            ax.legend(fontsize=7)
    ax = axes.ravel()[5]
    if "ER(3,2) authors" in numbers:
        names = list(numbers["ER(3,2) authors"])
        ax.bar(range(len(names)), [numbers["ER(3,2) authors"][k]["share"] for k in names])
        ax.set_xticks(range(len(names)), [k.split(" (")[0] for k in names])
        ax.set_ylim(0, 1)
    ax.set_title("ER(3,2): share of 8 LIO runs reaching 8, by epsilon")
    fig.tight_layout()
    files = dict(png=save_figure(fig, os.path.join(out_dir, "lio_baselines.png")))
    files["csv"] = os.path.join(out_dir, "lio_baselines.csv")
    with open(files["csv"], "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case", "learner", "seed", "final_collective_return", "optimum"])
        writer.writerows(rows)
    numbers["files"] = files
    return numbers


#: Recorded from full-budget runs of the sections (the docstring's numbers; run times in ``SECONDS``).
FULL_SCALE = {
    "ipd lio": -2.002, "ipd lio-asym": -2.998, "ipd best baseline": -3.9933,
    "ER(2,1) lio": 6.6267, "ER(2,1) lio-dec": 6.7502, "ER(2,1) pg": -1.9328,
    "ER(2,1) pg-d share": 0.0, "ER(2,1) pg-c share": 0.0, "ER(2,1) lola-d share": 0.0,
    "asym lio": 8.9266, "asym pg": -3.7555, "asym pg-d": -4.862, "asym lola-d share": 0.0, "asym a2": -0.9434,
    "ER(3,2) lio": 6.9671, "ER(3,2) lio-dec": 2.068, "ER(3,2) pg": -0.0052,
    "ER(3,2) pg-d share": 0.0, "ER(3,2) pg-c share": 0.0, "ER(3,2) lola-d share": 0.0,
    "authors 0.3": 0.0, "authors 0.1": 0.0, "ER(5,3) lio": 16.98,
    "sampled asym lio": 8.8085, "sampled asym pg": -2.725, "sampled asym lio - 1ep": 1.4085, "sampled asym 2-ts": -0.279,
    "sampled ER(3,2) lio share": 0.5, "sampled ER(3,2) lio": 2.5542, "sampled ER(3,2) lio-dec": -2.553,
    "sampled ER(2,1) lio": 8.657, "sampled ER(2,1) lio-dec": 8.956,
}  # fmt: skip
#: Seconds per section of a full run, (wall on the shared machine at load ~20, CPU): the CPU column is what an
#: idle core needs.
SECONDS = {"IPD": (304, 11.9), "ER(2,1)": (603, 24.7), "asym": (501, 19.2), "ER(3,2)": (1538, 135.0),
           "ER(5,3)": (698, 71.5)}  # the authors' schedules: 24 LIO runs of 2000 iterations, about 0.003 s each


def _get(numbers, *keys):
    value = numbers
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def account(numbers: dict, quick: bool) -> list[Row]:
    """The thesis's statements on LIO's baselines beside ours."""
    ipd = _get(numbers, "IPD", "per_round")
    best = None if ipd is None else max(np.mean(ipd[k]) for k in ("pg", "pg-d", "pg-c", "lola", "lola-d"))
    rows = [
        Row("Fig. 5.4 IPD (memory-1, 5 rounds): LIO-LIO collective reward per round", -2.0,
            None if ipd is None else float(np.mean(ipd["lio"])), FULL_SCALE.get("ipd lio")),
        Row("Fig. 5.4 IPD: LIO-asym (LIO with PG) per round ('near -3')", -3.0,
            None if ipd is None else float(np.mean(ipd["lio-asym"])), FULL_SCALE.get("ipd lio-asym")),
        Row("Fig. 5.4 IPD: best of PG, PG-d, PG-c, LOLA, LOLA-d per round (thesis: baselines suboptimal or do not "
            "cooperate)", "< -2", best, FULL_SCALE.get("ipd best baseline")),
    ]
    for case in ("ER(2,1)", "ER(3,2)"):
        optimum = 9.0 if case == "ER(2,1)" else 8.0
        mean, share = _get(numbers, case, "mean"), _get(numbers, case, "share_optimal")
        rows += [
            Row(f"Fig. 5.5 {case}: LIO final collective return, mean over seeds (thesis: near {optimum:g})", optimum,
                None if mean is None else mean["lio"], FULL_SCALE.get(f"{case} lio")),
            Row(f"Fig. 5.5 {case}: LIO-dec, mean ('successfully solved', slower)", optimum,
                None if mean is None else mean["lio-dec"], FULL_SCALE.get(f"{case} lio-dec")),
            Row(f"Fig. 5.5 {case}: PG, mean (thesis: negative)", "< 0", None if mean is None else mean["pg"],
                FULL_SCALE.get(f"{case} pg")),
        ]
        for learner, who in (("pg-d", "PG-d"), ("pg-c", "PG-c"), ("lola-d", "LOLA-d")):
            rows.append(Row(f"Fig. 5.5 {case}: {who}, share of seeds at the optimum (thesis: 'sometimes')", "> 0",
                            None if share is None else share[learner], FULL_SCALE.get(f"{case} {learner} share")))
    asym = numbers.get("asym", {})
    mean, share = asym.get("mean"), asym.get("share_optimal")
    rows += [
        Row("Fig. B.3a asymmetric ER: LIO (A1) with PG (A2), mean final collective return ('near 9.0')", 9.0,
            None if mean is None else mean["lio"], FULL_SCALE.get("asym lio")),
        Row("Fig. B.3a: PG pair, mean (A1 stuck at its global minimum)", "< 0", None if mean is None else mean["pg"],
            FULL_SCALE.get("asym pg")),
        Row("Fig. B.3a: PG-rewards (PG-d), mean (could not escape)", "< 0", None if mean is None else mean["pg-d"],
            FULL_SCALE.get("asym pg-d")),
        Row("Fig. B.3a: LOLA-d with a PG recipient, share of runs cooperating (2 of 20)", 0.1,
            None if share is None else share["lola-d"], FULL_SCALE.get("asym lola-d share"), scale=1.0),
        Row("Fig. B.3c: A2's (PG) total reward with LIO, mean (normalised x 1/2 'above -0.5')", "> -1",
            None if not asym.get("a2_total_with_lio") else float(np.mean(asym["a2_total_with_lio"])),
            FULL_SCALE.get("asym a2")),
    ]
    sampled = numbers.get("sampled", {})

    def pick(key, what):
        return _get(sampled, key, what)

    gap = None if pick("asym lio", "mean") is None else pick("asym lio", "mean") - pick("asym lio-1ep", "mean")
    two_ts = None if pick("asym 2-ts", "mean") is None else pick("asym 2-ts", "mean")
    rows += [
        Row("ER(3,2), the thesis's setting from sampled episodes (authors' configuration, epsilon 0.5 -> 0.1): LIO, "
            "share of 8 seeds reaching 8 (thesis: mean of 20 runs near 8)", 1.0, pick("ER(3,2) lio", "share"),
            FULL_SCALE.get("sampled ER(3,2) lio share"), scale=1.0),
        Row("ER(3,2) sampled: LIO, mean final collective return", 8.0, pick("ER(3,2) lio", "mean"),
            FULL_SCALE.get("sampled ER(3,2) lio")),
        Row("ER(3,2) sampled: LIO-dec (opponent models from episodes), mean ('successfully solved', slower)", 8.0,
            pick("ER(3,2) lio-dec", "mean"), FULL_SCALE.get("sampled ER(3,2) lio-dec")),
        Row("ER(2,1) sampled: LIO, mean final collective return", 9.0, pick("ER(2,1) lio", "mean"),
            FULL_SCALE.get("sampled ER(2,1) lio")),
        Row("ER(2,1) sampled: LIO-dec, mean final collective return", 9.0, pick("ER(2,1) lio-dec", "mean"),
            FULL_SCALE.get("sampled ER(2,1) lio-dec")),
        Row("Fig. B.3a asymmetric ER, sampled: LIO (A1) with PG (A2), mean final collective return ('near 9.0')", 9.0,
            pick("asym lio", "mean"), FULL_SCALE.get("sampled asym lio")),
        Row("Fig. B.3a/b asymmetric ER, sampled: PG pair, mean (A1 at its global minimum)", "< 0",
            pick("asym pg", "mean"), FULL_SCALE.get("sampled asym pg")),
        Row("Fig. B.3d: LIO minus 1-episode LIO, mean final collective return (thesis: 1-episode LIO lower)", "> 0",
            gap, FULL_SCALE.get("sampled asym lio - 1ep")),
        Row("Fig. B.3a: 2-TS (A2 a tabular Q-learner), mean collective return over its last tenth (thesis: improves, "
            "more gradually than LIO)", "> -4.5", two_ts, FULL_SCALE.get("sampled asym 2-ts")),
    ]
    authors = numbers.get("ER(3,2) authors")
    rows += [
        Row("ER(3,2): share of 8 LIO runs reaching 8 with the authors' epsilon 0.5 -> 0.3 (thesis: mean of 20 "
            "runs near 8)", 1.0, None if authors is None else authors["0.5->0.3 (Table B.4)"]["share"],
            FULL_SCALE.get("authors 0.3"), scale=1.0),
        Row("ER(3,2): same with epsilon 0.5 -> 0.1 (config_room_lio.py)", 1.0,
            None if authors is None else authors["0.5->0.1 (config_room_lio.py)"]["share"],
            FULL_SCALE.get("authors 0.1"), scale=1.0),
        Row("Fig. B.4c ER(5,3): LIO final collective return (thesis: converges to the optimum)", 17.0,
            _get(numbers, "ER(5,3)", "final"), FULL_SCALE.get("ER(5,3) lio")),
    ]
    return rows


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="IPD, ER(2,1) and the asymmetric room only, 1-2 seeds, "
                                                      "short runs")


if __name__ == "__main__":
    main()
