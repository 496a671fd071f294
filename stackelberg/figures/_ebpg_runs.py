"""Resumable training runs of the tabular EBPG figures (``ebpg_rl_followers``, ``ebpg_ablations``).

Each run (a variant and a seed) is one record of a :class:`~stackelberg.analysis.store.ResultStore` study in
``OUT/runs.sqlite`` whose key is the hash of the script's budget and settings: a killed run resumes from the runs
already stored, and a changed budget starts a new study.
"""

from __future__ import annotations

import csv
import os
import time

import numpy as np

from stackelberg._progress import progress_iter
from stackelberg.analysis.store import ResultStore
from stackelberg.games.coordination import resource_collection
from stackelberg.solvers.coordination import train_coordination

__all__ = ["instance", "run_study", "run_variants", "write_curves", "summarise"]


def instance():
    """Resource collection, 5x5 grid, 4 resource types, 2 followers (pool seed 0), horizon 12."""
    game = resource_collection(grid_shape=(5, 5), n_goals=4, n_followers=2, horizon=12, seed=0)
    return game, game.sample_followers(seed=0)


def run_study(out_dir, name: str, variants: dict, budget: dict, progress=None) -> tuple[list[dict], dict]:
    """Every variant and seed of ``budget`` on :func:`instance` (resumable): the records and their summary."""
    game, followers = instance()
    study = dict(name=name, game=repr(game), followers=followers.tolist(), seeds=list(budget["seeds"]))
    records = run_variants(out_dir, study, game, followers, variants, budget["seeds"],
                           iterations=budget["iterations"], evaluate_every=budget["evaluate_every"],
                           progress=progress)
    return records, summarise(records, variants)


def run_variants(out_dir, study: dict, game, followers, variants: dict, seeds, *, iterations: int,
                 evaluate_every: int, progress=None) -> list[dict]:
    """Train every ``variant`` (name -> keyword arguments of :func:`train_coordination`) for every seed; return
    one record per run (``variant``, ``seed``, ``iterations``, ``values``, ``ratios``, ``sampled``, finals)."""
    jobs = [(name, seed) for name in variants for seed in seeds]
    with ResultStore(os.path.join(out_dir, "runs.sqlite")) as store:
        parameters = dict(study, variants={k: {a: v for a, v in kw.items()} for k, kw in variants.items()},
                          iterations=iterations, evaluate_every=evaluate_every)
        key = store.register(parameters, key_fields=("variant", "seed"))
        done = store.keys(key)
        for name, seed in progress_iter(jobs, total=len(jobs), description=study["name"], unit="run",
                                        progress=progress):
            if (name, seed) in done:
                continue
            start = time.perf_counter()
            result = train_coordination(game, followers, n_iterations=iterations, evaluate_every=evaluate_every,
                                        seed=seed, **variants[name])
            window = max(1, evaluate_every)
            sampled = [float(np.mean(result.sampled_returns[max(0, i - window):i])) if i else float("nan")
                       for i in result.iterations]
            store.add(key, [dict(
                variant=name, seed=seed, iterations=result.iterations.tolist(), values=result.values.tolist(),
                ratios=result.ratios.tolist(), sampled=sampled, optimum=result.optimum,
                follower_values=result.follower_values.sum(axis=1).tolist(),
                leader_best_value=result.leader_best_value,
                value_against_best_responses=result.value_against_best_responses,
                seconds=time.perf_counter() - start)])
        records = store.rows(key)
    order = {job: i for i, job in enumerate(jobs)}
    return sorted((r for r in records if (r["variant"], r["seed"]) in order),
                  key=lambda r: order[(r["variant"], r["seed"])])


def summarise(records: list[dict], variants) -> dict:
    """Per variant: mean curve of ratios, final ratio (mean, min), mean ratio over training and run time."""
    out = {}
    for name in variants:
        runs = [r for r in records if r["variant"] == name]
        ratios = np.array([r["ratios"] for r in runs])
        out[name] = dict(
            iterations=runs[0]["iterations"], mean_ratios=ratios.mean(axis=0).tolist(),
            final_ratio=float(ratios[:, -1].mean()), min_final_ratio=float(ratios[:, -1].min()),
            mean_ratio_over_training=float(ratios.mean()),
            final_value=float(np.mean([r["values"][-1] for r in runs])),
            final_sampled=float(np.mean([r["sampled"][-1] for r in runs])),
            final_follower_value=float(np.mean([r["follower_values"][-1] for r in runs])),
            leader_best_ratio=float(np.mean([r["leader_best_value"] / r["optimum"] for r in runs])),
            against_best_responses_ratio=float(np.mean([r["value_against_best_responses"] / r["optimum"]
                                                        for r in runs])),
            seconds=float(sum(r["seconds"] for r in runs)), seeds=len(runs))
    return out


def write_curves(path, records: list[dict]) -> str:
    """All curves as one CSV (variant, seed, iteration, value, ratio, sampled, follower value)."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant", "seed", "iteration", "leader_value", "ratio_to_optimum", "sampled_return",
                         "followers_value"])
        for r in records:
            for row in zip(r["iterations"], r["values"], r["ratios"], r["sampled"], r["follower_values"]):
                writer.writerow([r["variant"], r["seed"], *row])
    return path
