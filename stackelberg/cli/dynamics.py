"""``stackelberg dynamics lio-ipd|escape-room``: exact (or sampled) learning dynamics of incentive-giving agents."""

from __future__ import annotations

from ._common import add_format_argument, add_progress_argument, progress_flag, render, sentence

__all__ = ["LIO_LEARNERS", "add_parser", "run_escape_room", "run_lio_ipd"]

LIO_LEARNERS = ("lio,lio", "lio,pg", "pg,pg")
HELP = "exact learning dynamics: LIO in the repeated Prisoner's Dilemma, PG/LIO/designer in Escape Room"
OUTCOMES = {"00": "CC", "01": "CD", "10": "DC", "11": "DD", "mixed": "mixed"}


def add_parser(subparsers) -> None:
    """The ``dynamics`` verb and its two systems."""
    dynamics = subparsers.add_parser("dynamics", help=HELP, description=sentence(HELP)).add_subparsers(
        dest="dynamics", required=True, metavar="SYSTEM")
    p = dynamics.add_parser("lio-ipd", help="exact LIO in the repeated Prisoner's Dilemma (Prop. 3)",
                            description="Exact LIO in the repeated Prisoner's Dilemma from a grid of initial "
                                        "points: where the runs end (Prop. 3).")
    p.add_argument("--learners", choices=LIO_LEARNERS, default="lio,lio", metavar="A,B",
                   help="the two agents, each lio (incentive-giving) or pg (plain policy gradient): "
                        "lio,lio (default), lio,pg or pg,pg")
    p.add_argument("--gamma", type=float, default=0.9, help="discount (default 0.9)")
    p.add_argument("--alpha", type=float, default=0.01, help="policy step size (default 0.01)")
    p.add_argument("--beta", type=float, default=0.01, help="incentive step size (default 0.01)")
    p.add_argument("--cost", type=float, default=0.0, help="cost of giving incentives (default 0)")
    p.add_argument("--steps", type=int, default=1000, help="gradient steps per run (default 1000)")
    p.add_argument("--points", type=int, default=4, help="initial points per axis (default 4)")
    p.add_argument("--incentive-max", dest="incentive_max", type=float, default=3.0,
                   help="upper bound of an incentive (default 3)")
    add_format_argument(p)
    p.set_defaults(run=run_lio_ipd)

    p = dynamics.add_parser("escape-room", help="policy-gradient / LIO / designer dynamics in ER(N, M)",
                            description="Policy-gradient, LIO or meta-gradient designer dynamics in Escape Room "
                                        "ER(N, M): exact gradients, or REINFORCE estimates with --sampled.")
    p.add_argument("--population", choices=("pg", "lio", "designer"), required=True,
                   help="plain policy-gradient agents, LIO agents, or PG agents under an incentive designer")
    p.add_argument("--agents", type=int, default=2, help="number of agents N (default 2)")
    p.add_argument("--required", type=int, default=1, help="agents M needed at the lever (default 1)")
    p.add_argument("--horizon", type=int, default=5, help="episode length (default 5)")
    p.add_argument("--steps", type=int, default=3000, help="learning iterations (default 3000)")
    p.add_argument("--gamma", type=float, default=0.99, help="discount (default 0.99)")
    p.add_argument("--alpha", type=float, default=0.1, help="policy step size (default 0.1)")
    p.add_argument("--beta", type=float, default=0.1, help="incentive step size (default 0.1)")
    p.add_argument("--cost", type=float, default=0.1, help="cost of giving incentives (default 0.1)")
    p.add_argument("--exploration", type=float, default=0.1, help="exploration floor of the policies (default 0.1)")
    p.add_argument("--r-max", dest="r_max", type=float, default=2.0, help="largest incentive R_max (default 2)")
    p.add_argument("--init-scale", dest="init_scale", type=float, default=0.5,
                   help="scale of the random initial logits (default 0.5)")
    p.add_argument("--init-seed", dest="init_seed", type=int, default=0, help="seed of the initial logits (default 0)")
    p.add_argument("--optimizer", choices=("adam", "adam-single", "sgd"), default="adam",
                   help="optimizer of the incentive parameters (default adam)")
    p.add_argument("--entropy", type=float, default=0.0, help="agents' entropy bonus c (thesis code: 0.0166)")
    p.add_argument("--eta-init", dest="eta_init", type=float, default=None,
                   help="initial incentive parameter, every entry (LIO ER(3,2) uses -3; default 0: R_max/2)")
    p.add_argument("--record-every", dest="record_every", type=int, default=50,
                   help="record the returns every K steps (default 50)")
    p.add_argument("--sampled", action="store_true", help="REINFORCE estimates instead of exact gradients")
    p.add_argument("--batch-size", dest="batch_size", type=int, default=32,
                   help="--sampled: episodes per estimate (default 32)")
    p.add_argument("--seed", type=int, default=0, help="--sampled: seed of the episodes (default 0)")
    add_progress_argument(p)
    add_format_argument(p)
    p.set_defaults(run=run_escape_room)


