"""Bi-AC Table 4 and Fig. 7: the two-vehicle Traffic Merge on highway-env, Bi-AC against MADDPG and I-DQN.

Paper (Zhang et al. 2020, "Bi-level Actor-Critic for Multi-agent Coordination", Table 4; 10 seeds): the rate at
which the main-lane car (the leader) passes the merge point first and the rate at which the ramp car (the
follower) does, over evaluation episodes after training; the rest (2.6%, 0.5%, 2.3%) are crashes:

==========  ============  ============
algorithm   main first    ramp first
==========  ============  ============
Bi-AC       72.2%         25.2%
I-DQN       58.2%         41.3%
MADDPG      37.5%         60.2%
==========  ============  ============

Fig. 7: the three rates (main first, ramp first, crash) over training, Bi-AC beside MADDPG; Bi-AC starts with
about equal rates and its main-first rate rises steadily.

Ours: ``stackelberg/TwoVehicleMerge-v0`` (:class:`stackelberg.highway.TwoVehicleMergeEnv`; its module docstring
states the highway-env version, 1.12.1, and every parameter: road, merge point, target speeds, initial
positions and speeds and their randomisation, 1 decision per second, 20 s episodes, rewards, observations),
trained with the host-loop learners of :mod:`stackelberg.neural.host_offpolicy` (the networks and losses of
:mod:`stackelberg.neural.offpolicy`) through :func:`stackelberg.analysis.highway_study.run_highway_study`
(seeds in parallel processes, every episode stored, resumable), then evaluated greedily (no exploration) with
:func:`~stackelberg.analysis.highway_study.evaluate_highway_study` on episodes whose reset seeds no training
episode used. Settings (:data:`FULL_CONFIG`, the Bi-AC paper's experiment section where it says anything):
1000 steps of uniform joint actions, then epsilon-greedy decaying linearly from 0.5 to 0.02 over 1000 steps;
ReLU networks with two hidden layers of 64; replay buffer 10,000, minibatch 32, one gradient step per
environment step, Polyak rate 0.01, discount 0.95; Adam 1e-3 for the leader's critic, I-DQN and the MADDPG
critics, 5e-4 for the follower's critic and the actors; Gumbel-softmax temperature 1. The paper gives neither
the number of training episodes nor the number of evaluation episodes.

Our numbers (:data:`FULL_SCALE`): 10 seeds (0-9), 600 training episodes per seed (about 6,700-7,000
environment steps, the first 1000 uniform), then 20 greedy evaluation episodes per seed (200 per learner);
highway-env 1.12.1, jax 0.10.2. The run went in resumed stages of 100 training episodes (each stage evaluated,
the store extended by the next), 2 worker processes on the 2-core machine shared with about 7 other jobs
(load 18-23): 4,230 s wall for the six stages, evaluations included (about 9-16 min per 100 episodes of all
three learners). Evaluation rates (paper's in parentheses):

==========  ======================  ======================  =======
algorithm   main first              ramp first              crash
==========  ======================  ======================  =======
Bi-AC       43.0% (72.2%)           42.0% (25.2%)           15.0%
I-DQN       45.0% (58.2%)           31.0% (41.3%)           24.0%
MADDPG      28.5% (37.5%)           50.5% (60.2%)           21.0%
==========  ======================  ======================  =======

Fig. 7 (ours, main first / ramp first / crash over the 10 seeds' training episodes): Bi-AC 44 / 42 / 14% in
episodes 0-24 (uniform exploration) and 37 / 41 / 22% in episodes 575-599; MADDPG 51 / 37 / 12% and
31 / 43 / 26%; I-DQN 51 / 37 / 12% and 48 / 27 / 25%. (MADDPG and I-DQN draw the same uniform actions from the
same keys, hence their equal first windows.) Earlier stages gave Bi-AC 43 / 36 / 21% (100 episodes),
41 / 29 / 30% (200), 36 / 32 / 33% (300) and 36 / 45 / 20% (400), 30 / 50 / 20% (500) at evaluation: the rates move by about
10 points between stages.

Where ours differ, and why. At this scale Bi-AC does not reach the paper's 72% main-first rate, nor does its
main-first rate rise over training as in the paper's Fig. 7; all three learners end with crash rates of
15-24% (the paper's 0.5-2.6%), higher than under uniform exploration (12-14%). Greedy episodes of Bi-AC seeds
after 300 episodes show why: both cars accelerate to the top target speed (30 m/s) and hold it, the follower's
actor choosing FASTER in every state, so whichever car starts ahead passes first and the two crash when they
reach the merge level. For the follower racing is what these rewards favour until its critic has learned the
crash risk of each state (first pays 50, second 10, a crash -10: accelerating beats yielding whenever it wins
with probability above 1/3); the Stackelberg outcome the paper reports, the follower yielding to the leader,
needs those risks learned, and 600 episodes per seed (about 5,700 steps after exploration) did not give them.
The paper states neither its training length nor its evaluation episodes, so we cannot say how far our budget
is from theirs; its "slightly modified" highway-env is not public, so its road, speeds and initial-state
randomisation (ours: :class:`~stackelberg.highway.TwoVehicleMergeEnv`) may also differ. The I-DQN and MADDPG
rows, like the paper's, show no preference for either car beyond the starting positions.

``--quick`` takes about 20 s of CPU (mostly JAX compiling the three learners) and 80 s of wall time on the
shared machine at load ~20.

Usage::

    python -m stackelberg.figures.highway_biac_table4 --out DIR [--quick]

Writes ``highway_biac_table4.csv`` (per learner: our evaluation rates beside the paper's, scale, run time),
``highway_biac_fig7.csv`` (the three rates per window of training episodes, mean over seeds) and
``highway_biac_fig7.png`` (Fig. 7: Bi-AC beside MADDPG, with I-DQN as a third panel), and keeps the result store
``highway_biac.sqlite`` (and the learners' checkpoints beside it) in DIR, so running again with the same DIR
resumes or extends the stored run. ``--quick``: 2 seeds x 4 training episodes with tiny networks and 2
evaluation episodes per seed, in this process (the rates then only show that the pipeline runs).
"""

