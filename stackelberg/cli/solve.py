"""``stackelberg solve GAME``: the equilibria of a catalogue game or a ``.nfg``/``.json`` file."""

from __future__ import annotations

from ._common import (
    CommandError, TIE_BREAKS, add_format_argument, load_game_spec, number, parse_list, render, sentence, strategy,
)

__all__ = ["CONCEPTS", "METHODS", "add_parser", "run", "solve"]

CONCEPTS = ("nash", "pure-nash", "stackelberg", "sequential", "components")
METHODS = ("auto", "support", "vertex", "lemke-howson")
HELP = "solve a game file or a catalogue game (Nash, Stackelberg, N-level, components)"


def add_parser(subparsers) -> None:
    """The ``solve`` verb and its options."""
    p = subparsers.add_parser("solve", help=HELP, description=sentence(HELP))
    p.add_argument("game", metavar="GAME",
                   help="a .nfg/.json file or a catalogue spec such as penalty:-50 (see 'stackelberg games')")
    p.add_argument("--concept", choices=CONCEPTS, default="nash",
                   help="nash: all extreme Nash equilibria of a 2-player game (default); pure-nash: the pure ones "
                        "(N players); stackelberg: leader-follower equilibria; sequential: N-level (STEP) "
                        "equilibria; components: maximal convex sets of Nash equilibria")
    p.add_argument("--commitment", choices=("pure", "mixed"), default="pure",
                   help="stackelberg: the leader commits to a pure (default) or a mixed strategy")
    p.add_argument("--tie-break", dest="tie_break", choices=TIE_BREAKS, default="strong",
                   help="stackelberg/sequential: ties go to the leader (strong, default) or against it (weak)")
    p.add_argument("--leader", type=int, default=0, help="stackelberg: index of the leader (default 0)")
    p.add_argument("--order", metavar="P,P,...",
                   help="sequential: comma-separated priority order of the players (default 0,1,...)")
    p.add_argument("--method", choices=METHODS, default="auto",
                   help="nash: support or vertex enumeration, Lemke-Howson (one equilibrium), or auto (default)")
    exact = p.add_mutually_exclusive_group()
    exact.add_argument("--exact", dest="exact", action="store_const", const=True, default=None,
                       help="rational arithmetic (the default for integer/rational games)")
    exact.add_argument("--float", dest="exact", action="store_const", const=False,
                       help="floating-point arithmetic (the default for games with float payoffs)")
    p.add_argument("--tol", type=float, default=None, metavar="TOL",
                   help="float tolerance of the solver for regrets, ties and labels, relative to the payoff scale "
                        "(each player's payoff range: scaling or shifting a game changes no answer; default: the "
                        "solver's, 1e-9); unused by exact arithmetic")
    add_format_argument(p)
    p.set_defaults(run=run)


def _nash_rows(game, equilibria) -> list[dict]:
    return [
        {
            "strategies": [strategy(game.action_names[p], s) for p, s in enumerate(eq.strategies)],
            "payoffs": [number(v) for v in eq.payoffs],
            "regret": number(eq.max_regret),
        }
        for eq in equilibria
    ]


def _stackelberg_rows(game, solutions) -> list[dict]:
    return [
        {
            "leader": game.player_names[sol.leader],
            "leader_strategy": strategy(game.action_names[sol.leader], sol.leader_strategy),
            "follower_action": game.action_names[sol.follower][sol.follower_action],
            "payoffs": [number(v) for v in sol.payoffs],
            "attained": bool(sol.attained),
            "supremum": number(sol.supremum),
        }
        for sol in solutions
    ]


def _sequential_rows(game, solutions) -> list[dict]:
    return [
        {
            "order": [game.player_names[p] for p in sol.order],
            "actions": [game.action_names[p][a] for p, a in enumerate(sol.actions)],
            "payoffs": [number(v) for v in sol.payoffs],
        }
        for sol in solutions
    ]


def _component_rows(game, components) -> list[dict]:
    rows = []
    for k, component in enumerate(components):
        for eq in component.extreme_equilibria:
            row = {"component": k + 1}
            row.update(_nash_rows(game, [eq])[0])
            rows.append(row)
    return rows


def solve(game, concept: str, *, commitment="pure", tie_break="strong", leader=0, exact=None, method="auto",
          order=None, tol=None):
    """Solve ``game`` for ``concept``; returns (rows, title). ``tol=None`` keeps each solver's default."""
    from ..solvers.matrix.components import equilibrium_components
    from ..solvers.matrix.nash import nash_equilibria, pure_nash_equilibria
    from ..solvers.matrix.sequential import sequential_equilibria
    from ..solvers.matrix.stackelberg import stackelberg_equilibria

    tolerance = {} if tol is None else {"tol": tol}
    if concept in ("nash", "components", "stackelberg") and game.n_players != 2:
        raise CommandError(f"--concept {concept} needs a 2-player game; this one has {game.n_players} players "
                           "(use --concept sequential or --concept pure-nash for N players)")
    if concept == "pure-nash":
        return _nash_rows(game, pure_nash_equilibria(game, **tolerance)), "Pure Nash equilibria"
    if concept == "nash":
        found = nash_equilibria(game, method=method, exact=exact, **tolerance)
        return _nash_rows(game, found), f"Nash equilibria (all extreme, method={method})"
    if concept == "components":
        found = equilibrium_components(game, exact=exact, **tolerance)
        return _component_rows(game, found), "Nash equilibrium components"
    if concept == "stackelberg":
        found = stackelberg_equilibria(game, leader=leader, commitment=commitment, tie_break=tie_break, exact=exact,
                                       **tolerance)
        return _stackelberg_rows(game, found), f"Stackelberg equilibria ({commitment} commitment, {tie_break})"
    found = sequential_equilibria(game, order=order, tie_break=tie_break, **tolerance)
    return _sequential_rows(game, found), f"Sequential (N-level) equilibria ({tie_break})"


def run(args) -> int:
    """Print the equilibria of ``args.game``."""
    game = load_game_spec(args.game)
    order = None if args.order is None else parse_list("--order", args.order, int)
    rows, title = solve(game, args.concept, commitment=args.commitment, tie_break=args.tie_break, leader=args.leader,
                        exact=args.exact, method=args.method, order=order, tol=args.tol)
    print(render(rows, args.format, f"{title} of {game.title or args.game}"))
    return 0
