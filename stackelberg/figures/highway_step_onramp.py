"""Reproduce STEP's Highway On-Ramp Merging (Zhang et al., IJCAI 2023, Figs 8-9) on highway-env: learning curves
of the episode reward for STEP, MAPPO and MADDPG at three traffic densities, and the average speed at test.

Paper. Fig. 8: learning curves (mean and 95% interval over 5 runs) at easy, medium and hard density; Fig. 9:
average speed at test per method. The figures' images are not in our copy of the paper, so no number can be
read from them; the text claims (Sec. 5.3) that STEP outperforms MAPPO, IPPO and MADDPG, "with the performance
gap between STEP and the other algorithms growing as traffic density and complexity rise", and that STEP's
average speed "is also faster than that of the other algorithms after convergence". Those claims are the rows
of the account (yes/no). The paper gives neither its training budget nor its hyperparameters for this task.

Ours. Environments ``stackelberg/OnRampMerge-{easy,medium,hard}-v0`` (:mod:`stackelberg.highway.on_ramp_merge`:
3, 4 and 6 controlled vehicles among 1-3, 2-4 and 3-5 IDM vehicles, Chen et al.'s reward; episodes of at most
20 s = 100 decisions, ending at the first crash of a controlled vehicle). Learners: :class:`STEPLearner` and
:class:`MAPPOLearner` (:mod:`stackelberg.neural.host_onpolicy`, default settings: a PPO update every 128
transitions, 4 epochs x 4 minibatches, rewards x 0.05; STEP's priority order is main-lane vehicles, then ramp
vehicles) and :class:`~stackelberg.neural.host_offpolicy.MADDPGLearner` (default settings; one critic output per
joint action, 5^N: 125, 625 and 15,625 at the three densities; :func:`learner_factories`). Training: :func:`~stackelberg.analysis.highway_study.run_highway_study`
(resumable store, progress bar, seeds in parallel processes); the episode reward is the mean over controlled
vehicles of their undiscounted episode returns, averaged in windows of episodes, mean and 95% t-interval over
the seeds. Test: ``TEST_EPISODES`` episodes per seed from the trained parameters, acting with the execution
policy (:func:`~stackelberg.analysis.highway_study.evaluate_highway_study`), the controlled vehicles' mean speed.

Our full run (``FULL_SCALE``): seeds 0-4, 140 training episodes per seed for each method and density (STEP
95,000 and MAPPO 96,000 simulator steps over the three densities), then 2 test episodes per seed with the
execution policy. It took about 62 minutes wall time (STEP and MAPPO as two processes, each running its seeds
in turn, on 2 cores shared with other jobs at load 10-23), plus one minute of testing. Final episode reward
(mean over the last fifth of training, mean over seeds with 95% interval), test speed and test crash rate:

==========  ======  ======================  =====================  ================
density     method  final episode reward    test speed (m/s)       test crash rate
==========  ======  ======================  =====================  ================
easy        STEP    -33.3 +- 9.4            25.3 +- 1.8            0.9
easy        MAPPO   -37.0 +- 26.1           25.8 +- 2.5            0.8
medium      STEP    -49.3 +- 16.3           25.0 +- 1.8            0.8
medium      MAPPO   -54.4 +- 9.8            25.0 +- 2.5            0.9
hard        STEP    -46.0 +- 4.9            23.4 +- 2.0            1.0
hard        MAPPO   -46.2 +- 6.7            23.6 +- 0.7            1.0
easy        MADDPG  -44.7 +- 14.5           25.7 +- 2.1            0.8
medium      MADDPG  -52.4 +- 5.0            26.2 +- 1.0            1.0
hard        MADDPG  -42.9 +- 5.9            24.5 +- 1.8            1.0
==========  ======  ======================  =====================  ================

Where ours differ from the paper, and why. Our curves are flat: after 140 episodes (about 30-70 PPO updates)
neither learner has learned to merge (80-100% of test episodes end in a crash, speeds stay near the initial
25-27 m/s), whereas the paper's curves rise over a training budget it does not state (Chen et al. train MAPPO
for 20,000 episodes, over 100 times ours). STEP's mean final reward is above MAPPO's at every density, but
every difference lies well inside the intervals over 5 seeds, so none of the paper's claims is reproduced: the
account's rows ask for the two 95% intervals to be apart, and they never are (STEP's speed is not above
MAPPO's either; the gap does not grow with density: 3.7, 5.0, 0.2). MADDPG (run afterwards with the same
driver: 140 episodes x 5 seeds x 3 densities, 1,530 s wall at load about 2) is no better: its final-reward
intervals overlap STEP's at every density, and it crashes in 80-100% of test episodes. These numbers say
nothing for or against the paper's claims; what the run shows is that the learners, the environment and the
resumable runner work end to end at this scale. A run of the paper's length here would take days (about 25
steps/s per process on this shared machine).

``--quick``: easy density only, STEP, MAPPO and MADDPG, 2 seeds x 2 training episodes of
6 s, small networks, one test episode per seed (about 30 s on an idle core, compilation included).

Usage::

    python -m stackelberg.figures.highway_step_onramp --out DIR [--quick]

Writes ``highway_step_onramp_curves.csv`` (per method, density and episode window: mean, 95% interval),
``highway_step_onramp_speed.csv`` (per method and density: test speed and crash rate),
``highway_step_onramp_fig8.png``, ``highway_step_onramp_fig9.png``, ``numbers.json`` and the study store
``highway_step_onramp.sqlite`` (a run started again resumes from it).
"""

