"""The ``stackelberg`` command line.

``stackelberg solve GAME`` solves a catalogue game or a ``.nfg``/``.json`` file;
``stackelberg games`` lists the catalogue; ``stackelberg markov GAME`` solves a tabular Markov game
(a ``.npz`` file or a builder) by bi-level, N-level, Nash or minimax value iteration or exact BiRL;
``stackelberg learn GAME`` runs a tabular learner over many runs and counts where they end;
``stackelberg incentive example1|gridworld`` runs the incentive-design Algorithm 1; ``stackelberg convert IN OUT``
converts between Gambit ``.nfg`` and JSON; ``stackelberg demo`` solves the
papers' matrix games; ``stackelberg study cooperation|plot`` runs and plots
the SE-vs-NE study; ``stackelberg dynamics lio-ipd|escape-room`` runs exact
learning dynamics; ``stackelberg reproduce`` runs every figure script and
writes ``REPORT.md``. Errors are one clear line on stderr and exit code 2,
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


def _parse_list(name: str, text: str, kind):
    try:
        return [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"{name} must be a comma-separated list of numbers; got {text!r}") from None


def _cmd_study_cooperation(args) -> int:
    from .analysis.cooperation_study import PAPER_RHOS, PAPER_SIZES, cooperation_study
    from .analysis.plots import plot_study

    sizes = PAPER_SIZES if args.sizes == "paper" else _parse_list("--sizes", args.sizes, int)
    rhos = PAPER_RHOS if args.rhos == "paper" else _parse_list("--rhos", args.rhos, float)
    trials = args.trials if args.trials == "paper" else int(args.trials) if args.trials.isdigit() else None
    if trials is None:
        raise CommandError(f"--trials must be a positive integer or 'paper'; got {args.trials!r}")
    result = cooperation_study(
        sizes, rhos, trials, args.seed, equilibria=args.equilibria, tie_break=args.tie_break,
        workers=args.workers, scheduler=args.scheduler, store=args.out, progress=True,
    )  # fmt: skip
    print(f"{len(result.rows)} games stored in {args.out} (study {result.study_key})")
    if args.plot:
        for name, path in plot_study(result, args.plot).items():
            print(f"wrote {path}")
    return 0


def _cmd_study_plot(args) -> int:
    from .analysis.plots import plot_study
    from .analysis.store import ResultStore

    if not Path(args.store).is_file():
        raise CommandError(f"STORE file {args.store!r} does not exist")
    with ResultStore(args.store) as store:
        for name, path in plot_study(store, args.out, study_key=args.study).items():
            print(f"wrote {path}")
    return 0


def _cmd_dynamics_lio_ipd(args) -> int:
    from .analysis.lio_study import lio_convergence_study
    from .games.catalog import prisoners_dilemma

    learners = tuple(args.learners.split(","))
    study = lio_convergence_study(
        prisoners_dilemma(), n_steps=args.steps, points_per_axis=args.points, gamma=args.gamma, alpha=args.alpha,
        beta=args.beta, cost=args.cost, learners=learners, incentive_bounds=(0.0, args.incentive_max),
    )  # fmt: skip
    print(f"LIO in the repeated Prisoner's Dilemma, learners {learners}, {len(study.outcome)} initial points")
    labels = {"00": "CC", "01": "CD", "10": "DC", "11": "DD", "mixed": "mixed"}
    for outcome, fraction in sorted(study.fractions.items()):
        print(f"  ends at {labels.get(outcome, outcome):5s} {fraction:6.1%}")
    print(f"  eta_C - eta_D - 1 at the end: min {study.final_margin.min():.3f}, max {study.final_margin.max():.3f}")
    print(f"  mean final collective reward per round: {study.final_collective_reward.mean():.3f}")
    return 0


def _cmd_dynamics_escape_room(args) -> int:
    from .games.escape_room import escape_room
    from .solvers.incentives.metagrad import incentive_trajectory, initial_logits

    game = escape_room(args.agents, args.required, horizon=args.horizon)
    logits0 = initial_logits(game, scale=args.init_scale, seed=args.init_seed)
    common = dict(
        n_steps=args.steps, logits0=logits0, gamma=args.gamma, alpha=args.alpha, beta=args.beta,
        r_max=args.r_max, cost=args.cost, exploration=args.exploration, record_every=args.record_every,
        entropy=args.entropy,
    )  # fmt: skip
    if args.sampled:
        common.update(gradient="sampled", batch_size=args.batch_size, seed=args.seed)
    run = incentive_trajectory(game, args.population, incentive_optimizer=args.optimizer, eta0=args.eta_init,
                               progress=True, **common)
    optimum = 10 * (args.agents - args.required) - args.required
    print(f"ER({args.agents},{args.required}) {args.population}{' (sampled)' if args.sampled else ' (exact)'}")
    print(f"  final collective return {float(run.collective_return[-1]):.3f} (optimum {optimum})")
    if args.population == "designer":
        print(f"  final designer return {float(run.designer_return[-1]):.3f}")
    return 0


MARKOV_BUILDERS = ("repeated", "memory-one", "escape-room", "grid", "counterexample")
MARKOV_SOLVERS = ("bilevel", "sequential", "nash", "minimax", "birl")


def load_markov(spec: str, *, stage=None, gamma=None, horizon=None, agents=2, required=1):
    """A Markov game from a ``.npz`` file or a builder name (:data:`MARKOV_BUILDERS`)."""
    from .games.catalog import get_game
    from .games.escape_room import escape_room
    from .games.markov_examples import biac_counterexample, biac_grid_game
    from .games.markov_io import load_markov_game
    from .games.repeated import memory_one_game, repeated_game

    path = Path(spec)
    if path.suffix.lower() == ".npz":
        if not path.is_file():
            raise CommandError(f"GAME file {spec!r} does not exist")
        if gamma is not None or horizon is not None:
            raise CommandError("--gamma/--horizon apply to builders; a .npz file stores its own criterion")
        return load_markov_game(path)
    if spec not in MARKOV_BUILDERS:
        raise CommandError(f"GAME must be a .npz file or one of {', '.join(MARKOV_BUILDERS)}; got {spec!r}")
    if spec in ("repeated", "memory-one"):
        if stage is None:
            raise CommandError(f"GAME {spec!r} needs --stage NAME (a catalogue game, see `stackelberg games`)")
        if gamma is None and horizon is None:
            gamma = 0.9
        build = repeated_game if spec == "repeated" else memory_one_game
        return build(get_game(stage), gamma, horizon=horizon)
    if horizon is not None and spec != "escape-room":
        raise CommandError(f"--horizon does not apply to GAME {spec!r} (it is discounted)")
    if spec == "escape-room":
        if gamma is not None:
            raise CommandError("--gamma does not apply to escape-room (finite horizon; use --horizon)")
        return escape_room(agents, required, horizon=5 if horizon is None else horizon)
    build = biac_grid_game if spec == "grid" else biac_counterexample
    return build(0.9 if gamma is None else gamma)


def _markov_rows(game, solution, solver) -> list[dict]:
    import numpy as np

    names = game.action_names
    rows = []
    values = solution.values if solver == "birl" else (
        solution.values[0] if game.is_finite_horizon else solution.values)
    for s, state in enumerate(game.state_names):
        row = {"state": state}
        row.update({f"V[{player}]": _number(float(values[p, s])) for p, player in enumerate(game.player_names)})
        if solver == "birl":
            row[game.player_names[solution.leader]] = names[solution.leader][int(solution.leader_policy[s])]
            row[game.player_names[solution.follower]] = names[solution.follower][int(solution.follower_policy[s])]
        else:
            for p, player in enumerate(game.player_names):
                policy = solution.policies[p][0] if game.is_finite_horizon else solution.policies[p]
                row[player] = _strategy(names[p], np.asarray(policy[s]))
        rows.append(row)
    return rows


def _cmd_markov(args) -> int:
    from .solvers import markov as solvers

    game = load_markov(args.game, stage=args.stage, gamma=args.gamma, horizon=args.horizon,
                       agents=args.agents, required=args.required)
    if args.save:
        from .games.markov_io import save_markov_game

        save_markov_game(game, args.save)
        print(f"wrote {args.save}")
    iteration = dict(tol=args.tol, max_iterations=args.max_iterations, progress=args.progress)
    if args.solver == "bilevel":
        solution = solvers.solve_bilevel(game, leader=args.leader, tie_break=args.tie_break,
                                         commitment=args.commitment, **iteration)
    elif args.solver == "sequential":
        order = None if args.order is None else _parse_list("--order", args.order, int)
        solution = solvers.solve_sequential(game, order, args.tie_break, **iteration)
    elif args.solver == "nash":
        solution = solvers.solve_nash(game, args.selection, leader=args.leader, **iteration)
    elif args.solver == "minimax":
        solution = solvers.solve_minimax(game, **iteration)
    else:
        solution = solvers.birl_optimum(game, leader=args.leader, tie_break=args.tie_break,
                                        progress=args.progress)
    rows = _markov_rows(game, solution, args.solver)
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
    print(_render(rows, args.format, f"{args.solver} solution of {args.game}{when}"))
    if args.format == "table":
        print(summary)
    return 0


LEARNERS = ("bilevel-q", "bi-ac", "nlevel", "independent-q", "nash-q", "minimax-q")


def _cmd_learn(args) -> int:
    from collections import Counter

    from .solvers import learning

    game = load_markov(args.game, stage=args.stage, gamma=None if args.game == "escape-room" else args.gamma,
                       horizon=None, agents=args.agents, required=args.required)
    gamma = args.gamma if args.gamma is not None else game.gamma
    if gamma is None:
        raise CommandError(f"GAME {args.game!r} is finite-horizon: give the learners a discount --gamma in [0, 1)")
    common = dict(episodes=args.episodes, steps_per_episode=args.steps, runs=args.runs, seed=args.seed,
                  gamma=gamma, progress=args.progress)
    if args.epsilon is not None:
        common["epsilon"] = args.epsilon
    if args.learner == "nlevel":
        order = None if args.order is None else _parse_list("--order", args.order, int)
        result = learning.nlevel_learning(game, order, beta=args.beta, **common)
    elif args.learner == "bi-ac":
        result = learning.bilevel_actor_critic(game, beta=args.beta, **common)
    elif args.learner == "nash-q":
        result = learning.nash_q_learning(game, args.selection, **common)
    else:
        function = {"bilevel-q": learning.bilevel_q_learning, "independent-q": learning.independent_q_learning,
                    "minimax-q": learning.minimax_q_learning}[args.learner]
        result = function(game, **common)
    s = result.initial_state
    names = game.action_names
    counts = Counter(tuple(int(a) for a in row) for row in result.greedy_actions[:, s])
    rows = []
    for joint, count in counts.most_common():
        row = {player: names[p][a] for p, (player, a) in enumerate(zip(game.player_names, joint))}
        flat = game.joint_index(joint)
        row.update({f"r[{player}]": _number(float(game.rewards[p, s, flat]))
                    for p, player in enumerate(game.player_names)})
        row["runs"] = count
        row["share"] = f"{count / result.runs:.0%}"
        rows.append(row)
    title = (f"{args.learner}: greedy joint actions at {game.state_names[s]} after {args.episodes} episodes x "
             f"{args.steps} steps, {result.runs} runs")
    print(_render(rows, args.format, title))
    if args.format == "table" and result.algorithm in ("nash", "minimax"):  # their play is a mixed strategy
        for p, player in enumerate(game.player_names):
            mean = result.policies[p][:, s].mean(axis=0)
            print(f"mean final strategy of {player}: {_strategy(names[p], mean.round(3))}")
    return 0


def _cmd_incentive_example1(args) -> int:
    from .analysis.incentive_study import run_example1

    kwargs = {} if args.iterations is None else {"iterations": args.iterations}
    report = run_example1(args.parameterization, args.out, grid_points=args.grid_points, progress=args.progress,
                          **kwargs)
    rows = [{
        "x0": ", ".join(_number(v) for v in run["x0"]),
        "final x": ", ".join(f"{v:.4f}" for v in run["final_x"]),
        "nearest stationary point": ", ".join(_number(v) for v in run["nearest_stationary_point"]),
        "distance": f"{run['distance_to_stationary_point']:.4f}",
        "feasibility q": f"{run['final_feasibility']:.2e}",
        "leader objective": f"{run['final_objective']:.4f}",
    } for run in report["runs"]]
    print(_render(rows, args.format, f"Example 1, {args.parameterization}: Algorithm 1 from each start "
                                     "(paper's stationary points (0,0), (1,0), (0,2), (1,2))"))
    if args.format == "table":
        print(f"brute-force f_m vs the paper's closed form: max error {report['brute_force_max_abs_error']:.2e}")
        for name, path in report["files"].items():
            print(f"wrote {path}")
    return 0


def _cmd_incentive_gridworld(args) -> int:
    from .analysis.incentive_study import run_gridworld

    kwargs = {} if args.iterations is None else {"iterations": args.iterations}
    report = run_gridworld(args.parameterization, args.init, args.out, gradient=args.gradient,
                           samples=args.samples, seed=args.seed, progress=args.progress, **kwargs)
    paper = report.get("paper") or {}
    rows = [{"quantity": key, "ours": f"{report[key]:.6g}",
             "paper (Table 1)": "" if key not in paper else f"{paper[key]:.6g}"}
            for key in ("x1", "x2", "feasibility", "leader_value", "leader_objective", "stationarity")]
    print(_render(rows, args.format, f"Two-robot gridworld, {args.parameterization}, init {args.init}, "
                                     f"{report['iterations']} iterations of Algorithm 1 ({args.gradient} gradients)"))
    if args.format == "table":
        for name, path in report["files"].items():
            print(f"wrote {path}")
    return 0


def _figure_scripts(directory: Path) -> dict[str, Path]:
    return {path.stem: path for path in sorted(directory.glob("*.py")) if not path.name.startswith("_")}


def _cmd_reproduce(args) -> int:
    import importlib.util
    import time

    directory = Path(args.figures) if args.figures else Path(__file__).resolve().parents[1] / "figures"
    scripts = _figure_scripts(directory) if directory.is_dir() else {}
    if not scripts:
        raise CommandError(f"no figure scripts in {directory} (run from a source checkout or pass --figures DIR)")
    chosen = args.only or list(scripts)
    unknown = [name for name in chosen if name not in scripts]
    if unknown:
        raise CommandError(f"--only names unknown figures {unknown}; known: {', '.join(scripts)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = ["# Reproduction report", "", f"Mode: {'quick' if args.quick else 'full'}. Each section: what the "
              "script reproduced (the papers' numbers are given beside ours in the values), and its files.", ""]
    failures = 0
    for name in chosen:
        spec = importlib.util.spec_from_file_location(f"_figure_{name}", scripts[name])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        target = out / name
        print(f"--- {name}", flush=True)
        start = time.perf_counter()
        try:
            numbers = module.run(target, quick=args.quick)
        except Exception as error:  # a broken figure must not hide the others; it is reported and fails the run
            failures += 1
            report += [f"## {name}", "", f"FAILED: {type(error).__name__}: {error}", ""]
            print(f"    FAILED: {error}", file=sys.stderr)
            continue
        seconds = time.perf_counter() - start
        # the script's docstring says what the paper reports and how ours differs; its numbers follow
        report += [f"## {name}", "", (module.__doc__ or "").strip(), "", f"Time: {seconds:.1f} s.", "",
                   "Reproduced numbers:", "", "```", json.dumps(_jsonable(numbers), indent=2), "```", ""]
        files = sorted(p.relative_to(out) for p in target.rglob("*") if p.suffix in (".png", ".csv"))
        report += [f"- [{f}]({f})" if f.suffix == ".csv" else f"![{f}]({f})" for f in files] + [""]
        print(f"    done in {seconds:.1f} s, {len(files)} files", flush=True)
    (out / "REPORT.md").write_text("\n".join(report))
    print(f"wrote {out / 'REPORT.md'}")
    return 1 if failures else 0


def _jsonable(value):
    """Plain JSON data from a figure's numbers (tuple keys, numpy arrays, Fractions)."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


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

    study = commands.add_parser("study", help="the SE-vs-NE cooperation-level study").add_subparsers(
        dest="study", required=True, metavar="STUDY")
    p = study.add_parser("cooperation", help="run (or resume) the study into a SQLite store")
    p.add_argument("--sizes", default="5,10", help="comma-separated n, or 'paper' (5,10,20,50,100)")
    p.add_argument("--rhos", default="paper", help="comma-separated rho values, or 'paper' (-1..1 step 0.1)")
    p.add_argument("--trials", default="100", help="games per (n, rho), or 'paper'")
    p.add_argument("--equilibria", choices=("pure", "mixed"), default="pure")
    p.add_argument("--tie-break", dest="tie_break", choices=("strong", "weak"), default="strong")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="tcp://HOST:PORT of a Dask scheduler")
    p.add_argument("--out", default="study.sqlite", help="the result store (resumed if it exists)")
    p.add_argument("--plot", default=None, metavar="DIR", help="also write PNG + CSV into DIR")
    p.set_defaults(run=_cmd_study_cooperation)
    p = study.add_parser("plot", help="plot a study store: PNG + CSV")
    p.add_argument("store", metavar="STORE")
    p.add_argument("--out", default="study-plots")
    p.add_argument("--study", default=None, help="study key (default: the only study in the store)")
    p.set_defaults(run=_cmd_study_plot)

    dynamics = commands.add_parser("dynamics", help="exact learning dynamics (LIO, designer)").add_subparsers(
        dest="dynamics", required=True, metavar="SYSTEM")
    p = dynamics.add_parser("lio-ipd", help="exact LIO in the repeated Prisoner's Dilemma (Prop. 3)")
    p.add_argument("--learners", choices=("lio,lio", "lio,pg", "pg,pg"), default="lio,lio")
    p.add_argument("--gamma", type=float, default=0.9)
    p.add_argument("--alpha", type=float, default=0.01)
    p.add_argument("--beta", type=float, default=0.01)
    p.add_argument("--cost", type=float, default=0.0)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--points", type=int, default=4, help="initial points per axis")
    p.add_argument("--incentive-max", dest="incentive_max", type=float, default=3.0)
    p.set_defaults(run=_cmd_dynamics_lio_ipd)
    p = dynamics.add_parser("escape-room", help="policy-gradient / LIO / designer dynamics in ER(N, M)")
    p.add_argument("--population", choices=("pg", "lio", "designer"), required=True)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--required", type=int, default=1)
    p.add_argument("--horizon", type=int, default=5)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--gamma", type=float, default=0.99)
    p.add_argument("--alpha", type=float, default=0.1)
    p.add_argument("--beta", type=float, default=0.1)
    p.add_argument("--cost", type=float, default=0.1)
    p.add_argument("--exploration", type=float, default=0.1)
    p.add_argument("--r-max", dest="r_max", type=float, default=2.0)
    p.add_argument("--init-scale", dest="init_scale", type=float, default=0.5)
    p.add_argument("--init-seed", dest="init_seed", type=int, default=0)
    p.add_argument("--optimizer", choices=("adam", "adam-single", "sgd"), default="adam")
    p.add_argument("--entropy", type=float, default=0.0, help="agents' entropy bonus c (thesis code: 0.0166)")
    p.add_argument("--eta-init", dest="eta_init", type=float, default=None,
                   help="initial incentive parameter, every entry (LIO ER(3,2) uses -3; default 0: R_max/2)")
    p.add_argument("--record-every", dest="record_every", type=int, default=50)
    p.add_argument("--sampled", action="store_true", help="REINFORCE estimates instead of exact gradients")
    p.add_argument("--batch-size", dest="batch_size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_cmd_dynamics_escape_room)

    p = commands.add_parser("markov", help="solve a tabular Markov game (bi-level, N-level, Nash, minimax VI, BiRL)")
    p.add_argument("game", metavar="GAME", help=f"a .npz file or a builder: {', '.join(MARKOV_BUILDERS)}")
    p.add_argument("--solver", choices=MARKOV_SOLVERS, default="bilevel")
    p.add_argument("--stage", default=None, help="catalogue stage game of repeated/memory-one (e.g. penalty:-50)")
    p.add_argument("--gamma", type=float, default=None, help="discount of a built game (default 0.9)")
    p.add_argument("--horizon", type=int, default=None, help="finite horizon of a built game")
    p.add_argument("--agents", type=int, default=2, help="escape-room: number of agents N")
    p.add_argument("--required", type=int, default=1, help="escape-room: agents M needed at the lever")
    p.add_argument("--leader", type=int, default=0)
    p.add_argument("--tie-break", dest="tie_break", choices=("strong", "weak"), default="strong")
    p.add_argument("--commitment", choices=("pure", "mixed"), default="pure")
    p.add_argument("--order", default=None, help="sequential: comma-separated priority order of the players")
    p.add_argument("--selection", choices=("first", "pareto", "leader", "utilitarian"), default="first",
                   help="nash: equilibrium-selection rule at every state")
    p.add_argument("--tol", type=float, default=1e-8)
    p.add_argument("--max-iterations", dest="max_iterations", type=int, default=10_000)
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    p.add_argument("--save", default=None, metavar="FILE.npz", help="also save the game to a .npz file")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(run=_cmd_markov)

    p = commands.add_parser("learn", help="run a tabular learner (bi-level Q, Bi-AC, N-level, ...) over many runs")
    p.add_argument("game", metavar="GAME", help=f"a .npz file or a builder: {', '.join(MARKOV_BUILDERS)}")
    p.add_argument("--learner", choices=LEARNERS, default="bilevel-q")
    p.add_argument("--stage", default=None, help="catalogue stage game of repeated/memory-one (e.g. penalty:-50)")
    p.add_argument("--gamma", type=float, default=None, help="discount (default: the game's; 0.9 for builders)")
    p.add_argument("--agents", type=int, default=2, help="escape-room: number of agents N")
    p.add_argument("--required", type=int, default=1, help="escape-room: agents M needed at the lever")
    p.add_argument("--episodes", type=int, default=400)
    p.add_argument("--steps", type=int, default=25, help="steps per episode")
    p.add_argument("--runs", type=int, default=100, help="independent runs (vectorised)")
    p.add_argument("--epsilon", type=float, default=None, help="constant exploration (default: linear decay 1 -> 0)")
    p.add_argument("--beta", type=float, default=0.003, help="actor step (bi-ac, nlevel)")
    p.add_argument("--order", default=None, help="nlevel: comma-separated priority order of the players")
    p.add_argument("--selection", choices=("first", "pareto", "leader", "utilitarian"), default="first",
                   help="nash-q: equilibrium-selection rule")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(run=_cmd_learn)

    incentive = commands.add_parser("incentive", help="incentive design (Algorithm 1): Example 1, the gridworld")
    incentive = incentive.add_subparsers(dest="example", required=True, metavar="EXAMPLE")
    for name, helptext, run in (
        ("example1", "Example 1: f_m contours (Fig. 2) and Algorithm 1 from four starts", _cmd_incentive_example1),
        ("gridworld", "the two-robot 6x6 gridworld (Table 1, Figs 4-6)", _cmd_incentive_gridworld),
    ):
        p = incentive.add_parser(name, help=helptext)
        p.add_argument("--parameterization", choices=("direct", "softmax"), default="direct")
        p.add_argument("--iterations", type=int, default=None, help="Algorithm 1 iterations (default: the paper's)")
        p.add_argument("--out", default=f"incentive-{name}", help="directory for PNG + CSV")
        p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
        p.add_argument("--format", choices=FORMATS, default="table")
        if name == "example1":
            p.add_argument("--grid-points", dest="grid_points", type=int, default=121,
                           help="grid points per axis of the brute-force f_m (Fig. 2 contours)")
        if name == "gridworld":
            p.add_argument("--init", type=int, choices=(1, 2, 3), default=2, help="Table 1's initialisation")
            p.add_argument("--gradient", choices=("exact", "sampled"), default="exact")
            p.add_argument("--samples", type=int, default=1000, help="episodes per sampled gradient")
            p.add_argument("--seed", type=int, default=0)
        p.set_defaults(run=run)

    p = commands.add_parser("reproduce", help="run every figure script; PNG + CSV + REPORT.md")
    p.add_argument("--quick", action="store_true", help="few trials: a few minutes on 2 cores")
    p.add_argument("--only", nargs="+", metavar="NAME", help="figure scripts to run (default: all)")
    p.add_argument("--out", default="reproduce-out")
    p.add_argument("--figures", default=None, help="directory of the figure scripts (default: the checkout's)")
    p.set_defaults(run=_cmd_reproduce)
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
