"""``stackelberg train ALGORITHM GAME``: a neural learner over many seeds, measured against the exact solution.

Needs the ``neural`` extra (JAX, flax, optax): without it the verb prints one line naming
``pip install "stackelberg[neural]"`` and exits with code 2.
"""

from __future__ import annotations

from pathlib import Path

from ._common import CommandError, add_progress_argument, load_game_spec, load_markov_spec, progress_flag, sentence
from .markov import add_builder_arguments, markov_game_help

__all__ = ["ALGORITHMS", "add_parser", "run"]

#: The learners of :mod:`stackelberg.neural` (listed here so that ``--help`` works without the extra).
ALGORITHMS = ("bi-ac", "i-dqn", "hysteretic-dqn", "lenient-dqn", "maddpg", "mappo", "step", "nlevel-ac")
HELP = ("train a neural learner (Bi-AC, I-DQN, MADDPG, MAPPO, STEP, ...) on every seed at once and measure it "
        "against the exact solution")


def add_parser(subparsers) -> None:
    """The ``train`` verb and its options."""
    p = subparsers.add_parser("train", help=HELP, description=sentence(HELP))
    p.add_argument("algorithm", metavar="ALGORITHM", help=f"the learner: {', '.join(ALGORITHMS)}")
    p.add_argument("game", metavar="GAME",
                   help="a catalogue game (e.g. escape, penalty:-50), a .nfg/.json file, "
                        f"{markov_game_help()}, or coordination-grid[:SIZE]")
    add_builder_arguments(p, horizon=True)
    p.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1, trained as one program (default 10)")
    p.add_argument("--steps", type=int, default=None,
                   help="environment steps per seed (default: the learner's configuration)")
    add_progress_argument(p)
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="output: a plain-text report (default) or JSON")
    p.set_defaults(run=run)


def _game(args):
    """The game object (or a :func:`stackelberg.neural.report.resolve_env` specification) GAME names."""
    from ..games.markov_catalog import MARKOV_GAMES

    builder = dict(stage=args.stage, gamma=args.gamma, horizon=args.horizon, agents=args.agents,
                   required=args.required)
    if args.game in MARKOV_GAMES or Path(args.game).suffix.lower() == ".npz":
        return load_markov_spec(args.game, **builder)
    given = [key for key, value in builder.items() if value is not None]
    if given:
        raise CommandError(f"--{given[0]} applies to built Markov games, not to GAME {args.game!r}")
    if args.game == "biac-grid" or args.game.startswith("coordination-grid"):
        return args.game
    return load_game_spec(args.game)


def run(args) -> int:
    """Train, then print the outcome shares, the share of seeds at the exact solution and the value gap."""
    if args.seeds < 1:
        raise CommandError(f"--seeds must be at least 1; got {args.seeds}")
    if args.steps is not None and args.steps < 1:
        raise CommandError(f"--steps must be at least 1; got {args.steps}")
    from ..neural.report import format_report, train_report  # MissingExtraError names the pip extra

    game = _game(args)

    report = train_report(args.algorithm, game, seeds=args.seeds, steps=args.steps, progress=progress_flag(args))
    print(format_report(report, args.format))
    return 0
