"""``stackelberg study cooperation|plot``: the SE-vs-NE cooperation-level study and its plots."""

from __future__ import annotations

from pathlib import Path

from ._common import CommandError, TIE_BREAKS, add_progress_argument, parse_list, progress_flag, sentence

__all__ = ["add_parser", "run_cooperation", "run_plot"]

HELP = "the SE-vs-NE cooperation-level study: run it into a SQLite store, plot a store"


def add_parser(subparsers) -> None:
    """The ``study`` verb and its two sub-verbs."""
    study = subparsers.add_parser("study", help=HELP, description=sentence(HELP)).add_subparsers(
        dest="study", required=True, metavar="STUDY")
    p = study.add_parser("cooperation", help="run (or resume) the study into a SQLite store",
                         description="Run (or resume) the SE-vs-NE cooperation-level study into a SQLite store.")
    p.add_argument("--sizes", default="5,10", help="comma-separated numbers of actions n, or 'paper' (5,10,20,50,100)")
    p.add_argument("--rhos", default="paper",
                   help="comma-separated payoff correlations rho, or 'paper' (-1 to 1 in steps of 0.1)")
    p.add_argument("--trials", default="100", help="random games per (n, rho), or 'paper' (default 100)")
    p.add_argument("--equilibria", choices=("pure", "mixed"), default="pure",
                   help="compare pure (default) or mixed-commitment equilibria")
    p.add_argument("--tie-break", dest="tie_break", choices=TIE_BREAKS, default="strong",
                   help="follower's tie-breaking in the Stackelberg equilibria (default strong)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random games (default 0)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="address of a Dask scheduler to run on instead of local processes")
    p.add_argument("--out", default="study.sqlite", help="the result store (resumed if it exists; default study.sqlite)")
    p.add_argument("--plot", default=None, metavar="DIR", help="also write the PNG + CSV plots into DIR")
    add_progress_argument(p)
    p.set_defaults(run=run_cooperation)
    p = study.add_parser("plot", help="plot a study store: PNG + CSV",
                         description="Plot a study store: PNG + CSV.")
    p.add_argument("store", metavar="STORE", help="the SQLite store written by 'stackelberg study cooperation'")
    p.add_argument("--out", default="study-plots", help="output directory (default study-plots)")
    p.add_argument("--study", default=None, help="study key (default: the only study in the store)")
    p.set_defaults(run=run_plot)


def run_cooperation(args) -> int:
    """Run the study, print where it is stored, optionally plot it."""
    from ..analysis.cooperation_study import PAPER_RHOS, PAPER_SIZES, cooperation_study
    from ..analysis.plots import plot_study

    sizes = PAPER_SIZES if args.sizes == "paper" else parse_list("--sizes", args.sizes, int)
    rhos = PAPER_RHOS if args.rhos == "paper" else parse_list("--rhos", args.rhos, float)
    trials = args.trials if args.trials == "paper" else int(args.trials) if args.trials.isdigit() else None
    if trials is None:
        raise CommandError(f"--trials must be a positive integer or 'paper'; got {args.trials!r}")
    result = cooperation_study(
        sizes, rhos, trials, args.seed, equilibria=args.equilibria, tie_break=args.tie_break,
        workers=args.workers, scheduler=args.scheduler, store=args.out, progress=progress_flag(args),
    )  # fmt: skip
    print(f"{len(result.rows)} games stored in {args.out} (study {result.study_key})")
    if args.plot:
        for path in plot_study(result, args.plot).values():
            print(f"wrote {path}")
    return 0


def run_plot(args) -> int:
    """Plot a store."""
    from ..analysis.plots import plot_study
    from ..analysis.store import ResultStore

    if not Path(args.store).is_file():
        raise CommandError(f"STORE file {args.store!r} does not exist")
    with ResultStore(args.store) as store:
        for path in plot_study(store, args.out, study_key=args.study).values():
            print(f"wrote {path}")
    return 0
