"""``stackelberg learn GAME``: a tabular learner over many independent runs, and where their greedy play ends."""

from __future__ import annotations

from ._common import (
    CommandError, SELECTIONS, add_format_argument, add_progress_argument, load_markov_spec, number, parse_list,
    progress_flag, render, sentence, strategy,
)
from .markov import add_builder_arguments, markov_game_help

__all__ = ["LEARNERS", "add_parser", "run"]

LEARNERS = ("bilevel-q", "bi-ac", "nlevel", "independent-q", "hysteretic-q", "lenient-q", "nash-q", "minimax-q")
HELP = "run a tabular learner (bi-level Q, Bi-AC, N-level, ...) over many runs and count where they end"


def add_parser(subparsers) -> None:
    """The ``learn`` verb and its options."""
    p = subparsers.add_parser("learn", help=HELP, description=sentence(HELP))
    p.add_argument("game", metavar="GAME", help=markov_game_help())
    p.add_argument("--learner", choices=LEARNERS, default="bilevel-q",
                   help="bilevel-q (default), bi-ac (bi-level actor-critic), nlevel (N players), independent-q, "
                        "hysteretic-q and lenient-q (optimistic independent learners; defaults: decrease rate 0.01; "
                        "temperature 1, moderation 2, decay 0.995), nash-q, minimax-q (zero-sum)")
    add_builder_arguments(p, horizon=False)
    p.add_argument("--gamma", type=float, default=None,
                   help="the learners' discount (default: the game's; 0.9 for built discounted games; required "
                        "for escape-room, which is finite-horizon)")
    p.add_argument("--episodes", type=int, default=400, help="episodes per run (default 400)")
    p.add_argument("--steps", type=int, default=25, help="steps per episode (default 25)")
    p.add_argument("--runs", type=int, default=100, help="independent runs, vectorised (default 100)")
    p.add_argument("--epsilon", type=float, default=None, help="constant exploration (default: linear decay 1 -> 0)")
    p.add_argument("--beta", type=float, default=0.003, help="actor step size (bi-ac, nlevel; default 0.003)")
    p.add_argument("--order", default=None, metavar="P,P,...",
                   help="nlevel: comma-separated priority order of the players (default 0,1,...)")
    p.add_argument("--selection", choices=SELECTIONS, default="first",
                   help="nash-q: equilibrium-selection rule (default first)")
    p.add_argument("--seed", type=int, default=0, help="seed of the runs (default 0)")
    add_progress_argument(p)
    add_format_argument(p)
    p.set_defaults(run=run)


def run(args) -> int:
    """Run the learner and print the greedy joint actions at the initial state, with their share of the runs."""
    from collections import Counter

    from ..games.markov_catalog import MARKOV_GAMES
    from ..solvers import learning

    builds_gamma = args.game in MARKOV_GAMES and "gamma" in MARKOV_GAMES[args.game].parameters
    game = load_markov_spec(args.game, stage=args.stage, gamma=args.gamma if builds_gamma else None,
                            agents=args.agents, required=args.required)
    gamma = args.gamma if args.gamma is not None else game.gamma
    if gamma is None:
        raise CommandError(f"GAME {args.game!r} is finite-horizon: give the learners a discount --gamma in [0, 1)")
    if args.learner != "nlevel" and game.n_players != 2:
        raise CommandError(f"--learner {args.learner} needs a 2-player game; GAME {args.game!r} has "
                           f"{game.n_players} players (use --learner nlevel for N players)")
    common = dict(episodes=args.episodes, steps_per_episode=args.steps, runs=args.runs, seed=args.seed,
                  gamma=gamma, progress=progress_flag(args))
    if args.epsilon is not None:
        common["epsilon"] = args.epsilon
    if args.learner == "nlevel":
        order = None if args.order is None else parse_list("--order", args.order, int)
        result = learning.nlevel_learning(game, order, beta=args.beta, **common)
    elif args.learner == "bi-ac":
        result = learning.bilevel_actor_critic(game, beta=args.beta, **common)
    elif args.learner == "nash-q":
        result = learning.nash_q_learning(game, args.selection, **common)
    else:
        function = {"bilevel-q": learning.bilevel_q_learning, "independent-q": learning.independent_q_learning,
                    "hysteretic-q": learning.hysteretic_q_learning, "lenient-q": learning.lenient_q_learning,
                    "minimax-q": learning.minimax_q_learning}[args.learner]
        result = function(game, **common)
    s = result.initial_state
    names = game.action_names
    counts = Counter(tuple(int(a) for a in row) for row in result.greedy_actions[:, s])
    rows = []
    for joint, count in counts.most_common():
        row = {player: names[p][a] for p, (player, a) in enumerate(zip(game.player_names, joint))}
        flat = game.joint_index(joint)
        row.update({f"r[{player}]": number(float(game.rewards[p, s, flat]))
                    for p, player in enumerate(game.player_names)})
        row["runs"] = count
        row["share"] = f"{count / result.runs:.0%}"
        rows.append(row)
    title = (f"{args.learner}: greedy joint actions at {game.state_names[s]} after {args.episodes} episodes x "
             f"{args.steps} steps, {result.runs} runs")
    print(render(rows, args.format, title))
    if args.format == "table" and result.algorithm in ("nash", "minimax"):  # their play is a mixed strategy
        for p, player in enumerate(game.player_names):
            mean = result.policies[p][:, s].mean(axis=0)
            print(f"mean final strategy of {player}: {strategy(names[p], mean.round(3))}")
    return 0
