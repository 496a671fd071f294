"""Reproduce Fig. 1 of Zhang et al. (2020): in the cooperative grid game, "both to 10" and "both to 20" are Nash
equilibria, but only "both to 20" is a Stackelberg equilibrium and solves bi-level RL.

The paper's claim (Fig. 1 caption; the picture is not in its text): "Agent A and B move simultaneously in the grid
and receive the common reward only when they are both in the 10 or 20 square. Joint policies lead both agents to
10 or 20 are Nash equilibria, but only joint policies lead both agents to 20 are Stackelberg equilibria and are
the solutions for BiRL." The paper gives no numbers for this figure.

Choices the paper leaves open (ours): the layout
(:data:`~stackelberg.games.markov_examples.BIAC_GRID_LAYOUT`, 3 x 3, the "10" square top-left, the "20" square
bottom-right, A starting top-right and B bottom-left, each two steps from both squares), moves N/S/E/W/stay,
deterministic, agents may share a cell, the game ends once both stand on a square, and gamma = 0.9. A is the
leader (player 0), ties are broken strongly. Exact BiRL by enumeration (Bi-AC Eq. 5, :func:`birl_optimum`) is
intractable on the 3 x 3 grid (5^81 leader policies), so it runs on the 1 x 3 corridor of the tests (20 at the
west end, 10 at the east end, both agents in the middle; moves E/W/stay: 3^7 = 2187 leader policies, the leader's
action mattering at 7 states); on the 3 x 3 grid the BiRL optimum
is pinned down instead by the team optimum, an upper bound in a common-reward game that the bi-level solution
attains.

What the script computes, per layout:

* the two stationary joint policies "both to 10" and "both to 20" (each agent walks a shortest path, rows first,
  then stays), evaluated exactly (policy evaluation);
* Nash: neither agent gains by deviating (each agent's MDP against the other's policy solved by value
  iteration: largest gain over all states), and the joint action is a pure Nash equilibrium of the stage game of
  the policy's own Q-values at every state (the Nash-Q fixed point, Bi-AC Eq. 3);
* Stackelberg: the joint action is a pure strong Stackelberg equilibrium of those stage games at every state (a
  fixed point of the bi-level Bellman equation, Eq. 7); the number of states where it is not;
* bi-level value iteration (:func:`solve_bilevel`) and Nash value iteration with the selections "first" and
  "pareto" (:func:`solve_nash`) from zero values; the corridor's exact BiRL solution (:func:`birl_optimum`); the 3 x 3
  grid's team optimum.

Our numbers (gamma = 0.9; values of A and B at the start, equal since the reward is common; the paper gives no
numbers, only the claims in the last column):

======================================  ===========================  =====================  =====================
quantity                                3 x 3 grid                   1 x 3 corridor         paper
======================================  ===========================  =====================  =====================
"both to 10": value; NE?                8.1; NE (gain 0, stage NE    9; NE                  NE
                                        at all 82 states)
"both to 20": value; NE?                16.2; NE                     18; NE                 NE
"both to 10" a fixed point of Eq. 7?    no: fails at 8 states (not   no: fails at 3 states  not an SE
                                        the start: where both can    (the start among
                                        reach 20 in one move)        them)
"both to 20" a fixed point of Eq. 7?    yes, at every state          yes                    SE
bi-level VI from 0                      16.2, both to 20, 6 sweeps   18, both to 20         (SE)
Nash VI "first" / "pareto"              cycles after 17 sweeps /     9 (to 10) / 18         (NE selection problem)
                                        16.2
BiRL value of A's policy (Eq. 5)        8.1 (to 10), 16.2 (to 20)    9 (to 10), 18 (to 20)
BiRL optimum                            16.2 = team optimum (upper   18, enumeration of     both to 20
                                        bound, attained)             2187 leader policies
======================================  ===========================  =====================  =====================

So the claim holds in both layouts: both joint policies are Nash equilibria, only "both to 20" satisfies the
bi-level Bellman equation and solves bi-level RL, and bi-level value iteration finds it, while Nash value iteration
lands on "both to 10" (corridor, first equilibrium) or cycles (grid) unless told to select the Pareto-best one.

Usage::

    python -m stackelberg.figures.fig1_biac_grid_game --out DIR [--quick]

Writes ``fig1_grid_game.png`` (layout with both joint policies' paths, and the start values of every concept) and
``fig1_grid_game.csv`` into the output directory.
"""

from __future__ import annotations

import csv
import json
import os
import re
import warnings

import numpy as np

from stackelberg.figures._script import pyplot, save_figure, script_main
import stackelberg as sb
from stackelberg import gridworld
from stackelberg.figures._account import Row
from stackelberg.games.markov_examples import BIAC_GRID_LAYOUT
from stackelberg.solvers import birl_optimum, solve_bilevel, solve_nash

