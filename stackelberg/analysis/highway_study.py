"""Train learners on the highway-env merges over many seeds, in parallel processes, resumably.

:func:`run_highway_study` plays ``episodes`` training episodes for every seed with the host loop
(:func:`stackelberg.highway.run_episode`), seeds in parallel (local processes or a Dask cluster, through
:func:`~stackelberg.analysis.sweep.run_tasks`), and writes one record per (seed, episode) to a
:class:`~stackelberg.analysis.store.ResultStore` as soon as each chunk of episodes completes.

Resuming. The study's key is a hash of the environment (id, config, highway-env version) and the learner
(``name``, ``config()``); the number of episodes, the chunk size and the number of workers do not enter it,
so a run can be extended or resumed with other values. Work proceeds in rounds of ``chunk`` episodes per seed;
a chunk starts from the learner's parameters pickled at its first episode (``checkpoint_dir``, default
``<store file>.checkpoints/<study key>/seed-<s>-episode-<e>.pkl``, written atomically before the chunk's
records are committed). Because every episode depends only on (seed, episode) and the parameters it starts
from, a run that was interrupted (even killed) and started again skips the stored episodes, reloads the
checkpoint where they stop, and ends with exactly the records of an uninterrupted run. Checkpoints behind the
stored episodes are deleted; the last one (the trained parameters) is kept (:func:`load_params`).
Checkpoints are pickles: load only those this module wrote.

Examples
--------
>>> import os, tempfile
>>> from stackelberg.analysis.store import ResultStore
>>> from stackelberg.highway import FixedActionPolicy
>>> folder = tempfile.mkdtemp()
>>> with ResultStore(os.path.join(folder, "merge.sqlite")) as store:
...     study = run_highway_study(store, env_id="stackelberg/TwoVehicleMerge-v0",
...                               learner=FixedActionPolicy((3, 4)), seeds=[0], episodes=2,
...                               workers=1, progress=False)
>>> [record["outcome"] for record in study.records]
['main_first', 'main_first']
>>> outcome_rates(study.records)["main_first"]
1.0
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .._progress import progress_bar
from .._validation import check_positive_int
from .store import ResultStore
from .sweep import run_tasks

__all__ = ["HighwayStudy", "run_highway_study", "evaluate_highway_study", "load_params", "outcome_rates",
           "EVALUATION_OFFSET"]

#: Evaluation episode k of a seed is played from the environment seed and keys of episode EVALUATION_OFFSET + k,
#: never those of a training episode.
EVALUATION_OFFSET = 1_000_000


@dataclass(frozen=True)
class HighwayStudy:
    """The records of a highway study.

    Attributes
    ----------
    study_key : str
        The study's key in the store.
    parameters : dict
        What the key hashes: environment id, config and highway-env version, learner name and config.
    records : list of dict
        One per (seed, episode) of the requested seeds and episodes, sorted by seed then episode (see
        :func:`stackelberg.highway.run_episode` for the fields).
    checkpoint_dir : str
        Where the learner's parameters are kept.
    """

    study_key: str
    parameters: dict
    records: list
    checkpoint_dir: str


def _checkpoint(folder: str, seed: int, episode: int) -> str:
    return os.path.join(folder, f"seed-{seed}-episode-{episode}.pkl")


def _make_env(env_id: str, env_config: dict):
    import gymnasium

    from .. import highway  # noqa: F401  (registers the environments)

    return gymnasium.make(env_id, config=dict(env_config))


def _run_chunk(task: dict) -> list:
    """Play episodes ``start..stop-1`` of one seed from the checkpoint at ``start``; save the one at ``stop``."""
    from ..highway import EnvSpec, init_key, run_episode

    learner, seed, folder = task["learner"], task["seed"], task["checkpoint_dir"]
    env = _make_env(task["env_id"], task["env_config"])
    if task["start"] == 0:
        env.reset(seed=0)
        params = learner.init(EnvSpec.of(env), init_key(seed))
    else:
        with open(_checkpoint(folder, seed, task["start"]), "rb") as handle:
            params = pickle.load(handle)
    records = []
    for episode in range(task["start"], task["stop"]):
        params, record = run_episode(env, learner, params, seed=seed, episode=episode)
        records.append(record)
    env.close()
    target = _checkpoint(folder, seed, task["stop"])
    partial = target + f".{os.getpid()}.tmp"
    with open(partial, "wb") as handle:
        pickle.dump(params, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, target)
    return records


def study_parameters(env_id: str, env_config: dict, learner) -> dict:
    """The parameters a highway study's key hashes (see the module docstring)."""
    from importlib.metadata import version

    return {
        "study": "highway",
        "env_id": env_id,
        "env_config": env_config,
        "highway_env": version("highway-env"),
        "learner": learner.name,
        "learner_config": learner.config(),
    }