from __future__ import annotations

import csv
import json
import os
import time

import numpy as np

from stackelberg.figures._account import Row
from stackelberg.figures._script import pyplot, save_figure, script_main

DENSITIES = ("easy", "medium", "hard")
METHOD_NAMES = {"step": "STEP", "mappo": "MAPPO", "maddpg": "MADDPG"}
SEEDS = (0, 1, 2, 3, 4)
#: Full-run training episodes per seed and test episodes per seed.
EPISODES, TEST_EPISODES = 140, 2
QUICK = {"seeds": (0, 1), "episodes": 2, "test_episodes": 1, "densities": ("easy",), "env_config": {"duration": 6.0}}
#: The paper's claims (Sec. 5.3), per density: STEP's final reward above each baseline's, STEP's test speed above.
PAPER_CLAIM = True
#: Recorded from our full run (``numbers.json`` of ``run(out, episodes=140)``; 5 seeds x 140 training episodes per
#: method and density, 2 test episodes per seed; about 62 min wall time for both methods as two processes on 2
#: cores shared with other jobs, load 10-23; see the module docstring).
FULL_SCALE: dict = {
    "easy step final reward": -33.289,
    "easy step final reward ci95": 9.415,
    "easy step test speed": 25.31,
    "easy step test speed ci95": 1.794,
    "easy step test crash rate": 0.9,
    "easy mappo final reward": -37.001,
    "easy mappo final reward ci95": 26.052,
    "easy mappo test speed": 25.779,
    "easy mappo test speed ci95": 2.512,
    "easy mappo test crash rate": 0.8,
    "medium step final reward": -49.303,
    "medium step final reward ci95": 16.273,
    "medium step test speed": 25.046,
    "medium step test speed ci95": 1.791,
    "medium step test crash rate": 0.8,
    "medium mappo final reward": -54.35,
    "medium mappo final reward ci95": 9.799,
    "medium mappo test speed": 25.025,
    "medium mappo test speed ci95": 2.509,
    "medium mappo test crash rate": 0.9,
    "hard step final reward": -45.975,
    "hard step final reward ci95": 4.867,
    "hard step test speed": 23.356,
    "hard step test speed ci95": 1.986,
    "hard step test crash rate": 1.0,
    "hard mappo final reward": -46.173,
    "hard mappo final reward ci95": 6.704,
    "hard mappo test speed": 23.55,
    "hard mappo test speed ci95": 0.65,
    "hard mappo test crash rate": 1.0,
    "easy maddpg final reward": -44.739,
    "easy maddpg final reward ci95": 14.513,
    "easy maddpg test speed": 25.686,
    "easy maddpg test speed ci95": 2.101,
    "easy maddpg test crash rate": 0.8,
    "medium maddpg final reward": -52.426,
    "medium maddpg final reward ci95": 4.988,
    "medium maddpg test speed": 26.201,
    "medium maddpg test speed ci95": 1.018,
    "medium maddpg test crash rate": 1.0,
    "hard maddpg final reward": -42.932,
    "hard maddpg final reward ci95": 5.86,
    "hard maddpg test speed": 24.548,
    "hard maddpg test speed ci95": 1.836,
    "hard maddpg test crash rate": 1.0,
    "seeds": 5,
    "test_episodes": 2,
    "episodes": 140,
}


