r"""Train a neural learner on every seed at once and measure it against the exact solution.

:func:`train` looks the learner up in the registry (:data:`ALGORITHMS`; see :mod:`stackelberg.neural.program`
for the contract), runs all seeds as one ``jax.jit(jax.vmap(...))`` program (in chunks, with a progress bar,
when the learner offers them), reads off each seed's greedy joint policy at every state and evaluates it
*exactly* on the environment's source model:

- a normal-form game (:func:`~stackelberg.neural.envs.matrix_env`): the reference is the pure strong
  Stackelberg equilibrium with player 0 leading (:func:`stackelberg.stackelberg_equilibria`; the N-level
  :func:`stackelberg.sequential_equilibria` for more players); a seed is *at the exact solution* when its greedy
  joint action at every stage is an equilibrium outcome;
- a Markov game (:func:`~stackelberg.neural.envs.markov_env`): the reference is bi-level value iteration
  (:func:`stackelberg.solve_bilevel`; :func:`stackelberg.solve_sequential` for more players); each greedy joint
  policy is evaluated with :func:`stackelberg.policy_evaluation` on the game's per-player team MDPs, and a seed is
  at the exact solution when every player's value at the initial distribution is within ``1e-6`` (relative) of
  the reference's.

The value gap is ``exact value - learned value`` per player (positive: the learner falls short).

Examples
--------
>>> import stackelberg as sb
>>> from stackelberg.neural.train import exact_reference, train
>>> reference = exact_reference(sb.get_game("escape"))  # what every seed is measured against
>>> reference["outcomes"], reference["values"].tolist()
([(2, 2)], [30.0, 30.0])
>>> train("bi-ac", sb.get_game("escape"), {"steps": 0})  # a real run compiles for ~10 s; see the tests
Traceback (most recent call last):
...
ValueError: steps must be an integer >= 1; got 0
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import importlib
import json
import pkgutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from .._progress import progress_iter
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame
from . import offpolicy as _offpolicy  # noqa: F401  (registers the built-in learners)
from .envs import Env, EnvState, markov_env, matrix_env
from .program import ALGORITHMS, Algorithm, Program, ProgramCache, register_algorithm

__all__ = ["train", "TrainResult", "ALGORITHMS", "register_algorithm", "exact_reference", "algorithm_names", "dumps"]

_VALUE_RTOL = 1e-6


def algorithm_names() -> list[str]:
    """Names of the registered learners (after loading every learner module of the package)."""
    _load_plugins()
    return sorted(ALGORITHMS)


def _load_plugins():
    """Import every learner module of ``stackelberg.neural`` so that each registers its algorithms."""
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_") and info.name not in ("train", "report"):
            importlib.import_module(f"{__package__}.{info.name}")


def _lookup(algorithm) -> Algorithm:
    if not isinstance(algorithm, str):
        raise TypeError(f"algorithm must be a string naming a learner; got {type(algorithm).__name__}")
    if algorithm not in ALGORITHMS:
        _load_plugins()
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(sorted(ALGORITHMS))}; got {algorithm!r}")
    return ALGORITHMS[algorithm]


def _resolve_config(entry: Algorithm, config, steps):
    if config is None:
        config = entry.config_class()
    elif isinstance(config, dict):
        names = {f.name for f in dataclasses.fields(entry.config_class)}
        unknown = sorted(set(config) - names)
        if unknown:
            raise ValueError(f"config has unknown {entry.config_class.__name__} field(s): {', '.join(unknown)}")
        config = entry.config_class(**config)
    elif not isinstance(config, entry.config_class):
        raise TypeError(
            f"config must be a {entry.config_class.__name__} (or a dict of its fields) for {entry.name!r}; "
            f"got {type(config).__name__}"
        )
    if steps is not None:
        config = dataclasses.replace(config, steps=steps)
    return config


def _resolve_seeds(seeds) -> tuple[int, ...]:
    if isinstance(seeds, (bool, np.bool_)):
        raise TypeError(f"seeds must be a positive number of seeds or a sequence of integer seeds; got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1 (the number of seeds to run); got {seeds}")
        return tuple(range(int(seeds)))
    try:
        values = tuple(seeds)
    except TypeError:
        raise TypeError(f"seeds must be a number of seeds or a sequence of integer seeds; got {seeds!r}") from None
    if not values:
        raise ValueError("seeds must hold at least one seed; got an empty sequence")
    for s in values:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 or s >= 2**32:
            raise ValueError(f"seeds must be integers in [0, 2**32); got {s!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"seeds must be distinct; got {values}")
    return tuple(int(s) for s in values)


def _as_env(env) -> Env:
    if isinstance(env, Env):
        return env
    if isinstance(env, NormalFormGame):
        return matrix_env(env)
    if isinstance(env, MarkovGame):
        return markov_env(env)
    raise TypeError(f"env must be an Env, a NormalFormGame or a MarkovGame; got {type(env).__name__}")


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True)
class TrainResult:
    """All seeds of one training run, measured against the exact solution.

    Attributes
    ----------
    algorithm, env_name : str
    config : dataclass
        The learner's configuration.
    seeds : tuple of int
    steps : int
        Environment steps per seed.
    reference : str
        The exact solver the run is measured against.
    greedy_policies : numpy.ndarray
        Each seed's greedy joint policy, int ``(n_seeds, [H,] S, n_agents)`` (a time axis for finite horizons).
    outcomes : tuple of str
        Per seed: the greedy joint action (``"C-Z"``) for a normal-form game; the rounded exact value vector
        of the greedy policy for a Markov game.
    outcome_shares : dict
        Share of seeds per outcome (most frequent first).
    exact_outcomes : tuple of str
        The reference's outcomes (equilibrium joint actions, or its value vector).
    at_exact : numpy.ndarray
        ``(n_seeds,)`` bool: the seed's greedy joint policy is an exact solution.
    share_at_exact : float
    values : numpy.ndarray
        ``(n_seeds, n_agents)`` exact values of the greedy joint policies (game payoffs summed over the stages
        for a repeated matrix game; values at the initial distribution for a Markov game).
    exact_values : numpy.ndarray
        ``(n_agents,)`` the reference's values.
    value_gaps : numpy.ndarray
        ``exact_values - values``, ``(n_seeds, n_agents)``.
    curves : dict
        Per-seed learning curves, each ``(n_seeds, n_blocks, ...)`` (see :mod:`stackelberg.neural.program`).
    curve_steps : numpy.ndarray
        Environment steps at the end of each block.
    seconds : float
        Wall time of the training program (compilation included).
    env_steps_per_second : float
        ``n_seeds * steps / seconds``.
    action_labels : tuple of str
        Labels of the joint actions (curve axes).
    """

    algorithm: str
    env_name: str
    config: object = field(repr=False)
    seeds: tuple
    steps: int
    reference: str
    greedy_policies: np.ndarray = field(repr=False)
    outcomes: tuple = field(repr=False)
    outcome_shares: dict
    exact_outcomes: tuple
    at_exact: np.ndarray = field(repr=False)
    share_at_exact: float
    values: np.ndarray = field(repr=False)
    exact_values: np.ndarray
    value_gaps: np.ndarray = field(repr=False)
    curves: dict = field(repr=False)
    curve_steps: np.ndarray = field(repr=False)
    seconds: float
    env_steps_per_second: float
    action_labels: tuple = field(repr=False, default=())

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    @property
    def mean_values(self) -> np.ndarray:
        """Mean over seeds of the greedy policies' exact values, ``(n_agents,)``."""
        return self.values.mean(axis=0)

    @property
    def mean_value_gaps(self) -> np.ndarray:
        """Mean over seeds of the value gaps, ``(n_agents,)``."""
        return self.value_gaps.mean(axis=0)

    def to_dict(self) -> dict:
        """A JSON-ready summary (no per-state policies or curves)."""
        return {
            "algorithm": self.algorithm,
            "env": self.env_name,
            "seeds": len(self.seeds),
            "steps": self.steps,
            "reference": self.reference,
            "exact_outcomes": list(self.exact_outcomes),
            "share_at_exact": self.share_at_exact,
            "outcome_shares": dict(self.outcome_shares),
            "exact_values": self.exact_values.tolist(),
            "mean_values": self.mean_values.tolist(),
            "mean_value_gaps": self.mean_value_gaps.tolist(),
            "max_value_gaps": self.value_gaps.max(axis=0).tolist(),
            "seconds": self.seconds,
            "env_steps_per_second": self.env_steps_per_second,
        }

    def summary(self) -> str:
        """A short plain-text report: the distance to the exact answer first."""
        shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in self.outcome_shares.items())
        fmt = lambda xs: "(" + ", ".join(f"{x:.4g}" for x in xs) + ")"  # noqa: E731
        return "\n".join(
            [
                f"{self.algorithm} on {self.env_name}: {len(self.seeds)} seeds x {self.steps} steps "
                f"({self.seconds:.1f} s, {self.env_steps_per_second:,.0f} env steps/s)",
                f"  at the exact solution {', '.join(self.exact_outcomes)} ({self.reference}): "
                f"{100 * self.share_at_exact:.0f}% of seeds",
                f"  value gap to exact {fmt(self.exact_values)}: mean {fmt(self.mean_value_gaps)}, "
                f"worst {fmt(self.value_gaps.max(axis=0))}",
                f"  mean greedy value {fmt(self.mean_values)}",
                f"  outcomes: {shares}",
            ]
        )

    def write_csv(self, path) -> Path:
        """Write one row per seed: outcome, at_exact, values, gaps and final training rewards."""
        path = Path(path)
        n = self.values.shape[1]
        final = self.curves["reward"][:, -1]
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["seed", "outcome", "at_exact"]
                + [f"value_{p}" for p in range(n)]
                + [f"gap_{p}" for p in range(n)]
                + [f"final_train_reward_{p}" for p in range(n)]
            )
            for i, seed in enumerate(self.seeds):
                writer.writerow(
                    [seed, self.outcomes[i], int(self.at_exact[i])]
                    + [f"{v:.6g}" for v in self.values[i]]
                    + [f"{v:.6g}" for v in self.value_gaps[i]]
                    + [f"{v:.6g}" for v in final[i]]
                )
        return path

    def plot_curves(self, path) -> Path:
        """Write learning curves (PNG): training reward per agent, joint-action shares, share of seeds whose
        greedy joint action at the first state is an exact outcome (normal-form games)."""
        from .._plotting import pyplot, save_figure

        plt = pyplot()
        path = Path(path)
        steps = self.curve_steps
        fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
        rewards = self.curves["reward"]
        for p in range(rewards.shape[2]):
            mean = rewards[:, :, p].mean(axis=0)
            low, high = np.percentile(rewards[:, :, p], [25, 75], axis=0)
            axes[0].plot(steps, mean, label=f"agent {p}")
            axes[0].fill_between(steps, low, high, alpha=0.2)
        axes[0].set(xlabel="environment steps", ylabel="mean reward per step", title="training reward")
        axes[0].legend()
        shares = self.curves["joint_action_share"].mean(axis=0)
        top = np.argsort(-shares[-1])[:6]
        for a in top:
            label = self.action_labels[a] if a < len(self.action_labels) else str(a)
            axes[1].plot(steps, shares[:, a], label=label)
        axes[1].set(xlabel="environment steps", ylabel="share of steps", title="joint actions played", ylim=(0, 1))
        axes[1].legend(fontsize=8)
        greedy = self.curves["greedy_joint_action"]
        exact = [self.action_labels.index(o) for o in self.exact_outcomes if o in self.action_labels]
        if exact:
            at = np.isin(greedy, exact).mean(axis=0)
            axes[2].plot(steps, at)
            axes[2].set(ylim=(0, 1.02), title=f"greedy at {'/'.join(self.exact_outcomes)}")
        else:
            axes[2].set(title="greedy joint action at the first state")
            axes[2].plot(steps, greedy.T, alpha=0.3)
        axes[2].set(xlabel="environment steps", ylabel="share of seeds")
        fig.suptitle(f"{self.algorithm} on {self.env_name} ({len(self.seeds)} seeds)")
        save_figure(fig, path, dpi=110)
        return path