def run_lio_ipd(args) -> int:
    """Where exact LIO ends from each initial point."""
    from ..analysis.lio_study import lio_convergence_study
    from ..games.catalog import prisoners_dilemma

    learners = tuple(args.learners.split(","))
    study = lio_convergence_study(
        prisoners_dilemma(), n_steps=args.steps, points_per_axis=args.points, gamma=args.gamma, alpha=args.alpha,
        beta=args.beta, cost=args.cost, learners=learners, incentive_bounds=(0.0, args.incentive_max),
    )  # fmt: skip
    rows = [{"outcome": OUTCOMES.get(outcome, outcome), "share": float(fraction)}
            for outcome, fraction in sorted(study.fractions.items())]
    summary = {"final_margin_min": float(study.final_margin.min()), "final_margin_max": float(study.final_margin.max()),
               "mean_final_collective_reward": float(study.final_collective_reward.mean())}
    title = f"LIO in the repeated Prisoner's Dilemma, learners {learners}, {len(study.outcome)} initial points"
    if args.format == "json":
        import json

        print(json.dumps({"learners": list(learners), "initial_points": len(study.outcome), "outcomes": rows,
                          **summary}, indent=2))
        return 0
    print(render([{"ends at": r["outcome"], "share": f"{r['share']:.1%}"} for r in rows], args.format, title))
    if args.format == "table":
        print(f"eta_C - eta_D - 1 at the end: min {summary['final_margin_min']:.3f}, "
              f"max {summary['final_margin_max']:.3f}")
        print(f"mean final collective reward per round: {summary['mean_final_collective_reward']:.3f}")
    return 0


def run_escape_room(args) -> int:
    """Run one population in ER(N, M) and print its final returns."""
    from ..games.escape_room import escape_room
    from ..solvers.incentives.metagrad import incentive_trajectory, initial_logits

    game = escape_room(args.agents, args.required, horizon=args.horizon)
    logits0 = initial_logits(game, scale=args.init_scale, seed=args.init_seed)
    common = dict(
        n_steps=args.steps, logits0=logits0, eta0=args.eta_init, gamma=args.gamma, alpha=args.alpha, beta=args.beta,
        r_max=args.r_max, cost=args.cost, exploration=args.exploration, record_every=args.record_every,
        entropy=args.entropy, incentive_optimizer=args.optimizer, progress=progress_flag(args),
    )  # fmt: skip
    if args.sampled:
        common.update(gradient="sampled", batch_size=args.batch_size, seed=args.seed)
    run = incentive_trajectory(game, args.population, **common)
    optimum = 10 * (args.agents - args.required) - args.required
    result = {"game": f"ER({args.agents},{args.required})", "population": args.population,
              "gradient": "sampled" if args.sampled else "exact", "steps": args.steps,
              "final_collective_return": float(run.collective_return[-1]), "optimum": optimum}
    if args.population == "designer":
        result["final_designer_return"] = float(run.designer_return[-1])
    if args.format == "json":
        import json

        print(json.dumps(result, indent=2))
        return 0
    if args.format == "csv":
        print(render([result], "csv", ""))
        return 0
    print(f"{result['game']} {args.population} ({result['gradient']} gradients, {args.steps} steps)")
    print(f"  final collective return {result['final_collective_return']:.3f} (optimum {optimum})")
    if args.population == "designer":
        print(f"  final designer return {result['final_designer_return']:.3f}")
    return 0