GAMMA = 0.9
TOL = 1e-9
STEPS = {"N": (-1, 0), "S": (1, 0), "E": (0, 1), "W": (0, -1), "stay": (0, 0)}


def corridor_game(gamma: float = GAMMA):
    """The 1 x 3 corridor of tests/solvers/test_markov.py: 20 at the west end, 10 at the east, start in the middle."""

    def reward(cells):
        value = 10.0 if cells == ((0, 2), (0, 2)) else 20.0 if cells == ((0, 0), (0, 0)) else 0.0
        return (value, value)

    return gridworld(("2.1",), n_agents=2, moves=("E", "W", "stay"), rewards=reward,
                     exits=lambda c: c[0] == c[1] and c[0] in ((0, 0), (0, 2)), start=[(0, 1), (0, 1)], gamma=gamma)


def cells_of(game):
    """Per state, the agents' cells ``((r, c), (r, c))`` parsed from the state names (None for the sink)."""
    out = []
    for name in game.state_names:
        found = re.findall(r"\((\d+),(\d+)\)", name)
        out.append(tuple((int(r), int(c)) for r, c in found) if len(found) == 2 else None)
    return out


def toward(game, target):
    """Both agents' stationary policies ``(S,)`` walking a shortest path to ``target`` (rows first), then staying."""
    moves = game.action_names[0]
    policies = np.zeros((2, game.n_states), dtype=int)
    for s, cells in enumerate(cells_of(game)):
        for agent in range(2):
            if cells is None:
                policies[agent, s] = moves.index("stay")
                continue
            (r, c), (tr, tc) = cells[agent], target
            step = ("S" if tr > r else "N") if tr != r else ("E" if tc > c else "W") if tc != c else "stay"
            policies[agent, s] = moves.index(step)
    return policies


def evaluate(game, policies):
    """``(2, S)`` exact values of a deterministic joint policy."""
    values = np.empty((2, game.n_states))
    for p in range(2):
        others = [None, None]
        others[1 - p] = policies[1 - p]
        values[p] = sb.policy_evaluation(game.restrict_to_player(p, others), policies[p])
    return values


def deviation_gain(game, policies, values):
    """Largest gain, over agents and states, of an optimal deviation against the other agent's policy."""
    gain = 0.0
    for p in range(2):
        others = [None, None]
        others[1 - p] = policies[1 - p]
        best = sb.value_iteration(game.restrict_to_player(p, others), tol=1e-12).values
        gain = max(gain, float((best - values[p]).max()))
    return gain


def stage_checks(game, policies, values):
    """States where the joint action is not a pure NE, and not a pure strong SE (A leads), of its stage game."""
    n0, n1 = game.action_shape
    q = (game.rewards + game.gamma * game.expected_next(values)).reshape(2, game.n_states, n0, n1)
    not_ne, not_se = [], []
    for s in range(game.n_states):
        a, b = policies[0, s], policies[1, s]
        Q0, Q1 = q[0, s], q[1, s]
        near = lambda x, best: x >= best - TOL * max(1.0, abs(best))  # noqa: E731
        if not (near(Q0[a, b], Q0[:, b].max()) and near(Q1[a, b], Q1[a].max())):
            not_ne.append(s)
        responses = [np.flatnonzero([near(v, Q1[l].max()) for v in Q1[l]]) for l in range(n0)]
        outcome = [Q0[l, r].max() for l, r in enumerate(responses)]  # strong: best response best for A
        if not (b in responses[a] and near(Q0[a, b], Q0[a, responses[a]].max()) and near(Q0[a, b], max(outcome))):
            not_se.append(s)
    return not_ne, not_se


def nash_vi(game, selection, max_iterations):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        solution = solve_nash(game, selection, max_iterations=max_iterations)
    return solution, bool(caught)


def leader_policy_value(game, leader_policy):
    """BiRL objective of a leader policy in a common-reward game: the follower's optimal value at the start.

    With a common reward every optimal response of the follower gives the leader that same value, so no
    tie-breaking is involved.
    """
    follower_mdp = game.restrict_to_player(1, [leader_policy, None])
    return float(sb.value_iteration(follower_mdp, tol=1e-12).values[int(game.initial_distribution.argmax())])