# ---------------------------------------------------------------------------- exact reference
def _labels(game, n_agents, counts) -> tuple[str, ...]:
    names = getattr(game, "action_names", None)
    out = []
    for a in range(int(np.prod(counts))):
        actions = np.unravel_index(a, counts)
        if names is not None:
            out.append("-".join(names[p][k] for p, k in enumerate(actions)))
        else:
            out.append("-".join(str(k) for k in actions))
    return tuple(out)


def exact_reference(source) -> dict:
    """The exact solution a learner on ``source`` is measured against.

    Returns a dict with ``"reference"`` (solver name), ``"values"`` (``(N,)`` values) and, for a normal-form
    game, ``"outcomes"`` (equilibrium joint-action tuples) or, for a Markov game, ``"solution"``.

    Examples
    --------
    >>> import stackelberg as sb
    >>> ref = exact_reference(sb.get_game("maintain"))
    >>> ref["outcomes"], ref["values"].tolist()
    ([(0, 0)], [20.0, 15.0])
    """
    import stackelberg as sb

    if isinstance(source, NormalFormGame):
        if source.n_players == 2:
            solutions = sb.stackelberg_equilibria(source, leader=0, commitment="pure", tie_break="strong")
            outcomes = [(int(np.argmax(np.asarray(s.leader_strategy, dtype=float))), int(s.follower_action))
                        for s in solutions]
            reference = "stackelberg_equilibria (pure, strong, player 0 leads)"
        else:
            solutions = sb.sequential_equilibria(source, tie_break="strong")
            outcomes = [tuple(int(a) for a in s.actions) for s in solutions]
            reference = "sequential_equilibria (N-level, strong)"
        outcomes = sorted(set(outcomes))
        values = np.array([float(source.payoffs[p][outcomes[0]]) for p in range(source.n_players)])
        return {"reference": reference, "outcomes": outcomes, "values": values}
    if isinstance(source, MarkovGame):
        if source.n_players == 2:
            solution = sb.solve_bilevel(source, leader=0)
            reference = "solve_bilevel (pure, strong, player 0 leads)"
        else:
            solution = sb.solve_sequential(source)
            reference = "solve_sequential (N-level, strong)"
        values = solution.values[0] if source.is_finite_horizon else solution.values
        return {"reference": reference, "solution": solution,
                "values": values @ np.asarray(source.initial_distribution)}
    raise TypeError(f"source must be a NormalFormGame or a MarkovGame; got {type(source).__name__}")


