"""``stackelberg solve GAME``: the equilibria of a catalogue game or a ``.nfg``/``.json`` file.

Concepts: ``nash`` (all extreme equilibria of a 2-player game; all equilibria of a small N-player game, a continuum
shown by one representative and marked in the ``continuum`` column), ``pure-nash``, ``stackelberg``,
``sequential``, ``components``, ``qre`` (the logit QRE at ``--lam``, or without it the limiting Nash equilibrium
of the logit branch), ``correlated`` (an optimal correlated equilibrium; ``--coarse``, ``--objective
welfare|leader``) and ``bayesian-stackelberg``.

``--concept bayesian-stackelberg`` takes GAME as one follower type (the leader is player 0), or a *types file*:
a JSON object

.. code-block:: json

    {"prior": ["1/2", "1/2"],
     "types": [{"leader": [[2, 4], [1, 3]], "follower": [[1, 0], [0, 1]]},
               {"leader": [[1, 2], [0, 3]], "follower": [[0, 1], [1, 0]]}],
     "leader_actions": ["U", "D"], "follower_actions": ["L", "R"]}

``types`` lists the follower types, each the leader's and the follower's ``m x n`` payoff matrices (the same
shape for all); ``prior`` their probabilities (summing to 1); numbers are JSON numbers or strings such as
``"1/3"`` or ``"2.5"`` (kept exact); the action names are optional.
"""

from __future__ import annotations

from ._common import (
    CommandError, TIE_BREAKS, add_format_argument, load_game_spec, number, parse_list, render, sentence, strategy,
)

__all__ = ["CONCEPTS", "METHODS", "add_parser", "read_types", "run", "solve"]

CONCEPTS = ("nash", "pure-nash", "stackelberg", "sequential", "components", "qre", "correlated",
            "bayesian-stackelberg")
METHODS = ("auto", "support", "vertex", "lemke-howson")
HELP = ("solve a game file or a catalogue game (Nash, Stackelberg, N-level, components, logit QRE, correlated, "
        "Bayesian Stackelberg)")


def add_parser(subparsers) -> None:
    """The ``solve`` verb and its options."""
    p = subparsers.add_parser("solve", help=HELP, description=sentence(HELP))
    p.add_argument("game", metavar="GAME",
                   help="a .nfg/.json file or a catalogue spec such as penalty:-50 (see 'stackelberg games')")
    p.add_argument("--concept", choices=CONCEPTS, default="nash",
                   help="nash: all extreme Nash equilibria of a 2-player game, all equilibria of a small N-player "
                        "game (default); pure-nash: the pure ones (N players); stackelberg: leader-follower "
                        "equilibria; sequential: N-level (STEP) equilibria; components: maximal convex sets of Nash "
                        "equilibria; qre: logit quantal response equilibrium; correlated: an optimal correlated "
                        "equilibrium; bayesian-stackelberg: a leader against follower types (GAME a game or a "
                        "types .json file)")
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
    p.add_argument("--lam", type=float, default=None, metavar="LAMBDA",
                   help="qre: the precision of the logit QRE (default: follow the branch to its Nash equilibrium)")
    p.add_argument("--objective", choices=("welfare", "leader"), default="welfare",
                   help="correlated: maximise the players' total payoff (default) or player 0's")
    p.add_argument("--coarse", action="store_true", help="correlated: coarse correlated equilibria")
    add_format_argument(p)
    p.set_defaults(run=run)


def _nash_rows(game, equilibria) -> list[dict]:
    rows = [
        {
            "strategies": [strategy(game.action_names[p], s) for p, s in enumerate(eq.strategies)],
            "payoffs": [number(v) for v in eq.payoffs],
            "regret": number(eq.max_regret),
        }
        for eq in equilibria
    ]
    if game.n_players != 2:  # the N-player solver marks continua (one representative each)
        for row, eq in zip(rows, equilibria):
            row["continuum"] = bool(eq.parameters.get("continuum", False))
    return rows


def _qre_rows(game, solution) -> list[dict]:
    return [{
        "strategies": [strategy(game.action_names[p], s) for p, s in enumerate(solution.strategies)],
        "lambda": number(solution.lam),
        "regret": number(solution.max_regret),
        "steps": solution.steps,
    }]


def _correlated_rows(game, solution) -> list[dict]:
    rows = []
    for actions in solution.support:
        rows.append({
            "joint_action": [game.action_names[p][a] for p, a in enumerate(actions)],
            "probability": number(solution.distribution[actions]),
        })
    rows.append({"joint_action": ["expected payoffs"], "probability": "; ".join(number(v) for v in solution.payoffs)})
    return rows


def _bayesian_rows(leader_actions, follower_actions, solution) -> list[dict]:
    return [
        {
            "type": k + 1,
            "prior": number(p),
            "leader_strategy": strategy(leader_actions, solution.leader_strategy),
            "response": follower_actions[j],
            "leader_payoff": number(solution.leader_values[k]),
            "follower_payoff": number(solution.follower_values[k]),
            "value": number(solution.value),
        }
        for k, (p, j) in enumerate(zip(solution.prior, solution.responses))
    ]