def study(name, game, targets, max_iterations):
    """All checks on one layout; returns CSV rows and the numbers."""
    start = int(game.initial_distribution.argmax())
    rows, numbers, paths = [], {}, {}
    bilevel = solve_bilevel(game)
    states = np.arange(game.n_states)
    candidates = {f"joint policy {label}": toward(game, target) for label, target in targets.items()}
    candidates["bi-level VI from 0"] = np.stack([bilevel.leader_policy,
                                                 bilevel.follower_policy[states, bilevel.leader_policy]])
    for label, policies in candidates.items():
        values = evaluate(game, policies)
        gain = deviation_gain(game, policies, values)
        not_ne, not_se = stage_checks(game, policies, values)
        birl_value = leader_policy_value(game, policies[0])
        numbers[label] = {"value_A": values[0, start], "value_B": values[1, start], "deviation_gain": gain,
                          "states_not_stage_ne": len(not_ne), "states_not_stage_se": len(not_se),
                          "se_fails_at_start": start in not_se, "leader_policy_birl_value": birl_value}
        claim = {"both to 10": "NE, not an SE", "both to 20": "NE, SE, BiRL solution"}.get(label[13:], "(SE)")
        rows.append([name, label, values[0, start], values[1, start], gain <= 1e-9, not not_ne, not not_se,
                     birl_value, claim])
        paths[label] = policies
    numbers["bilevel_vi"] = {"value_A": bilevel.values[0, start], "iterations": bilevel.iterations,
                             "same_as_both_to_20": bool(np.isclose(bilevel.values[0, start],
                                                                   numbers["joint policy both to 20"]["value_A"]))}
    for selection in ("first", "pareto"):
        solution, warned = nash_vi(game, selection, max_iterations)
        numbers[f"nash_vi_{selection}"] = {"value_A": solution.values[0, start], "stop_reason": solution.stop_reason,
                                           "iterations": solution.iterations}
        rows.append([name, f"Nash VI ({selection})" + (f", stopped: {solution.stop_reason}" if warned else ""),
                     solution.values[0, start], solution.values[1, start], "", "", "", "", "(an NE: selection)"])
    return rows, numbers, paths


def run(out_dir, quick: bool = False) -> dict:
    """Run both layouts; write PNG + CSV into ``out_dir`` and return the numbers.

    ``quick`` caps Nash value iteration at 300 sweeps (it cycles on the 3 x 3 grid) instead of 2000.
    """
    plt = pyplot()

    os.makedirs(out_dir, exist_ok=True)
    max_iterations = 300 if quick else 2000
    grid, corridor = sb.biac_grid_game(GAMMA), corridor_game(GAMMA)
    grid_rows, grid_numbers, grid_paths = study(
        "3x3 grid", grid, {"both to 10": (0, 0), "both to 20": (2, 2)}, max_iterations)
    corridor_rows, corridor_numbers, _ = study(
        "1x3 corridor", corridor, {"both to 10": (0, 2), "both to 20": (0, 0)}, max_iterations)

    birl = birl_optimum(corridor)
    start = int(corridor.initial_distribution.argmax())
    corridor_numbers["birl"] = {"value_A": birl.leader_value, "value_B": birl.follower_value,
                                "leader_first_move": corridor.action_names[0][birl.leader_policy[start]],
                                "n_policies": birl.n_policies}
    corridor_rows.append(["1x3 corridor", f"BiRL optimum (enumeration of {birl.n_policies} leader policies)",
                          birl.leader_value, birl.follower_value, "", "", "", birl.leader_value, "both to 20"])
    team = sb.value_iteration(grid.team_mdp(), tol=1e-12)
    team_value = float(team.values[int(grid.initial_distribution.argmax())]) / 2  # each agent gets half the sum
    grid_numbers["team_bound"] = team_value
    grid_rows.append(["3x3 grid", "team optimum (>= BiRL optimum: common reward)", team_value, team_value, "", "", "",
                      "", "both to 20"])

    header = ["layout", "solution", "value A (start)", "value B (start)", "no profitable deviation",
              "stage NE at every state (Eq. 3)", "stage SE at every state (Eq. 7)",
              "BiRL value of A's policy (Eq. 5)", "paper"]
    csv_path = os.path.join(out_dir, "fig1_grid_game.csv")
    with open(csv_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(grid_rows + corridor_rows)

    fig, (ax_layout, ax_values) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1, 1.6]})
    _draw_layout(ax_layout, grid, {k[13:]: v for k, v in grid_paths.items() if k.startswith("joint policy")})
    _draw_values(ax_values, grid_rows + corridor_rows)
    png_path = save_figure(fig, os.path.join(out_dir, "fig1_grid_game.png"))

    numbers = {"grid": grid_numbers, "corridor": corridor_numbers, "gamma": GAMMA,
               "files": {"png": png_path, "csv": csv_path}}
    with open(os.path.join(out_dir, "numbers.json"), "w") as handle:
        json.dump(numbers, handle, indent=2, default=float)
    return numbers