def _greedy_policies(env: Env, program: Program, params, n_seeds) -> np.ndarray:
    """Greedy joint actions of every seed at every (time, state): ``(n_seeds, [H,] S, N)``."""
    times = np.arange(env.horizon) if env.time_feature else np.zeros(1, np.int64)
    states = np.arange(env.n_states)
    tt, ss = np.meshgrid(times, states, indexing="ij")
    grid = EnvState(jnp.asarray(ss.ravel(), jnp.int32), jnp.asarray(tt.ravel(), jnp.int32))
    obs = jax.vmap(env.observe)(grid)  # (T*S, N, d)
    per_seed = jax.jit(jax.vmap(program.act, in_axes=(None, 0)))
    out = []
    for i in range(n_seeds):
        seed_params = jax.tree_util.tree_map(lambda x, i=i: x[i], params)
        chunks = [per_seed(seed_params, obs[j:j + 8192]) for j in range(0, obs.shape[0], 8192)]
        out.append(np.asarray(jnp.concatenate(chunks)).reshape(len(times), len(states), env.n_agents))
    policies = np.stack(out)
    return policies if env.time_feature else policies[:, 0]


def _measure(env: Env, policies: np.ndarray, reference: dict):
    """Values, at-exact flags and outcome labels of the greedy joint policies."""
    import stackelberg as sb

    source = env.source
    labels = _labels(source, env.n_agents, env.action_counts)
    n_seeds = policies.shape[0]
    if isinstance(source, NormalFormGame):
        stages = policies[:, :, 0, :] if env.time_feature else policies[:, None, 0, :]  # (n, T, N)
        payoffs = np.stack([np.asarray(p, dtype=float) for p in source.payoffs])  # (N, n_0, ...)
        idx = tuple(stages[..., p] for p in range(env.n_agents))
        stage_values = np.moveaxis(payoffs[(slice(None),) + idx], 0, -1)  # (n, T, N)
        values = stage_values.sum(axis=1) * (env.horizon / stages.shape[1])
        exact_set = set(reference["outcomes"])
        at = np.array([all(tuple(a) in exact_set for a in seed) for seed in stages])
        joint = np.ravel_multi_index(tuple(stages[..., p] for p in range(env.n_agents)), env.action_counts)
        outcomes = tuple(labels[j[0]] if np.all(j == j[0]) else "varies over stages" for j in joint)
        exact_outcomes = tuple(labels[np.ravel_multi_index(o, env.action_counts)] for o in reference["outcomes"])
        return values, reference["values"] * env.horizon, at, outcomes, exact_outcomes, labels
    mu = np.asarray(source.initial_distribution)
    mdps = [source.team_mdp(np.eye(source.n_players)[p]) for p in range(source.n_players)]
    values = np.zeros((n_seeds, source.n_players))
    for i in range(n_seeds):
        joint = np.ravel_multi_index(tuple(policies[i, ..., p] for p in range(env.n_agents)), env.action_counts)
        for p, mdp in enumerate(mdps):
            v = sb.policy_evaluation(mdp, joint)
            values[i, p] = (v[0] if source.is_finite_horizon else v) @ mu
    exact = reference["values"]
    at = np.all(np.abs(values - exact) <= _VALUE_RTOL * np.maximum(1.0, np.abs(exact)), axis=1)
    fmt = lambda v: "(" + ", ".join(f"{x:.4g}" for x in v) + ")"  # noqa: E731
    outcomes = tuple(fmt(v) for v in values)
    return values, exact, at, outcomes, (fmt(exact),), labels


