"""What ``stackelberg train ALGORITHM GAME [--seeds N] [--steps N] [--format table|json]`` prints.

:func:`train_report` trains one learner on a game given as an object or a specification and returns its distance
to the exact answer (share of seeds at the exact solution, value gap, outcome shares) as a JSON-ready dict;
:func:`format_report` renders it as a table or JSON.

Game specifications: a catalogue name (``"escape"``, ``"penalty(k=-50)"``, anything :func:`stackelberg.get_game`
accepts), a ``.nfg``/``.json`` file (:func:`stackelberg.load_game`), a ``.npz`` Markov game
(:func:`stackelberg.load_markov_game`), or a Markov builder: ``"biac-grid"`` (:func:`stackelberg.biac_grid_game`)
or ``"coordination-grid[:SIZE]"`` (:func:`stackelberg.neural.envs.coordination_grid_game`, default size 15).

Examples
--------
>>> resolve_env("biac-grid").n_states, resolve_env("penalty:-50").action_counts
(82, (3, 3))
>>> report = {"algorithm": "bi-ac", "env": "Escape", "seeds": 4, "steps": 2000, "exact_outcomes": ["C-Z"],
...           "reference": "stackelberg_equilibria", "share_at_exact": 0.75, "exact_values": [30.0, 30.0],
...           "mean_values": [26.25, 26.25], "mean_value_gaps": [3.75, 3.75], "max_value_gaps": [15.0, 15.0],
...           "outcome_shares": {"C-Z": 0.75, "A-X": 0.25}, "seconds": 2.0, "env_steps_per_second": 4000.0}
>>> print(format_report(report, "table").splitlines()[1])  # what train_report("bi-ac", "escape", 4, 2000) returns
  share of seeds at the exact solution C-Z: 75.0%  (stackelberg_equilibria)
"""

from __future__ import annotations

import json
from pathlib import Path

from .._validation import check_choice
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame
from .envs import Env, grid_env, markov_env, matrix_env
from .train import train

__all__ = ["train_report", "format_report", "resolve_env"]


def resolve_env(game) -> Env:
    """An :class:`~stackelberg.neural.envs.Env` from a game object or specification (see the module docstring)."""
    import stackelberg as sb

    if isinstance(game, Env):
        return game
    if isinstance(game, NormalFormGame):
        return matrix_env(game)
    if isinstance(game, MarkovGame):
        return markov_env(game)
    if isinstance(game, Path):
        game = str(game)
    if not isinstance(game, str) or not game:
        raise TypeError(f"game must be a game, an Env or a specification string; got {game!r}")
    spec = game.strip()
    if spec == "biac-grid":
        return markov_env(sb.biac_grid_game(), name="Bi-AC grid game")
    if spec.startswith("coordination-grid"):
        _, _, size = spec.partition(":")
        try:
            size = int(size) if size else 15
        except ValueError:
            raise ValueError(f"game 'coordination-grid:SIZE' needs an integer SIZE; got {spec!r}") from None
        return grid_env(size)
    if spec.endswith(".npz"):
        return markov_env(sb.load_markov_game(spec), name=Path(spec).stem)
    if spec.endswith((".nfg", ".json")):
        return matrix_env(sb.load_game(spec))
    return matrix_env(sb.get_game(spec))


def train_report(algorithm: str, game, seeds=10, steps: int | None = None, *, config=None, progress=None) -> dict:
    """Train ``algorithm`` on ``game`` for ``seeds`` seeds and report its distance to the exact solution.

    Returns
    -------
    dict
        :meth:`~stackelberg.neural.train.TrainResult.to_dict` (algorithm, env, seeds, steps, reference,
        exact_outcomes, share_at_exact, outcome_shares, exact_values, mean_values, mean_value_gaps,
        max_value_gaps, seconds, env_steps_per_second).
    """
    result = train(algorithm, resolve_env(game), config, seeds=seeds, steps=steps, progress=progress)
    return result.to_dict()


def format_report(report: dict, fmt: str = "table") -> str:
    """Render :func:`train_report`'s dict as ``"table"`` (plain text) or ``"json"``."""
    fmt = check_choice("fmt", fmt, ("table", "json"))
    if fmt == "json":
        return json.dumps(report, indent=2)
    vec = lambda xs: "(" + ", ".join(f"{x:.4g}" for x in xs) + ")"  # noqa: E731
    lines = [
        f"{report['algorithm']} on {report['env']}: {report['seeds']} seeds x {report['steps']} steps",
        f"  share of seeds at the exact solution {', '.join(report['exact_outcomes'])}: "
        f"{100 * report['share_at_exact']:.1f}%  ({report['reference']})",
        f"  value gap (exact - learned): mean {vec(report['mean_value_gaps'])}, worst {vec(report['max_value_gaps'])}"
        f"  exact {vec(report['exact_values'])}",
        f"  mean value of the greedy policies: {vec(report['mean_values'])}",
        "  outcome shares:",
    ]
    lines += [f"    {name:24s} {100 * share:5.1f}%" for name, share in report["outcome_shares"].items()]
    lines.append(f"  {report['seconds']:.1f} s, {report['env_steps_per_second']:,.0f} environment steps/s")
    return "\n".join(lines)
