"""Reproduce Fig. 5.2 of Yang (2021) and check Proposition 3: exact LIO in the Prisoner's Dilemma.

Fig. 5.2 plots the exact LIO vector field of the recipient's probability of cooperation
theta^2 (vertical) against the incentive eta^1_C that agent 1 pays for cooperation
(horizontal), "guaranteed increase in theta^2 along with increase in eta^1_C; for higher
eta^1_D, greater eta^1_C is needed". Proposition 3: two LIO agents converge to mutual
cooperation, because Eq. B.6 raises eta_C - eta_D until eta_C - eta_D - 1 > 0 (Table B.1).

Parameters the thesis leaves open (stated here): gamma = 0.9, alpha = 0.01 (policy step,
Eq. B.4), beta = 0.01 (incentive step, Eq. B.6), incentives clipped to [0, R_max] = [0, 3]
(the thesis's IPD R_max and the figure's [0, 3]^2 range), theta kept in [0, 1] by clipping,
agent 1's own theta^1 = 0.5 and agent 2's incentive (0, 0) at every point of the field (they do
not enter it in the PD), panels at eta^1_D = 0, 1, 2, a 13 x 11 grid. Proposition 3 is checked
on a regular grid of initial conditions (theta^1, theta^2 in [0, 1], each incentive entry in
[0, 3]; 4 points per axis, 4096 runs; --quick: 2 per axis) for 1000 iterations, without cost
and with an L1 cost of weight 0.05 and 5.0.

Our numbers: every initial condition ends at CC without cost and with cost 0.05, with final
eta_C - eta_D - 1 = 2 (eta_C = 3, eta_D = 0 at the box's corner); with the heavy cost 5.0,
eta_C is driven down wherever the recipient cooperates and a share of runs stays at DD.
"""

from __future__ import annotations

import csv
import os

import numpy as np

from stackelberg.analysis.lio_study import lio_convergence_study, lio_vector_field
from stackelberg.figures._account import Row
from stackelberg.figures._script import pyplot, save_figure, script_main
from stackelberg.games.catalog import prisoners_dilemma
from stackelberg.solvers.incentives import lio_trajectory

PARAMETERS = dict(gamma=0.9, alpha=0.01, beta=0.01)
FIXED_DEFECTION = (0.0, 1.0, 2.0)
COSTS = (0.0, 0.05, 5.0)