from __future__ import annotations

import csv
import json
import os
import time

import numpy as np

from stackelberg.figures._account import Row
from stackelberg.figures._script import pyplot, save_figure, script_main

ENV_ID = "stackelberg/TwoVehicleMerge-v0"
LEARNERS = ("bi-ac", "i-dqn", "maddpg")
NAMES = {"bi-ac": "Bi-AC", "i-dqn": "I-DQN", "maddpg": "MADDPG"}
#: Bi-AC Table 4: (main-lane car first %, ramp car first %); crashes are the rest.
PAPER = {"bi-ac": (72.2, 25.2), "i-dqn": (58.2, 41.3), "maddpg": (37.5, 60.2)}
#: Full-scale settings (the host-loop configurations' fields) and budget.
FULL_CONFIG = {"explore_steps": 1000, "epsilon_decay_steps": 1000, "gamma": 0.95}
QUICK_CONFIG = {"hidden": (16,), "batch_size": 8, "buffer_size": 500, "explore_steps": 10,
                "epsilon_decay_steps": 20, "gamma": 0.95}
FULL_SEEDS, FULL_EPISODES, FULL_EVAL_EPISODES, FULL_WINDOW = 10, 600, 20, 25
QUICK_SEEDS, QUICK_EPISODES, QUICK_EVAL_EPISODES, QUICK_WINDOW = 2, 4, 2, 2
#: Recorded from our full run (see the docstring): learner -> (main first %, ramp first %, crash %).
FULL_SCALE = {"bi-ac": (43.0, 42.0, 15.0), "i-dqn": (45.0, 31.0, 24.0), "maddpg": (28.5, 50.5, 21.0)}


def _learners(config: dict, greedy: bool) -> dict:
    from stackelberg.neural.host_offpolicy import (
        BiACHostConfig,
        BiACLearner,
        IDQNHostConfig,
        IDQNLearner,
        MADDPGHostConfig,
        MADDPGLearner,
    )

    return {
        "bi-ac": BiACLearner(BiACHostConfig(**config), greedy=greedy),
        "i-dqn": IDQNLearner(IDQNHostConfig(**config), greedy=greedy),
        "maddpg": MADDPGLearner(MADDPGHostConfig(**config), greedy=greedy),
    }