def _draw_layout(ax, game, paths):
    """The 3 x 3 layout, the two squares, the start cells and each joint policy's path from the start."""
    rows, cols = len(BIAC_GRID_LAYOUT), len(BIAC_GRID_LAYOUT[0])
    for r in range(rows + 1):
        ax.plot([0, cols], [r, r], color="0.7", lw=1)
    for c in range(cols + 1):
        ax.plot([c, c], [0, rows], color="0.7", lw=1)
    for (r, c), text, color in (((0, 0), "10", "tab:orange"), ((2, 2), "20", "tab:green")):
        ax.add_patch(plt_rectangle((c, r), color))
        ax.text(c + 0.5, r + 0.5, text, ha="center", va="center", fontsize=18, weight="bold")
    cells = cells_of(game)
    start = int(game.initial_distribution.argmax())
    for agent, marker in ((0, "A"), (1, "B")):
        r, c = cells[start][agent]
        ax.text(c + 0.2, r + 0.25, marker, fontsize=14, color="navy", weight="bold")
    for (label, policies), color, offset in zip(paths.items(), ("tab:orange", "tab:green"), (-0.12, 0.12)):
        s = start
        for _ in range(6):
            nxt = _follow(game, s, policies)
            if nxt is None or cells[nxt] is None or nxt == s:
                break
            for agent in range(2):
                (r0, c0), (r1, c1) = cells[s][agent], cells[nxt][agent]
                if (r0, c0) != (r1, c1):
                    ax.annotate("", xy=(c1 + 0.5 + offset, r1 + 0.5 + offset),
                                xytext=(c0 + 0.5 + offset, r0 + 0.5 + offset),
                                arrowprops=dict(arrowstyle="->", color=color, lw=2))
            s = nxt
        ax.plot([], [], color=color, lw=2, label=label)
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=9)
    ax.set_title("Bi-AC Fig. 1 grid game\n(our 3x3 layout; A leads)", fontsize=10)


def plt_rectangle(xy, color):
    from matplotlib.patches import Rectangle

    return Rectangle(xy, 1, 1, color=color, alpha=0.35)


def _follow(game, s, policies):
    """The successor of state ``s`` under the deterministic joint policy (transitions are deterministic)."""
    joint = game.joint_index((int(policies[0, s]), int(policies[1, s])))
    P = game.transitions
    row = P[s, joint] if not game.is_sparse else P[[s * game.n_joint_actions + joint]].toarray()[0]
    return int(np.argmax(row))


def _draw_values(ax, rows):
    labels = [f"{row[0]}: {row[1]}" for row in rows]
    values = [row[2] for row in rows]
    reference = {(row[0], "10" if "to 10" in row[1] else "20"): row[2] for row in rows if "joint policy" in row[1]}

    def color(row):
        if np.isclose(row[2], reference[(row[0], "20")]):
            return "tab:green"
        return "tab:orange" if np.isclose(row[2], reference[(row[0], "10")]) else "tab:gray"

    colors = [color(row) for row in rows]
    y = np.arange(len(rows))
    ax.barh(y, values, color=colors)
    for k, v in enumerate(values):
        ax.text(v + 0.2, k, f"{v:.3g}", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"value at the start (A's = B's: common reward), gamma = {GAMMA}")
    ax.set_title("green: value of both to 20; orange: both to 10; gray: neither", fontsize=10)


def account(numbers: dict, quick: bool) -> list[Row]:
    """The caption's claims (the paper gives no numbers) beside ours; exact computations, no budget involved."""
    rows = []
    for layout, name in (("grid", "3x3 grid"), ("corridor", "1x3 corridor")):
        found = numbers[layout]
        for target, se in (("10", False), ("20", True)):
            policy = found[f"joint policy both to {target}"]
            rows.append(Row(f"{name}: both to {target} is a NE (no profitable deviation)", True,
                            policy["deviation_gain"] <= 1e-9, True, budget_dependent=False))
            rows.append(Row(f"{name}: both to {target} is a SE (Eq. 7 at every state)", se,
                            policy["states_not_stage_se"] == 0, se, budget_dependent=False))
    def near(a, b):
        return bool(abs(a - b) <= 1e-9 * max(1.0, abs(b)))

    grid, corridor = numbers["grid"], numbers["corridor"]
    rows.append(Row("3x3 grid: bi-level VI from 0 reaches both to 20", True,
                    bool(grid["bilevel_vi"]["same_as_both_to_20"]), True, budget_dependent=False))
    rows.append(Row("3x3 grid: team optimum (bounds BiRL) = value of both to 20", True,
                    near(grid["team_bound"], grid["joint policy both to 20"]["value_A"]), True, budget_dependent=False))
    rows.append(Row("1x3 corridor: BiRL optimum (enumeration) = value of both to 20", True,
                    near(corridor["birl"]["value_A"], corridor["joint policy both to 20"]["value_A"]), True,
                    budget_dependent=False))
    return rows


def main(argv=None) -> dict:
    return script_main(run, account, argv, quick_help="fewer Nash value-iteration sweeps")


if __name__ == "__main__":
    main()