def learner_factories(quick: bool = False) -> dict:
    """Method name -> a function returning a fresh learner (host-loop interface).

    STEP and MAPPO (:mod:`stackelberg.neural.host_onpolicy`), MADDPG (:mod:`stackelberg.neural.host_offpolicy`,
    one critic output per joint action: 5^N). ``quick`` uses small networks.

    Examples
    --------
    >>> factories = learner_factories(quick=True)
    >>> sorted(factories), factories["step"]().name
    (['maddpg', 'mappo', 'step'], 'step')
    """
    from stackelberg.neural.host_offpolicy import MADDPGHostConfig, MADDPGLearner
    from stackelberg.neural.host_onpolicy import MAPPOLearner, STEPLearner

    small = {"hidden": (16,), "rollout_length": 32, "minibatches": 2}
    step_config = STEPLearner.default_config()
    mappo_config = MAPPOLearner.default_config()
    if quick:
        step_config = step_config.replace(**small, embed_hidden=(16,), embed_dim=16, hyper_hidden=(16,),
                                          target_hidden=16)
        mappo_config = mappo_config.replace(**small)
    factories = {"step": lambda: STEPLearner(step_config), "mappo": lambda: MAPPOLearner(mappo_config)}
    maddpg_config = MADDPGHostConfig(hidden=(16, 16)) if quick else None  # None: MADDPGLearner's defaults
    factories["maddpg"] = lambda: MADDPGLearner(maddpg_config)
    return factories


def _episode_reward(record) -> float:
    return float(np.mean(record["returns"]))


def _interval(values: np.ndarray):
    """Mean and 95% t-interval half-width over the first axis (0 half-width for one seed)."""
    from scipy import stats

    values = np.asarray(values, float)
    mean = values.mean(axis=0)
    n = values.shape[0]
    if n < 2:
        return mean, np.zeros_like(mean)
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, half


def _curves(records, seeds, episodes, window):
    rewards = np.zeros((len(seeds), episodes))
    for r in records:
        rewards[seeds.index(r["seed"]), r["episode"]] = _episode_reward(r)
    blocks = episodes // window
    blocked = rewards[:, : blocks * window].reshape(len(seeds), blocks, window).mean(axis=2)
    mean, half = _interval(blocked)
    ends = (np.arange(blocks) + 1) * window
    return ends, mean, half, blocked


