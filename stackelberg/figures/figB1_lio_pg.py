"""Reproduce Fig. B.1 of Yang (2021) and the LIO-PG (LIO-asym) outcome in the Prisoner's Dilemma.

Fig. B.1: exact LIO vector fields of the recipient's probability of cooperation theta^2
against the incentive for cooperation eta^1_C (top row, eta^1_D fixed per panel) and for
defection eta^1_D (bottom row, eta^1_C fixed per panel); the thesis: "incentive for defection
is guaranteed to decrease". LIO paired with a policy-gradient agent (Fig. 5.4, "LIO-asym"):
"they converge to the DC solution: PG is incentivized to cooperate while LIO defects, resulting
in collective reward near -3".

Parameters the thesis leaves open (stated here): gamma = 0.9, alpha = 0.01, beta = 0.01,
incentives in [0, 3], theta clipped to [0, 1]; top-row panels at eta^1_D = 0.5, 1.5, 2.5 and
bottom-row panels at eta^1_C = 0.5, 1.5, 2.5, grids of 13 x 11. The LIO-PG check runs exact
dynamics from a regular grid of initial conditions (theta^1, theta^2 in [0, 1], the LIO
player's two incentives in [0, 3]; 6 points per axis = 1296 runs, --quick: 3) for 1000
iterations; player 0 (row) is the LIO agent, player 1 the PG agent.

Our numbers: every bottom-row arrow has d eta_D < 0 (or 0 on the boundary eta_D = 0); every
LIO-PG run ends at DC with collective reward -3 (thesis: near -3).
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
FIXED = (0.5, 1.5, 2.5)


def run(out_dir, quick: bool = False) -> dict:
    """Compute the fields and the LIO-PG check; write PNG + CSV into ``out_dir``."""
    plt = pyplot()

    os.makedirs(out_dir, exist_ok=True)
    game = prisoners_dilemma()  # Table 5.1: CC (-1,-1), CD (-3,0), DC (0,-3), DD (-2,-2); C first
    grid = dict(incentive_grid=np.linspace(0, 3, 13), theta_grid=np.linspace(0, 1, 11))
    rows = {
        action: [lio_vector_field(game, incentive_action=action, fixed_incentive=f, **grid, **PARAMETERS) for f in FIXED]
        for action in (0, 1)
    }
    fig, axes = plt.subplots(2, len(FIXED), figsize=(4.2 * len(FIXED), 7.2), sharey=True)
    names = {0: ("eta_C^1", "eta_D^1"), 1: ("eta_D^1", "eta_C^1")}
    for action, fields in rows.items():
        for ax, field in zip(axes[action], fields):
            length = np.hypot(field.d_incentive, field.d_theta)
            scale = 1.0 / np.maximum(length, 1e-12)
            X, Y = np.meshgrid(field.incentive, field.theta)
            ax.quiver(X, Y, field.d_incentive * scale, field.d_theta * scale, length, cmap="viridis", angles="xy")
            ax.set_title(f"{names[action][1]} = {field.fixed_incentive:g}")
            ax.set_xlabel(f"incentive {names[action][0]}")
        axes[action][0].set_ylabel("P(agent 2 cooperates)")
    fig.suptitle("Exact LIO in the IPD (Fig. B.1): top, incentive for C; bottom, incentive for D")
    png = save_figure(fig, os.path.join(out_dir, "figB1_lio_fields.png"))

    field_csv = os.path.join(out_dir, "figB1_fields.csv")
    with open(field_csv, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["axis", "fixed_other", "incentive", "theta2", "d_incentive", "d_theta2"])
        for action, fields in rows.items():
            for field in fields:
                for i, theta in enumerate(field.theta):
                    for j, eta in enumerate(field.incentive):
                        writer.writerow(["C" if action == 0 else "D", field.fixed_incentive, eta, theta,
                                         field.d_incentive[i, j], field.d_theta[i, j]])
    bottom = np.concatenate([f.d_incentive[:, f.incentive > 0].ravel() for f in rows[1]])

    study = lio_convergence_study(game, n_steps=1000, points_per_axis=3 if quick else 6, learners=("lio", "pg"), **PARAMETERS)
    example = lio_trajectory(game, (0.5, 0.5), ([0.0, 0.0], [0.0, 0.0]), n_steps=400, learners=("lio", "pg"), **PARAMETERS)
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.plot(example.policies(0)[:, 0], label="LIO: P(C)")
    ax.plot(example.policies(1)[:, 0], label="PG: P(C)")
    ax.plot(example.eta[0][:, 0], label="eta_C paid by LIO", ls="--")
    ax.plot(example.eta[0][:, 1], label="eta_D paid by LIO", ls="--")
    ax.set_xlabel("iteration")
    ax.set_ylabel("probability / incentive")
    ax.legend(fontsize=8)
    ax.set_title("LIO (row) with PG (column): ends at DC")
    png_pg = save_figure(fig, os.path.join(out_dir, "lio_pg_trajectory.png"))

    summary_csv = os.path.join(out_dir, "lio_pg_outcomes.csv")
    with open(summary_csv, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["quantity", "ours", "thesis"])
        writer.writerow(["runs", study.n_runs, ""])
        writer.writerow(["fraction ending at DC (LIO defects, PG cooperates)", study.fractions["10"], "DC"])
        writer.writerow(["mean final collective reward", float(study.final_collective_reward.mean()), "near -3"])
        writer.writerow(["max d eta_D in the bottom row (eta_D > 0)", float(bottom.max()), "< 0 (decreases)"])
    return dict(
        parameters=PARAMETERS,
        bottom_row_max_d_eta_D=float(bottom.max()),
        bottom_row_thesis="incentive for defection is guaranteed to decrease (< 0)",
        lio_pg_runs=study.n_runs,
        lio_pg_fraction_DC=study.fractions["10"],
        lio_pg_mean_collective=float(study.final_collective_reward.mean()),
        lio_pg_thesis=dict(outcome="DC", collective_reward=-3.0),
        files=dict(png=png, png_trajectory=png_pg, field_csv=field_csv, summary_csv=summary_csv),
    )


#: Recorded from a full run (1296 LIO-PG runs; the fields do not depend on the budget).
FULL_SCALE = dict(bottom_row_max_d_eta_D=-0.02, fraction_DC=1.0, mean_collective=-3.0)


def account(numbers: dict, quick: bool) -> list[Row]:
    """Fig. B.1's claim and the LIO-PG outcome beside ours (a grid of starts: comparable when quick)."""
    return [
        Row("Fig. B.1 bottom row: largest d eta_D where eta_D > 0 ('guaranteed to decrease')", "< 0",
            numbers["bottom_row_max_d_eta_D"], FULL_SCALE["bottom_row_max_d_eta_D"], budget_dependent=False),
        Row("LIO-PG: share of runs ending at DC", 1.0, numbers["lio_pg_fraction_DC"], FULL_SCALE["fraction_DC"],
            scale=1.0, budget_dependent=False),
        Row("LIO-PG: mean final collective reward ('near -3')", -3.0, numbers["lio_pg_mean_collective"],
            FULL_SCALE["mean_collective"], budget_dependent=False),
    ]


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="3 grid points per axis for the LIO-PG check")


if __name__ == "__main__":
    main()
