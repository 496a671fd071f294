"""``stackelberg markov GAME``: solve a tabular Markov game exactly (value iteration / backward induction, BiRL)."""

from __future__ import annotations

from ._common import (
    CommandError, SELECTIONS, TIE_BREAKS, add_format_argument, add_progress_argument, load_markov_spec, number,
    parse_list, progress_flag, render, sentence, strategy,
)

__all__ = ["MARKOV_SOLVERS", "add_parser", "markov_game_help", "run"]

MARKOV_SOLVERS = ("bilevel", "sequential", "nash", "minimax", "birl")
HELP = "solve a tabular Markov game: bi-level, N-level, Nash or minimax value iteration, or exact BiRL"


def markov_game_help() -> str:
    """The GAME argument's help: a .npz file or one of the catalogue's names."""
    from ..games.markov_catalog import markov_game_names

    return f"a .npz Markov-game file or a builder: {', '.join(markov_game_names())}"


def add_builder_arguments(p, *, horizon: bool) -> None:
    """The options that set a builder's parameters (see 'stackelberg games')."""
    p.add_argument("--stage", default=None, metavar="NAME",
                   help="repeated/memory-one: the catalogue stage game (e.g. maintain, penalty:-50)")
    if horizon:
        p.add_argument("--gamma", type=float, default=None,
                       help="discount of a built game (default 0.9; escape-room is finite-horizon)")
        p.add_argument("--horizon", type=int, default=None,
                       help="finite horizon of a built game (repeated, memory-one; escape-room default 5)")
    p.add_argument("--agents", type=int, default=None, help="escape-room: number of agents N (default 2)")
    p.add_argument("--required", type=int, default=None, help="escape-room: agents M needed at the lever (default 1)")


def add_parser(subparsers) -> None:
    """The ``markov`` verb and its options."""
    p = subparsers.add_parser("markov", help=HELP, description=sentence(HELP))
    p.add_argument("game", metavar="GAME", help=markov_game_help())
    p.add_argument("--solver", choices=MARKOV_SOLVERS, default="bilevel",
                   help="bilevel: bi-level value iteration (2 players, default); sequential: N-level value "
                        "iteration (N players); nash: Nash value iteration; minimax: zero-sum value iteration; "
                        "birl: the exact bi-level RL solution by enumeration")
    add_builder_arguments(p, horizon=True)
    p.add_argument("--leader", type=int, default=0, help="bilevel/nash/birl: index of the leader (default 0)")
    p.add_argument("--tie-break", dest="tie_break", choices=TIE_BREAKS, default="strong",
                   help="the follower's tie-breaking (default strong: in the leader's favour)")
    p.add_argument("--commitment", choices=("pure", "mixed"), default="pure",
                   help="bilevel: the leader's stage commitment (default pure)")
    p.add_argument("--order", default=None, metavar="P,P,...",
                   help="sequential: comma-separated priority order of the players (default 0,1,...)")
    p.add_argument("--selection", choices=SELECTIONS, default="first",
                   help="nash: equilibrium-selection rule at every state (default first)")
    p.add_argument("--tol", type=float, default=1e-8, help="stopping tolerance of value iteration (default 1e-8)")
    p.add_argument("--max-iterations", dest="max_iterations", type=int, default=10_000,
                   help="budget of value-iteration sweeps (default 10000)")
    p.add_argument("--save", default=None, metavar="FILE.npz", help="also save the game to a .npz file")
    add_progress_argument(p)
    add_format_argument(p)
    p.set_defaults(run=run)


def _rows(game, solution, solver) -> list[dict]:
    import numpy as np

    names = game.action_names
    rows = []
    values = solution.values if solver == "birl" else (
        solution.values[0] if game.is_finite_horizon else solution.values)
    for s, state in enumerate(game.state_names):
        row = {"state": state}
        row.update({f"V[{player}]": number(float(values[p, s])) for p, player in enumerate(game.player_names)})
        if solver == "birl":
            row[game.player_names[solution.leader]] = names[solution.leader][int(solution.leader_policy[s])]
            row[game.player_names[solution.follower]] = names[solution.follower][int(solution.follower_policy[s])]
        else:
            for p, player in enumerate(game.player_names):
                policy = solution.policies[p][0] if game.is_finite_horizon else solution.policies[p]
                row[player] = strategy(names[p], np.asarray(policy[s]))
        rows.append(row)
    return rows


def run(args) -> int:
    """Build or load the game, solve it, print values and policies per state."""
    from ..solvers import markov as solvers

    game = load_markov_spec(args.game, stage=args.stage, gamma=args.gamma, horizon=args.horizon,
                            agents=args.agents, required=args.required)
    if args.solver != "sequential" and game.n_players != 2:
        raise CommandError(f"--solver {args.solver} needs a 2-player game; GAME {args.game!r} has "
                           f"{game.n_players} players (use --solver sequential for N players)")
    if args.save:
        from ..games.markov_io import save_markov_game

        save_markov_game(game, args.save)
        print(f"wrote {args.save}")
    progress = progress_flag(args)
    iteration = dict(tol=args.tol, max_iterations=args.max_iterations, progress=progress)
    if args.solver == "bilevel":
        solution = solvers.solve_bilevel(game, leader=args.leader, tie_break=args.tie_break,
                                         commitment=args.commitment, **iteration)
    elif args.solver == "sequential":
        order = None if args.order is None else parse_list("--order", args.order, int)
        solution = solvers.solve_sequential(game, order, args.tie_break, **iteration)
    elif args.solver == "nash":
        solution = solvers.solve_nash(game, args.selection, leader=args.leader, **iteration)
    elif args.solver == "minimax":
        solution = solvers.solve_minimax(game, **iteration)
    else:
        solution = solvers.birl_optimum(game, leader=args.leader, tie_break=args.tie_break, progress=progress)
    rows = _rows(game, solution, args.solver)
    if args.solver == "birl":
        summary = (f"exact BiRL ({solution.tie_break}): {solution.n_policies} leader policies enumerated; "
                   f"values at the initial distribution: leader {solution.leader_value:.6g}, "
                   f"follower {solution.follower_value:.6g}")
    else:
        initial = game.initial_distribution
        start = solution.values[0] if game.is_finite_horizon else solution.values
        summary = (f"{solution.method}: {solution.iterations} sweeps, {solution.stop_reason}, Bellman residual "
                   f"{solution.bellman_residual:.3g}; values at the initial distribution: "
                   + ", ".join(f"{name} {float(start[p] @ initial):.6g}" for p, name in enumerate(game.player_names)))
    when = " at t = 0" if game.is_finite_horizon and args.solver != "birl" else ""
    print(render(rows, args.format, f"{args.solver} solution of {args.game}{when}"))
    if args.format == "table":
        print(summary)
    return 0