def run_highway_study(
    store: ResultStore,
    *,
    env_id: str,
    learner,
    seeds: Sequence[int],
    episodes: int,
    env_config: dict | None = None,
    chunk: int = 25,
    workers: int | None = None,
    scheduler=None,
    checkpoint_dir: str | os.PathLike | None = None,
    progress=None,
) -> HighwayStudy:
    """Train ``learner`` for ``episodes`` episodes on each seed, storing every episode; resume what is stored.

    Parameters
    ----------
    store : ResultStore
    env_id : str
        A registered id of :mod:`stackelberg.highway` (``"stackelberg/TwoVehicleMerge-v0"``, ...).
    learner
        A picklable object with the host-loop interface (:class:`stackelberg.highway.Learner`).
    seeds : sequence of int
        One independent training run per seed (non-negative integers).
    episodes : int
        Training episodes per seed.
    env_config : dict, optional
        Overrides of the environment's config (JSON values).
    chunk : int
        Episodes per task between checkpoints (the most work an interruption loses per seed).
    workers : int, optional
        Local processes (default: the usable CPU cores; 1 runs in this process).
    scheduler : optional
        A Dask scheduler address, client or cluster instead of local processes.
    checkpoint_dir : path, optional
        Default ``<store file>.checkpoints/<study key>``.
    progress : bool or None
        A bar over all episodes (None: only on a terminal).

    Returns
    -------
    HighwayStudy

    Raises
    ------
    TypeError, ValueError
        On bad arguments (naming the argument).
    FileNotFoundError
        If stored episodes have no checkpoint to resume from (a deleted checkpoint directory).
    """
    from ..highway import Learner

    if not isinstance(store, ResultStore):
        raise TypeError(f"store must be a ResultStore; got {type(store).__name__}")
    if not isinstance(learner, Learner):
        raise TypeError("learner must have name, config(), init(spec, key), act(params, obs, key) and "
                        f"update(params, batch); got {type(learner).__name__}")
    if not isinstance(env_id, str):
        raise TypeError(f"env_id must be a registered environment id (str); got {env_id!r}")
    _make_env(env_id, dict(env_config or {})).close()  # checks the id and the config early, in this process
    seeds = [check_positive_int("seeds[]", s, minimum=0) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {seeds}")
    episodes = check_positive_int("episodes", episodes)
    chunk = check_positive_int("chunk", chunk)
    env_config = dict(env_config or {})
    parameters = study_parameters(env_id, env_config, learner)
    key = store.register(parameters, key_fields=("seed", "episode"))
    folder = str(checkpoint_dir) if checkpoint_dir is not None else f"{store.path}.checkpoints/{key}"
    Path(folder).mkdir(parents=True, exist_ok=True)

    done = {seed: set() for seed in seeds}
    for seed, episode in store.keys(key):
        if seed in done:
            done[seed].add(episode)
    start = {}
    for seed in seeds:
        stored = 0
        while stored in done[seed]:
            stored += 1
        start[seed] = min(stored, episodes)
        if 0 < start[seed] < episodes and not os.path.exists(_checkpoint(folder, seed, start[seed])):
            raise FileNotFoundError(f"seed {seed} has {start[seed]} stored episodes but no checkpoint "
                                    f"{_checkpoint(folder, seed, start[seed])} to resume from")
    # worker processes fork from the forkserver: preloading the simulator there spares each pool its import
    # (ignored when the forkserver already runs; the sweep engine uses it where available)
    if "forkserver" in multiprocessing.get_all_start_methods():
        multiprocessing.set_forkserver_preload(["stackelberg.highway", "stackelberg.analysis.highway_study"])
    total = len(seeds) * episodes
    with progress_bar(total=total, description=f"{env_id} {learner.name}", unit="episode",
                      progress=progress) as bar:
        bar.update(sum(start.values()))
        while any(start[seed] < episodes for seed in seeds):
            tasks = []
            for seed in seeds:
                if start[seed] < episodes:
                    stop = min(start[seed] + chunk, episodes)
                    tasks.append({"env_id": env_id, "env_config": env_config, "learner": learner, "seed": seed,
                                  "start": start[seed], "stop": stop, "checkpoint_dir": folder})
            run_tasks(_run_chunk, tasks, workers=workers if scheduler is None else None, scheduler=scheduler,
                      store=store, study_key=key, progress=False)
            for task in tasks:
                if task["start"] > 0:
                    Path(_checkpoint(folder, task["seed"], task["start"])).unlink(missing_ok=True)
                start[task["seed"]] = task["stop"]
                bar.update(task["stop"] - task["start"])
    wanted = set(seeds)
    records = sorted((r for r in store.rows(key) if r["seed"] in wanted and r["episode"] < episodes),
                     key=lambda r: (r["seed"], r["episode"]))
    return HighwayStudy(study_key=key, parameters=parameters, records=records, checkpoint_dir=folder)


def _evaluate_seed(task: dict) -> list:
    from ..highway import run_episode

    env = _make_env(task["env_id"], task["env_config"])
    records = []
    for k in range(task["episodes"]):
        _, record = run_episode(env, task["learner"], task["params"], seed=task["seed"],
                                episode=EVALUATION_OFFSET + k, train=False)
        record["episode"] = k
        records.append(record)
    env.close()
    return records


def evaluate_highway_study(
    store: ResultStore,
    study: HighwayStudy,
    *,
    learner,
    episodes: int,
    workers: int | None = None,
    scheduler=None,
    progress=None,
) -> HighwayStudy:
    """Play ``episodes`` evaluation episodes (no updates) per seed from the trained parameters of ``study``.

    ``learner`` acts with the trained parameters: pass the training learner, or a variant that acts greedily
    (for :class:`~stackelberg.highway.LinearQLearner`, ``epsilon=0``). Records (``episode`` = 0..episodes-1,
    played with the seeds of episodes ``EVALUATION_OFFSET + k``) go to their own study, keyed by the trained
    study, its number of episodes and the evaluating learner; stored seeds are skipped.

    Returns
    -------
    HighwayStudy
        The evaluation records, sorted by seed then episode (``checkpoint_dir`` is the trained study's).

    Examples
    --------
    >>> import os, tempfile
    >>> from stackelberg.analysis.store import ResultStore
    >>> from stackelberg.highway import FixedActionPolicy
    >>> with ResultStore(os.path.join(tempfile.mkdtemp(), "merge.sqlite")) as store:
    ...     trained = run_highway_study(store, env_id="stackelberg/TwoVehicleMerge-v0",
    ...                                 learner=FixedActionPolicy((3, 4)), seeds=[0], episodes=1,
    ...                                 workers=1, progress=False)
    ...     tested = evaluate_highway_study(store, trained, learner=FixedActionPolicy((4, 3)), episodes=2,
    ...                                     workers=1, progress=False)
    >>> outcome_rates(tested.records)["ramp_first"]
    1.0
    """
    from ..highway import Learner

    if not isinstance(store, ResultStore):
        raise TypeError(f"store must be a ResultStore; got {type(store).__name__}")
    if not isinstance(study, HighwayStudy):
        raise TypeError(f"study must be a HighwayStudy (from run_highway_study); got {type(study).__name__}")
    if not isinstance(learner, Learner):
        raise TypeError("learner must have name, config(), init(spec, key), act(params, obs, key) and "
                        f"update(params, batch); got {type(learner).__name__}")
    episodes = check_positive_int("episodes", episodes)
    seeds = sorted({r["seed"] for r in study.records})
    trained = {seed: sum(r["seed"] == seed for r in study.records) for seed in seeds}
    parameters = {
        "study": "highway-evaluation",
        "trained": study.study_key,
        "trained_episodes": sorted(set(trained.values())),
        "episodes": episodes,
        "learner": learner.name,
        "learner_config": learner.config(),
    }
    key = store.register(parameters, key_fields=("seed", "episode"))
    stored = {seed for seed, _ in store.keys(key)}
    tasks = [{"env_id": study.parameters["env_id"], "env_config": study.parameters["env_config"],
              "learner": learner, "seed": seed, "episodes": episodes, "params": load_params(study, seed)}
             for seed in seeds if seed not in stored]
    with progress_bar(total=len(seeds) * episodes, description=f"evaluating {learner.name}", unit="episode",
                      progress=progress) as bar:
        bar.update((len(seeds) - len(tasks)) * episodes)
        if tasks:
            run_tasks(_evaluate_seed, tasks, workers=workers if scheduler is None else None, scheduler=scheduler,
                      store=store, study_key=key, progress=False)
            bar.update(len(tasks) * episodes)
    records = sorted(store.rows(key), key=lambda r: (r["seed"], r["episode"]))
    return HighwayStudy(study_key=key, parameters=parameters, records=records, checkpoint_dir=study.checkpoint_dir)


def load_params(study: HighwayStudy, seed: int):
    """The learner's parameters after the last stored episode of ``seed`` (from its checkpoint)."""
    episodes = [r["episode"] for r in study.records if r["seed"] == seed]
    if not episodes:
        raise ValueError(f"seed must be one of the study's seeds; got {seed!r}")
    with open(_checkpoint(study.checkpoint_dir, seed, max(episodes) + 1), "rb") as handle:
        return pickle.load(handle)


def outcome_rates(records: Sequence[dict]) -> dict:
    """The fraction of the two-vehicle merge's records with each outcome (Bi-AC Table 4's columns).

    Examples
    --------
    >>> outcome_rates([{"outcome": "main_first"}, {"outcome": "crash"}])
    {'main_first': 0.5, 'ramp_first': 0.0, 'crash': 0.5, 'timeout': 0.0}
    """
    outcomes = ("main_first", "ramp_first", "crash", "timeout")
    records = list(records)
    if not records:
        raise ValueError("records must not be empty")
    return {name: sum(r.get("outcome") == name for r in records) / len(records) for name in outcomes}