def run(out_dir, quick: bool = False, *, episodes: int | None = None, seeds: int | None = None,
        eval_episodes: int | None = None, workers: int | None = None, progress=None) -> dict:
    """Train and evaluate Bi-AC, I-DQN and MADDPG on the two-vehicle merge; write CSV + PNG; return the numbers.

    ``episodes``, ``seeds``, ``eval_episodes`` and ``workers`` override the mode's budget (a larger
    ``episodes`` with the same ``out_dir`` extends the stored run).
    """
    import stackelberg.highway  # noqa: F401  (the highway extra, only when run; registers the environments)
    from stackelberg.analysis.highway_study import evaluate_highway_study, outcome_rates, run_highway_study
    from stackelberg.analysis.store import ResultStore

    os.makedirs(out_dir, exist_ok=True)
    n_seeds = seeds or (QUICK_SEEDS if quick else FULL_SEEDS)
    n_episodes = episodes or (QUICK_EPISODES if quick else FULL_EPISODES)
    n_eval = eval_episodes or (QUICK_EVAL_EPISODES if quick else FULL_EVAL_EPISODES)
    window = QUICK_WINDOW if quick else FULL_WINDOW
    workers = workers or (1 if quick else 2)
    config = QUICK_CONFIG if quick else FULL_CONFIG
    trainers, evaluators = _learners(config, greedy=False), _learners(config, greedy=True)
    numbers, table, curves = {}, [], []
    with ResultStore(os.path.join(out_dir, "highway_biac.sqlite")) as store:
        for name in LEARNERS:
            start = time.perf_counter()
            trained = run_highway_study(store, env_id=ENV_ID, learner=trainers[name], seeds=range(n_seeds),
                                        episodes=n_episodes, chunk=min(n_episodes, 50), workers=workers,
                                        progress=progress)
            tested = evaluate_highway_study(store, trained, learner=evaluators[name], episodes=n_eval,
                                            workers=workers, progress=progress)
            seconds = time.perf_counter() - start
            rates = outcome_rates(tested.records)
            steps = sum(r["steps"] for r in trained.records)
            table.append({
                "learner": name, "seeds": n_seeds, "training_episodes": n_episodes,
                "training_steps_per_seed": round(steps / n_seeds, 1), "evaluation_episodes_per_seed": n_eval,
                "ours_main_first_percent": round(100 * rates["main_first"], 1),
                "ours_ramp_first_percent": round(100 * rates["ramp_first"], 1),
                "ours_crash_percent": round(100 * rates["crash"], 1),
                "ours_timeout_percent": round(100 * rates["timeout"], 1),
                "paper_main_first_percent": PAPER[name][0], "paper_ramp_first_percent": PAPER[name][1],
                "seconds_this_call": round(seconds, 1),
            })
            for key in ("main_first", "ramp_first", "crash", "timeout"):
                numbers[f"{name} {key} %"] = round(100 * rates[key], 1)
            numbers[f"{name} training steps per seed"] = round(steps / n_seeds, 1)
            curves.extend(_training_curve(name, trained.records, n_episodes, window))
    numbers.update({"seeds": n_seeds, "training episodes": n_episodes, "evaluation episodes per seed": n_eval})
    _write_csv(os.path.join(out_dir, "highway_biac_table4.csv"), table)
    _write_csv(os.path.join(out_dir, "highway_biac_fig7.csv"), curves)
    _plot(curves, os.path.join(out_dir, "highway_biac_fig7.png"))
    with open(os.path.join(out_dir, "numbers.json"), "w") as handle:
        json.dump(numbers, handle, indent=2)
    return numbers


def _training_curve(name: str, records: list, episodes: int, window: int) -> list:
    """Per window of training episodes: the share of each outcome over the window's episodes of all seeds."""
    rows = []
    for lo in range(0, episodes, window):
        hi = min(lo + window, episodes)
        part = [r for r in records if lo <= r["episode"] < hi]
        row = {"learner": name, "episode_start": lo, "episode_stop": hi, "episodes": len(part)}
        for key in ("main_first", "ramp_first", "crash", "timeout"):
            row[key] = round(sum(r.get("outcome") == key for r in part) / max(len(part), 1), 4)
        rows.append(row)
    return rows


def _write_csv(path: str, rows: list) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _plot(curves: list, path: str) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(LEARNERS), figsize=(15, 4), sharey=True)
    for ax, name in zip(axes, ("bi-ac", "maddpg", "i-dqn")):
        rows = [r for r in curves if r["learner"] == name]
        x = np.array([(r["episode_start"] + r["episode_stop"]) / 2 for r in rows])
        for key, label in (("main_first", "main-lane car first"), ("ramp_first", "ramp car first"),
                           ("crash", "crash")):
            ax.plot(x, [100 * r[key] for r in rows], marker=".", label=label)
        ax.set(title=f"{NAMES[name]}", xlabel="training episode", ylim=(-2, 102))
    axes[0].set_ylabel("rate over seeds (%)")
    axes[0].legend(loc="upper left", fontsize=8)
    fig.suptitle("Fig. 7: outcomes of the two-vehicle merge over training")
    save_figure(fig, path)


def account(numbers: dict, quick: bool) -> list[Row]:
    """Table 4 beside ours per learner (the paper's baselines themselves); crash = 100 minus the two columns."""
    rows = []
    for name in LEARNERS:
        main, ramp = PAPER[name]
        full = FULL_SCALE.get(name)
        for index, (key, label, paper) in enumerate((("main_first", "main-lane car first", main),
                                                     ("ramp_first", "ramp car first", ramp),
                                                     ("crash", "crash (paper: the rest)",
                                                      round(100.0 - main - ramp, 1)))):
            rows.append(Row(f"Traffic merge: {NAMES[name]} {label}, %", paper, numbers.get(f"{name} {key} %"),
                            None if full is None else full[index], scale=100.0))
    return rows


def main(argv=None) -> dict:
    return script_main(run, account, argv,
                       quick_help="2 seeds x 4 training episodes, tiny networks, 2 evaluation episodes per seed")


if __name__ == "__main__":
    main()