def run(out_dir, quick: bool = False) -> dict:
    """Compute the fields and the Prop. 3 check; write PNG + CSV into ``out_dir``."""
    plt = pyplot()

    os.makedirs(out_dir, exist_ok=True)
    game = prisoners_dilemma()  # Table 5.1: CC (-1,-1), CD (-3,0), DC (0,-3), DD (-2,-2); C first
    fields = [
        lio_vector_field(
            game, fixed_incentive=fixed, incentive_grid=np.linspace(0, 3, 13), theta_grid=np.linspace(0, 1, 11),
            **PARAMETERS,
        )
        for fixed in FIXED_DEFECTION
    ]
    starts = np.linspace(0.05, 0.95, 4)
    paths = [
        lio_trajectory(
            game, (np.full((4, 1), 0.5), starts[:, None]), (np.column_stack([np.zeros(4), np.full(4, fixed)]), np.zeros((4, 2))),
            n_steps=250, **PARAMETERS,
        )
        for fixed in FIXED_DEFECTION
    ]
    fig, axes = plt.subplots(1, len(fields), figsize=(4.2 * len(fields), 3.8), sharey=True)
    for ax, field, path, fixed in zip(axes, fields, paths, FIXED_DEFECTION):
        length = np.hypot(field.d_incentive, field.d_theta)
        scale = np.where(length > 0, 1.0 / np.maximum(length, 1e-12), 0.0)
        X, Y = np.meshgrid(field.incentive, field.theta)
        ax.quiver(X, Y, field.d_incentive * scale, field.d_theta * scale, length, cmap="viridis", angles="xy")
        for b in range(4):
            ax.plot(path.eta[0][:, b, 0], path.theta[1][:, b, 0], color="tab:red", lw=1)
        ax.set_title(f"eta_D^1 = {fixed:g}")
        ax.set_xlabel("incentive for cooperation eta_C^1")
    axes[0].set_ylabel("P(agent 2 cooperates) theta^2")
    fig.suptitle("Exact LIO in the IPD (Fig. 5.2): arrows = one iteration, red = trajectories")
    png = save_figure(fig, os.path.join(out_dir, "fig5_2_lio_ipd.png"))

    field_csv = os.path.join(out_dir, "fig5_2_field.csv")
    with open(field_csv, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["eta_D", "eta_C", "theta2", "d_eta_C", "d_theta2"])
        for field, fixed in zip(fields, FIXED_DEFECTION):
            for i, theta in enumerate(field.theta):
                for j, eta in enumerate(field.incentive):
                    writer.writerow([fixed, eta, theta, field.d_incentive[i, j], field.d_theta[i, j]])

    points = 2 if quick else 4
    checks = {}
    for cost in COSTS:
        study = lio_convergence_study(game, n_steps=1000, points_per_axis=points, cost=cost, **PARAMETERS)
        checks[cost] = dict(
            runs=study.n_runs,
            fraction_CC=study.fractions["00"],
            fraction_DD=study.fractions["11"],
            min_final_margin=float(study.final_margin.min()),
            max_final_margin=float(study.final_margin.max()),
            mean_final_collective_reward=float(study.final_collective_reward.mean()),
        )
    prop_csv = os.path.join(out_dir, "prop3_check.csv")
    with open(prop_csv, "w", newline="") as handle:
        writer = csv.writer(handle)
        header = ["cost", "runs", "fraction_CC", "fraction_DD", "min_final_margin", "max_final_margin",
                  "mean_final_collective_reward", "thesis"]
        writer.writerow(header)
        for cost, row in checks.items():
            thesis = "all runs reach CC (Prop. 3, no cost)" if cost == 0 else "not covered by Prop. 3"
            writer.writerow([cost] + [row[k] for k in header[1:-1]] + [thesis])
    return dict(
        parameters=PARAMETERS,
        field_d_eta_C=float(fields[0].d_incentive[5, 0]),
        field_d_eta_C_thesis=2 * PARAMETERS["beta"] * PARAMETERS["alpha"] / (1 - PARAMETERS["gamma"]) ** 2,
        prop3=checks,
        prop3_thesis=dict(fraction_CC=1.0, final_margin="> 0"),
        files=dict(png=png, field_csv=field_csv, prop3_csv=prop_csv),
    )


#: Recorded from a full run (the field does not depend on the budget; every Prop. 3 run ends at CC with margin 2).
FULL_SCALE = dict(field_d_eta_C=0.02, fraction_CC=1.0, min_final_margin=2.0, fraction_CC_cost_005=1.0)


def account(numbers: dict, quick: bool) -> list[Row]:
    """Prop. 3 and the field's slope beside ours (a grid of starts, not a sampled budget: comparable when quick)."""
    prop3 = numbers["prop3"]
    return [
        Row("Fig. 5.2 field: d eta_C at theta2 = 0.5, eta_C = 0 (2 beta alpha / (1 - gamma)^2)",
            numbers["field_d_eta_C_thesis"], numbers["field_d_eta_C"], FULL_SCALE["field_d_eta_C"],
            budget_dependent=False),
        Row("Prop. 3: share of runs ending at CC, no cost", 1.0, prop3[0.0]["fraction_CC"], FULL_SCALE["fraction_CC"],
            scale=1.0, budget_dependent=False),
        Row("Prop. 3: smallest final eta_C - eta_D - 1, no cost", "> 0", prop3[0.0]["min_final_margin"],
            FULL_SCALE["min_final_margin"], budget_dependent=False),
        Row("Prop. 3 with L1 cost 0.05: share of runs at CC (thesis: LIO cooperates)", 1.0,
            prop3[0.05]["fraction_CC"], FULL_SCALE["fraction_CC_cost_005"], scale=1.0, budget_dependent=False),
    ]  # fmt: skip


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="2 grid points per axis for the Prop. 3 check")


if __name__ == "__main__":
    main()
