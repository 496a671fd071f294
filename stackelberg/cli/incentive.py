"""``stackelberg incentive example1|gridworld``: Algorithm 1 of the incentive-design paper on its two examples."""

from __future__ import annotations

from ._common import add_format_argument, add_progress_argument, number, progress_flag, render, sentence

__all__ = ["add_parser", "run_example1", "run_gridworld"]

_EARLIER = {"less-desired": "a less-desired goal", "goal": "any goal"}
HELP = "incentive design (Algorithm 1): Example 1 and the two-robot gridworld, beside the paper's numbers"


def add_parser(subparsers) -> None:
    """The ``incentive`` verb and its two examples."""
    incentive = subparsers.add_parser("incentive", help=HELP, description=sentence(HELP))
    incentive = incentive.add_subparsers(dest="example", required=True, metavar="EXAMPLE")
    for name, helptext, run in (
        ("example1", "Example 1: f_m contours (Fig. 2) and Algorithm 1 from four starts", run_example1),
        ("gridworld", "the two-robot 6x6 gridworld (Table 1, Figs 4-6)", run_gridworld),
    ):
        p = incentive.add_parser(name, help=helptext, description=helptext + "; writes PNG + CSV.")
        p.add_argument("--parameterization", choices=("direct", "softmax"), default="direct",
                       help="the followers' policy parameterization (default direct)")
        p.add_argument("--iterations", type=int, default=None, help="Algorithm 1 iterations (default: the paper's)")
        p.add_argument("--out", default=f"incentive-{name}",
                       help=f"directory for PNG + CSV (default incentive-{name})")
        if name == "example1":
            p.add_argument("--grid-points", dest="grid_points", type=int, default=121,
                           help="grid points per axis of the brute-force f_m (Fig. 2 contours; default 121)")
        if name == "gridworld":
            p.add_argument("--init", type=int, choices=(1, 2, 3), default=2, help="Table 1's initialisation (default 2)")
            p.add_argument("--gradient", choices=("exact", "sampled"), default="exact",
                           help="exact gradients (default) or estimates from sampled episodes")
            p.add_argument("--samples", type=int, default=1000,
                           help="--gradient sampled: episodes per gradient (default 1000)")
            p.add_argument("--seed", type=int, default=0, help="--gradient sampled: seed of the episodes (default 0)")
            p.add_argument("--earlier", choices=("less-desired", "goal"), default=None,
                           help="which earlier arrival of the other robot earns the leader 8 when a robot reaches a "
                                "less-desired goal: 'less-desired' (default, the reading the figure script "
                                "incentive_gridworld keeps) or 'goal' (any goal, the text's literal reading)")
        add_progress_argument(p)
        add_format_argument(p)
        p.set_defaults(run=run)


def run_example1(args) -> int:
    """Algorithm 1 from each of Example 1's starts: final payments, nearest stationary point, objective."""
    from ..analysis.incentive_study import run_example1 as example1

    kwargs = {} if args.iterations is None else {"iterations": args.iterations}
    report = example1(args.parameterization, args.out, grid_points=args.grid_points, progress=progress_flag(args),
                      **kwargs)
    rows = []
    for run in report["runs"]:
        row = {"x0": [number(v) for v in run["x0"]], "final x": [f"{v:.4f}" for v in run["final_x"]]}
        if "nearest_stationary_point" in run:  # the paper's stationary points are those of the direct form
            row["nearest stationary point"] = [number(v) for v in run["nearest_stationary_point"]]
            row["distance"] = f"{run['distance_to_stationary_point']:.4f}"
        row["feasibility q"] = f"{run['final_feasibility']:.2e}"
        row["stationarity"] = f"{run['final_stationarity']:.2e}"
        row["leader objective"] = f"{run['final_objective']:.4f}"
        rows.append(row)
    print(render(rows, args.format, f"Example 1, {args.parameterization}: Algorithm 1 from each start "
                                    "(paper's stationary points (0,0), (1,0), (0,2), (1,2))"))
    if args.format == "table":
        print(f"brute-force f_m vs the paper's closed form: max error {report['brute_force_max_abs_error']:.2e}")
        for path in report["files"].values():
            print(f"wrote {path}")
    return 0


def run_gridworld(args) -> int:
    """Algorithm 1 on the gridworld from one of Table 1's initialisations, beside the paper's row."""
    from ..analysis.incentive_study import GRIDWORLD_READING
    from ..analysis.incentive_study import run_gridworld as gridworld
    from ..games.incentive import gridworld_problem

    kwargs = {} if args.iterations is None else {"iterations": args.iterations}
    reading = dict(GRIDWORLD_READING)
    if args.earlier is not None:
        reading["earlier"] = args.earlier
    report = gridworld(args.parameterization, args.init, args.out, gradient=args.gradient, samples=args.samples,
                       seed=args.seed, progress=progress_flag(args), problem=gridworld_problem(**reading), **kwargs)
    paper = report.get("paper") or {}
    rows = [{"quantity": key, "ours": f"{report[key]:.6g}",
             "paper (Table 1)": "" if key not in paper else f"{paper[key]:.6g}"}
            for key in ("x1", "x2", "feasibility", "leader_value", "leader_objective", "stationarity")]
    print(render(rows, args.format, f"Two-robot gridworld, {args.parameterization}, init {args.init}, "
                                    f"{report['iterations']} iterations of Algorithm 1 ({args.gradient} gradients; "
                                    f"leader's 8 after the other reached {_EARLIER[reading['earlier']]})"))
    if args.format == "table":
        for path in report["files"].values():
            print(f"wrote {path}")
    return 0