# ---------------------------------------------------------------------------- train
_COMPILED = ProgramCache(limit=8)


def _env_key(env: Env) -> tuple:
    """Equal for environments with equal static fields and arrays (their programs are interchangeable)."""
    digest = hashlib.sha1()
    for name in ("rewards", "next_states", "next_cdf", "initial_states", "initial_cdf", "terminal", "features"):
        array = np.asarray(getattr(env, name))
        digest.update(str((name, array.dtype.str, array.shape)).encode())
        digest.update(array.tobytes())
    return (env.n_agents, env.n_states, env.action_counts, env.obs_dim, env.horizon, env.gamma,
            env.finite_horizon, env.time_feature, digest.hexdigest())


def _compiled(entry: Algorithm, env: Env, config):
    """The learner's program and its vmapped functions, reused for equal (env, config) pairs (up to 8 kept).

    ``init`` runs eagerly (a few hundred small operations: cheaper than compiling it); the chunk is jitted.
    """

    def build():
        program = entry.make_train(env, config)
        if program.chunk is not None and program.init is not None:
            axes = program.carry_axes
            return (program, jax.vmap(program.init, out_axes=axes),
                    jax.jit(jax.vmap(program.chunk, in_axes=(axes,), out_axes=(axes, 0))), None)
        return program, None, None, jax.jit(jax.vmap(program.train_one))

    return _COMPILED.get((entry.name, entry.make_train, _env_key(env), config), build)