def read_types(path) -> tuple[list, list, list, list]:
    """The follower types of a types file (see the module docstring): ``(types, prior, leader_actions,
    follower_actions)``, each type an ``(A, B)`` pair of nested lists of ints, Fractions or floats."""
    import json
    from pathlib import Path

    from .._validation import parse_exact_literal

    try:
        document = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"types file {str(path)!r} is not readable JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("types"), list) or "prior" not in document:
        raise CommandError(f"types file {str(path)!r} must be a JSON object with 'types' (a list) and 'prior'")

    def value(where, v):
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise CommandError(f"{where} must be a number or a numeric string; got {v!r}")
        if isinstance(v, str):
            parsed = parse_exact_literal(where, v)
            if parsed is None:
                raise CommandError(f"{where} must be a number such as 3, -2.5 or 1/3; got {v!r}")
            return parsed
        return v

    def matrix(where, rows):
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise CommandError(f"{where} must be a list of rows")
        return [[value(f"{where}[{i}][{j}]", v) for j, v in enumerate(r)] for i, r in enumerate(rows)]

    types = []
    for k, entry in enumerate(document["types"]):
        if not isinstance(entry, dict) or set(entry) - {"leader", "follower"} or len(entry) != 2:
            raise CommandError(f"types[{k}] must be an object with exactly 'leader' and 'follower' matrices")
        types.append((matrix(f"types[{k}].leader", entry["leader"]), matrix(f"types[{k}].follower", entry["follower"])))
    prior = document["prior"]
    if not isinstance(prior, list):
        raise CommandError("prior must be a list of probabilities")
    prior = [value(f"prior[{k}]", v) for k, v in enumerate(prior)]
    m = len(types[0][0]) if types and types[0][0] else 0
    n = len(types[0][0][0]) if m else 0
    leader_actions = document.get("leader_actions", [f"a{i + 1}" for i in range(m)])
    follower_actions = document.get("follower_actions", [f"b{j + 1}" for j in range(n)])
    return types, prior, [str(a) for a in leader_actions], [str(b) for b in follower_actions]


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
          order=None, tol=None, lam=None, objective="welfare", coarse=False):
    """Solve ``game`` for ``concept``; returns (rows, title). ``tol=None`` keeps each solver's default."""
    from ..solvers.matrix.components import equilibrium_components
    from ..solvers.matrix.nash import nash_equilibria, pure_nash_equilibria
    from ..solvers.matrix.sequential import sequential_equilibria
    from ..solvers.matrix.stackelberg import stackelberg_equilibria

    tolerance = {} if tol is None else {"tol": tol}
    if concept in ("components", "stackelberg", "bayesian-stackelberg") and game.n_players != 2:
        raise CommandError(f"--concept {concept} needs a 2-player game; this one has {game.n_players} players "
                           "(use --concept nash, sequential or pure-nash for N players)")
    if concept == "qre":
        from ..solvers.matrix.logit import logit_equilibrium

        found = logit_equilibrium(game, lam, exact=False if exact is False else None, **tolerance)
        label = "limiting Nash equilibrium" if lam is None else f"lambda = {number(lam)}"
        return _qre_rows(game, found), f"Logit quantal response equilibrium ({label})"
    if concept == "correlated":
        from ..solvers.matrix.correlated import correlated_equilibria

        found = correlated_equilibria(game, objective, coarse=coarse, exact=exact, **tolerance)
        kind = "Coarse correlated" if coarse else "Correlated"
        return _correlated_rows(game, found), f"{kind} equilibrium maximising {objective} (value {number(found.value)})"
    if concept == "bayesian-stackelberg":
        from ..solvers.matrix.bayesian import bayesian_stackelberg

        found = bayesian_stackelberg(game, exact=exact, **tolerance)
        return (_bayesian_rows(game.action_names[0], game.action_names[1], found),
                f"Bayesian Stackelberg equilibrium (one follower type, {found.method})")
    if concept == "pure-nash":
        return _nash_rows(game, pure_nash_equilibria(game, **tolerance)), "Pure Nash equilibria"
    if concept == "nash":
        found = nash_equilibria(game, method=method, exact=exact, **tolerance)
        kind = "all extreme" if game.n_players == 2 else "all, N-player support enumeration"
        return _nash_rows(game, found), f"Nash equilibria ({kind}, method={method})"
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
    if args.concept == "bayesian-stackelberg" and _is_types_file(args.game):
        from ..solvers.matrix.bayesian import bayesian_stackelberg

        types, prior, leader_actions, follower_actions = read_types(args.game)
        tolerance = {} if args.tol is None else {"tol": args.tol}
        found = bayesian_stackelberg(types, prior, exact=args.exact, **tolerance)
        title = f"Bayesian Stackelberg equilibrium ({len(types)} follower types, {found.method}) of {args.game}"
        print(render(_bayesian_rows(leader_actions, follower_actions, found), args.format, title))
        return 0
    game = load_game_spec(args.game)
    order = None if args.order is None else parse_list("--order", args.order, int)
    rows, title = solve(game, args.concept, commitment=args.commitment, tie_break=args.tie_break, leader=args.leader,
                        exact=args.exact, method=args.method, order=order, tol=args.tol, lam=args.lam,
                        objective=args.objective, coarse=args.coarse)
    print(render(rows, args.format, f"{title} of {game.title or args.game}"))
    return 0


def _is_types_file(spec: str) -> bool:
    """A ``.json`` file holding a JSON object with a ``types`` key (else GAME is a game)."""
    import json
    from pathlib import Path

    path = Path(spec)
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(document, dict) and "types" in document
