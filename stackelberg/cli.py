"""The ``stackelberg`` command line.

``stackelberg solve GAME`` solves a catalogue game or a ``.nfg``/``.json`` file;
``stackelberg games`` lists the catalogue; ``stackelberg convert IN OUT``
converts between Gambit ``.nfg`` and JSON; ``stackelberg demo`` solves the
papers' matrix games. Errors are one clear line on stderr and exit code 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from fractions import Fraction
from pathlib import Path


__all__ = ["main"]

CONCEPTS = ("nash", "pure-nash", "stackelberg", "sequential", "components")
FORMATS = ("table", "json", "csv")


class CommandError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


# ---------------------------------------------------------------------- formatting
def _number(value) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    value = float(value)
    return f"{value:.6g}" if value != 0 else "0"


def _strategy(names, strategy) -> str:
    """A mixed strategy as ``name:prob`` pairs over its support (just the name when pure)."""
    support = [(names[a], p) for a, p in enumerate(strategy) if p != 0 and abs(float(p)) > 1e-12]
    if len(support) == 1:
        return support[0][0]
    return " ".join(f"{name}:{_number(p)}" for name, p in support)


def _nash_rows(game, equilibria) -> list[dict]:
    return [
        {
            "strategies": [_strategy(game.action_names[p], s) for p, s in enumerate(eq.strategies)],
            "payoffs": [_number(v) for v in eq.payoffs],
            "regret": _number(eq.max_regret),
        }
        for eq in equilibria
    ]


def _stackelberg_rows(game, solutions) -> list[dict]:
    rows = []
    for sol in solutions:
        rows.append(
            {
                "leader": game.player_names[sol.leader],
                "leader_strategy": _strategy(game.action_names[sol.leader], sol.leader_strategy),
                "follower_action": game.action_names[sol.follower][sol.follower_action],
                "payoffs": [_number(v) for v in sol.payoffs],
                "attained": bool(sol.attained),
                "supremum": _number(sol.supremum),
            }
        )
    return rows


def _sequential_rows(game, solutions) -> list[dict]:
    return [
        {
            "order": [game.player_names[p] for p in sol.order],
            "actions": [game.action_names[p][a] for p, a in enumerate(sol.actions)],
            "payoffs": [_number(v) for v in sol.payoffs],
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


def _render(rows: list[dict], fmt: str, title: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2)
    flat = [{key: "; ".join(map(str, v)) if isinstance(v, list) else v for key, v in row.items()} for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        if flat:
            writer = csv.DictWriter(buffer, fieldnames=list(flat[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(flat)
        return buffer.getvalue().rstrip("\n")
    if not flat:
        return f"{title}: none"
    columns = list(flat[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in flat)) for c in columns}
    lines = [title, "  ".join(c.ljust(widths[c]) for c in columns), "  ".join("-" * widths[c] for c in columns)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns) for r in flat]
    return "\n".join(lines)


# ---------------------------------------------------------------------- commands
def load(spec: str):
    """A game from a ``.nfg``/``.json`` path or a catalogue spec such as ``penalty:-50``."""
    from .games.catalog import get_game
    from .games.io import load_game

    path = Path(spec)
    if path.suffix.lower() in (".nfg", ".json"):
        if not path.is_file():
            raise CommandError(f"GAME file {spec!r} does not exist")
        return load_game(path)
    return get_game(spec)


def solve(game, concept: str, *, commitment="pure", tie_break="strong", leader=0, exact=None, method="auto", order=None):
    """Solve ``game`` for ``concept``; returns (rows, title)."""
    from .solvers.components import equilibrium_components
    from .solvers.nash import nash_equilibria, pure_nash_equilibria
    from .solvers.sequential import sequential_equilibria
    from .solvers.stackelberg import stackelberg_equilibria

    if concept == "pure-nash":
        return _nash_rows(game, pure_nash_equilibria(game)), "Pure Nash equilibria"
    if concept == "nash":
        found = nash_equilibria(game, method=method, exact=exact)
        return _nash_rows(game, found), f"Nash equilibria (all extreme, method={method})"
    if concept == "components":
        return _component_rows(game, equilibrium_components(game, exact=exact)), "Nash equilibrium components"
    if concept == "stackelberg":
        found = stackelberg_equilibria(game, leader=leader, commitment=commitment, tie_break=tie_break, exact=exact)
        return _stackelberg_rows(game, found), f"Stackelberg equilibria ({commitment} commitment, {tie_break})"
    found = sequential_equilibria(game, order=order, tie_break=tie_break)
    return _sequential_rows(game, found), f"Sequential (N-level) equilibria ({tie_break})"


def _cmd_solve(args) -> int:
    game = load(args.game)
    order = None if args.order is None else [int(k) for k in args.order.split(",")]
    rows, title = solve(
        game,
        args.concept,
        commitment=args.commitment,
        tie_break=args.tie_break,
        leader=args.leader,
        exact=args.exact,
        method=args.method,
        order=order,
    )
    print(_render(rows, args.format, f"{title} of {game.title or args.game}"))
    return 0


def _cmd_games(args) -> int:
    from .games.catalog import describe, game_names

    for name in game_names():
        print(f"{name:24s} {describe(name)}")
    return 0


def _cmd_convert(args) -> int:
    from .games.io import load_game, save_game

    source = Path(args.input)
    if not source.is_file():
        raise CommandError(f"IN file {args.input!r} does not exist")
    save_game(load_game(source), Path(args.output))
    print(f"wrote {args.output}")
    return 0


DEMO_GAMES = ("escape", "maintain", "penalty:0", "penalty:-50", "penalty:-100", "mixing", "prisoners_dilemma")


def _cmd_demo(args) -> int:
    from .games.catalog import get_game

    for spec in DEMO_GAMES:
        game = get_game(spec)
        print(f"=== {spec}: {game.title}")
        for concept, kwargs in (
            ("pure-nash", {}),
            ("nash", {}),
            ("stackelberg", {"commitment": "pure"}),
            ("stackelberg", {"commitment": "mixed"}),
        ):
            rows, title = solve(game, concept, **kwargs)
            print(_render(rows, "table", title))
        print()
    return 0


# ---------------------------------------------------------------------- parser
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stackelberg", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("solve", help="solve a game file or a catalogue game")
    p.add_argument("game", metavar="GAME", help="a .nfg/.json file or a catalogue name (see `stackelberg games`)")
    p.add_argument("--concept", choices=CONCEPTS, default="nash")
    p.add_argument("--commitment", choices=("pure", "mixed"), default="pure")
    p.add_argument("--tie-break", dest="tie_break", choices=("strong", "weak"), default="strong")
    p.add_argument("--leader", type=int, default=0, help="index of the leader (stackelberg)")
    p.add_argument("--order", help="comma-separated priority order of the players (sequential)")
    p.add_argument("--method", choices=("auto", "support", "vertex", "lemke-howson"), default="auto")
    exact = p.add_mutually_exclusive_group()
    exact.add_argument("--exact", dest="exact", action="store_const", const=True, default=None,
                       help="rational arithmetic (default for integer/rational games)")
    exact.add_argument("--float", dest="exact", action="store_const", const=False, help="float arithmetic")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(run=_cmd_solve)

    p = commands.add_parser("games", help="list the catalogue of named games")
    p.set_defaults(run=_cmd_games)

    p = commands.add_parser("convert", help="convert a game between .nfg and .json")
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT")
    p.set_defaults(run=_cmd_convert)

    p = commands.add_parser("demo", help="solve the papers' matrix games and print their equilibria")
    p.set_defaults(run=_cmd_demo)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``stackelberg`` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (CommandError, ValueError, TypeError, OSError) as error:
        print(f"stackelberg: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stackelberg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