def train(algorithm: str, env, config=None, *, seeds=10, steps: int | None = None, progress=None) -> TrainResult:
    """Train ``algorithm`` on ``env`` for every seed as one vectorised program; measure it against the exact answer.

    Parameters
    ----------
    algorithm : str
        A registered learner: ``"bi-ac"``, ``"i-dqn"``, ``"hysteretic-dqn"``, ``"lenient-dqn"``, ``"maddpg"``
        and whatever other learner modules of :mod:`stackelberg.neural` register (:func:`algorithm_names`).
    env : Env, NormalFormGame or MarkovGame
        The environment (a game is wrapped with :func:`~stackelberg.neural.envs.matrix_env` or
        :func:`~stackelberg.neural.envs.markov_env`).
    config : dataclass or dict, optional
        The learner's configuration (default: its class's defaults, the paper's settings); a dict of fields is
        accepted.
    seeds : int or sequence of int
        Number of seeds (``0 .. seeds-1``) or the seeds themselves. Seed ``s`` uses ``jax.random.PRNGKey(s)``:
        the same seeds give the same result, in any order. A seed run beside a different *number* of seeds
        draws the same random numbers but can differ in the last bits (XLA picks its kernels by batch size;
        measured: a leader Q off by 0.01 after 600 steps on Escape, 3 seeds against 8), and training can
        amplify that; compare runs of equal size.
    steps : int, optional
        Environment steps per seed (overrides ``config.steps``).
    progress : bool, optional
        Progress bar over the program's chunks (None: only on a terminal).

    Returns
    -------
    TrainResult

    Raises
    ------
    ValueError
        For an unknown algorithm, no seeds, or an invalid configuration (the message names the field).
    TypeError
        For a configuration of another learner or an environment of the wrong type.
    """
    entry = _lookup(algorithm)
    env = _as_env(env)
    config = _resolve_config(entry, config, steps)
    seed_tuple = _resolve_seeds(seeds)
    program, init, chunk, train_all = _compiled(entry, env, config)
    keys = jax.vmap(jax.random.PRNGKey)(jnp.asarray(np.array(seed_tuple, dtype=np.uint32)))
    start = time.perf_counter()
    if chunk is not None:
        carry = init(keys)
        pieces = []
        for _ in progress_iter(range(program.n_chunks), total=program.n_chunks,
                               description=f"{algorithm} x {len(seed_tuple)} seeds", unit="chunk",
                               progress=progress):
            carry, metrics = chunk(carry)
            pieces.append(metrics)
        metrics = jax.tree_util.tree_map(lambda *xs: jnp.concatenate(xs, axis=1), *pieces)
        params = jax.vmap(program.params, in_axes=(program.carry_axes,))(carry)
    else:
        params, metrics = train_all(keys)
    metrics = jax.tree_util.tree_map(lambda x: np.asarray(x)[:, : program.n_blocks], metrics)
    params = jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    total_steps = int(getattr(config, "steps", 0))
    policies = _greedy_policies(env, program, params, len(seed_tuple))
    reference = exact_reference(env.source)
    values, exact, at, outcomes, exact_outcomes, labels = _measure(env, policies, reference)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o] = counts.get(o, 0) + 1
    shares = {k: v / len(outcomes) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
    curve_steps = metrics["step"][0] if "step" in metrics else np.arange(program.n_blocks)
    return TrainResult(
        algorithm=algorithm,
        env_name=env.name,
        config=config,
        seeds=seed_tuple,
        steps=total_steps,
        reference=reference["reference"],
        greedy_policies=policies,
        outcomes=outcomes,
        outcome_shares=shares,
        exact_outcomes=exact_outcomes,
        at_exact=at,
        share_at_exact=float(np.mean(at)),
        values=values,
        exact_values=np.asarray(exact, dtype=float),
        value_gaps=np.asarray(exact, dtype=float)[None, :] - values,
        curves=metrics,
        curve_steps=np.asarray(curve_steps),
        seconds=seconds,
        env_steps_per_second=len(seed_tuple) * total_steps / max(seconds, 1e-9),
        action_labels=labels,
    )


def _json_default(value):  # pragma: no cover - helper for callers dumping to_dict()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)


def dumps(result: TrainResult) -> str:
    """``result.to_dict()`` as JSON."""
    return json.dumps(result.to_dict(), default=_json_default, indent=2)