def run(out_dir, quick: bool = False, *, methods=None, densities=None, episodes=None, workers=None, store=None,
        progress=None) -> dict:
    """Train and test every method at every density; write CSV + PNG; return the numbers.

    Parameters beyond the scripts' common ``out_dir`` and ``quick`` (for long runs started by hand): ``methods``
    and ``densities`` restrict the grid, ``episodes`` overrides the training episodes per seed (an int, or a dict
    density -> int for a run stopped at different lengths per density), ``workers`` the
    local processes (default: 1 in quick mode, else the usable cores), ``store`` the result-store path (default
    ``out_dir/highway_step_onramp.sqlite``).
    """
    from stackelberg.analysis.highway_study import (
        evaluate_highway_study,
        run_highway_study,
    )
    from stackelberg.analysis.store import ResultStore

    os.makedirs(out_dir, exist_ok=True)
    factories = learner_factories(quick)
    methods = tuple(methods) if methods is not None else tuple(factories)
    unknown = [m for m in methods if m not in factories]
    if unknown:
        raise ValueError(f"methods must be among {sorted(factories)}; got {unknown}")
    densities = tuple(densities) if densities is not None else (QUICK["densities"] if quick else DENSITIES)
    seeds = list(QUICK["seeds"] if quick else SEEDS)
    episodes = episodes if episodes is not None else (QUICK["episodes"] if quick else EPISODES)
    per_density = {d: int(episodes[d] if isinstance(episodes, dict) else episodes) for d in densities}
    test_episodes = QUICK["test_episodes"] if quick else TEST_EPISODES
    env_config = dict(QUICK["env_config"]) if quick else {}
    workers = 1 if quick and workers is None else workers
    store_path = store if store is not None else os.path.join(out_dir, "highway_step_onramp.sqlite")
    numbers, curve_rows, speed_rows, curves, speeds = {}, [], [], {}, {}
    with ResultStore(store_path) as results:
        for density in densities:
            env_id = f"stackelberg/OnRampMerge-{density}-v0"
            episodes = per_density[density]
            window = max(1, episodes // 20)
            for method in methods:
                learner = factories[method]()
                start = time.perf_counter()
                study = run_highway_study(results, env_id=env_id, learner=learner, seeds=seeds, episodes=episodes,
                                          env_config=env_config, chunk=min(episodes, 20), workers=workers,
                                          progress=progress)
                acting = getattr(learner, "acting_greedily", None)
                tested = evaluate_highway_study(results, study, learner=acting() if callable(acting) else learner,
                                                episodes=test_episodes, workers=workers, progress=progress)
                seconds = time.perf_counter() - start
                ends, mean, half, blocked = _curves(study.records, seeds, episodes, window)
                curves[(density, method)] = (ends, mean, half)
                for e, m, h in zip(ends, mean, half):
                    curve_rows.append({"density": density, "method": method, "episode": int(e),
                                       "mean_reward": round(float(m), 4), "ci95": round(float(h), 4)})
                per_seed = np.array([[r["mean_speed"] for r in tested.records if r["seed"] == s] for s in seeds])
                speed_mean, speed_half = _interval(per_seed.mean(axis=1))
                crash = float(np.mean([r["crashed"] for r in tested.records]))
                speeds[(density, method)] = (float(speed_mean), float(speed_half))
                final = blocked[:, -max(1, blocked.shape[1] // 5):].mean(axis=1)  # last fifth of training
                speed_rows.append({"density": density, "method": method, "seeds": len(seeds),
                                   "train_episodes": episodes, "test_episodes": test_episodes,
                                   "test_speed": round(float(speed_mean), 3),
                                   "test_speed_ci95": round(float(speed_half), 3),
                                   "test_crash_rate": round(crash, 3),
                                   "final_reward": round(float(final.mean()), 3),
                                   "train_steps": int(sum(r["steps"] for r in study.records)),
                                   "seconds": round(seconds, 1)})
                numbers[f"{density} {method} final reward"] = round(float(final.mean()), 3)
                numbers[f"{density} {method} final reward ci95"] = round(float(_interval(final)[1]), 3)
                numbers[f"{density} {method} test speed"] = round(float(speed_mean), 3)
                numbers[f"{density} {method} test speed ci95"] = round(float(speed_half), 3)
                numbers[f"{density} {method} test crash rate"] = round(crash, 3)
                numbers[f"{density} {method} seconds"] = round(seconds, 1)
    numbers["seeds"], numbers["test_episodes"] = len(seeds), test_episodes
    numbers["episodes"] = per_density[densities[0]] if len(set(per_density.values())) == 1 else per_density
    for name, rows in (("curves", curve_rows), ("speed", speed_rows)):
        with open(os.path.join(out_dir, f"highway_step_onramp_{name}.csv"), "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    _plot_curves(curves, densities, methods, os.path.join(out_dir, "highway_step_onramp_fig8.png"))
    _plot_speeds(speeds, densities, methods, os.path.join(out_dir, "highway_step_onramp_fig9.png"))
    with open(os.path.join(out_dir, "numbers.json"), "w") as handle:
        json.dump(numbers, handle, indent=2)
    return numbers


def _above(numbers: dict, quantity: str, density: str, baseline: str):
    """Whether STEP's ``quantity`` is above the baseline's: its 95% interval entirely above the baseline's where
    the numbers have intervals (``... ci95``), else its mean; None where either was not run."""
    step, other = (numbers.get(f"{density} {m} {quantity}") for m in ("step", baseline))
    if step is None or other is None:
        return None
    step_half, other_half = (numbers.get(f"{density} {m} {quantity} ci95", 0.0) for m in ("step", baseline))
    return bool(step - step_half > other + other_half)


def _claims(numbers: dict) -> dict:
    """The paper's yes/no claims evaluated on ``numbers`` (None where a method was not run)."""
    claims = {}
    for density in DENSITIES:
        for baseline in ("mappo", "maddpg"):
            claims[f"{density} reward {baseline}"] = _above(numbers, "final reward", density, baseline)
            claims[f"{density} speed {baseline}"] = _above(numbers, "test speed", density, baseline)
    for baseline in ("mappo", "maddpg"):
        gaps = [None if numbers.get(f"{d} step final reward") is None
                or numbers.get(f"{d} {baseline} final reward") is None
                else numbers[f"{d} step final reward"] - numbers[f"{d} {baseline} final reward"] for d in DENSITIES]
        claims[f"gap grows {baseline}"] = None if None in gaps else bool(gaps[0] < gaps[1] < gaps[2])
    return claims


def account(numbers: dict, quick: bool) -> list[Row]:
    """The paper's Sec. 5.3 claims (yes/no) beside ours in this run and at full scale."""
    ours, full = _claims(numbers), _claims(FULL_SCALE)
    rows = []
    for density in DENSITIES:
        for baseline in ("mappo", "maddpg"):
            name = METHOD_NAMES[baseline]
            key = f"{density} reward {baseline}"
            rows.append(Row(f"Fig. 8 {density}: STEP's final episode reward above {name}'s (95% intervals apart)",
                            PAPER_CLAIM, ours[key], full[key]))
            key = f"{density} speed {baseline}"
            rows.append(Row(f"Fig. 9 {density}: STEP's test speed above {name}'s (95% intervals apart)", PAPER_CLAIM,
                            ours[key], full[key]))
    for baseline in ("mappo", "maddpg"):
        key = f"gap grows {baseline}"
        rows.append(Row(f"Fig. 8: STEP's reward gap over {METHOD_NAMES[baseline]} grows easy < medium < hard",
                        PAPER_CLAIM, ours[key], full[key]))
    return rows


def _plot_curves(curves, densities, methods, path):
    plt = pyplot()
    fig, axes = plt.subplots(1, len(densities), figsize=(4.6 * len(densities), 3.8), squeeze=False)
    for ax, density in zip(axes[0], densities):
        for method in methods:
            ends, mean, half = curves[(density, method)]
            ax.plot(ends, mean, label=METHOD_NAMES.get(method, method))
            ax.fill_between(ends, mean - half, mean + half, alpha=0.2)
        ax.set(title=f"Fig. 8: {density}", xlabel="training episodes", ylabel="episode reward (mean over vehicles)")
    axes[0][0].legend(fontsize=8)
    save_figure(fig, path)


def _plot_speeds(speeds, densities, methods, path):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    width = 0.8 / len(methods)
    x = np.arange(len(densities))
    for k, method in enumerate(methods):
        values = [speeds[(d, method)] for d in densities]
        ax.bar(x + (k - (len(methods) - 1) / 2) * width, [v[0] for v in values], width,
               yerr=[v[1] for v in values], capsize=3, label=METHOD_NAMES.get(method, method))
    ax.set_xticks(x, densities)
    ax.set(ylabel="average speed at test (m/s)", title="Fig. 9: average speed at test")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def main(argv=None) -> dict:
    """``python -m stackelberg.figures.highway_step_onramp --out DIR [--quick]``."""
    return script_main(run, account, argv, quick_help="easy density, 2 seeds x 2 short episodes, small networks")


if __name__ == "__main__":
    main()
