"""Tests of stackelberg.games.gridworld: grid-world builders and the incentive-design gridworld."""

import numpy as np
import pytest
import scipy.sparse as sp

from stackelberg.games.gridworld import INCENTIVE_LAYOUT, gridworld, incentive_gridworld
from stackelberg.games.markov import MDP, MarkovGame
from stackelberg.solvers.markov.dynamic_programming import value_iteration

MOVES = ("N", "S", "E", "W")


def next_distribution(mdp, cell, move):
    row = mdp.transitions[mdp.state_names.index(cell), MOVES.index(move)]
    return {mdp.state_names[s]: round(float(row[s]), 12) for s in np.flatnonzero(row)}


def test_incentive_layout_matches_the_paper():
    mdp = incentive_gridworld(0.1)
    assert isinstance(mdp, MDP) and (mdp.n_states, mdp.n_actions, mdp.gamma) == (37, 4, 0.95)
    assert mdp.state_names[-1] == "Sink" and mdp.terminal_states == (36,)
    assert mdp.action_names == (MOVES,)
    reward = {name: mdp.rewards[s, 0] for s, name in enumerate(mdp.state_names)}
    # paper coordinates (i counted from the bottom): F = {(1,4), (4,5)}, goals at (5,0) and (3,4)
    assert [c for c, r in reward.items() if r == 8] == ["(4,5)", "(1,4)"]
    assert sorted(c for c, r in reward.items() if r == 10) == ["(3,4)", "(5,0)"]
    assert sorted(c for c, r in reward.items() if r == -5) == ["(0,4)", "(1,2)", "(2,3)", "(3,3)", "(5,4)"]
    assert sum(r == 0 for r in reward.values()) == 37 - 2 - 2 - 5
    np.testing.assert_array_equal(mdp.rewards[mdp.state_names.index("(3,3)")], -5.0)  # every action pays
    assert mdp.state_names[int(mdp.initial_distribution.argmax())] == "(2,0)"
    np.testing.assert_allclose(mdp.transitions.sum(axis=2), 1.0)


def test_incentive_slip_dynamics():
    mdp = incentive_gridworld(0.1)
    assert next_distribution(mdp, "(2,1)", "N") == {"(3,1)": 0.8, "(2,0)": 0.1, "(2,2)": 0.1}
    assert next_distribution(mdp, "(2,1)", "E") == {"(2,2)": 0.8, "(3,1)": 0.1, "(1,1)": 0.1}
    # off-grid moves stay put: from the corner (0,0) going S stays with 0.8 and W slips stay too
    assert next_distribution(mdp, "(0,0)", "S") == {"(0,0)": 0.9, "(0,1)": 0.1}
    # goals lead to the Sink whatever the action; the Sink is absorbing
    for goal in ("(5,0)", "(3,4)", "(4,5)", "(1,4)"):
        for move in MOVES:
            assert next_distribution(mdp, goal, move) == {"Sink": 1.0}
    np.testing.assert_array_equal(mdp.rewards[-1], 0.0)
    # a fire cell is not absorbing
    assert "Sink" not in next_distribution(mdp, "(3,3)", "N")
    robot_2 = incentive_gridworld(0.05, start=(0, 0))
    assert next_distribution(robot_2, "(2,1)", "N") == {"(3,1)": 0.9, "(2,0)": 0.05, "(2,2)": 0.05}
    assert robot_2.state_names[int(robot_2.initial_distribution.argmax())] == "(0,0)"


def test_incentive_deterministic_optimum():
    # alpha = 0: the robot walks to the nearest goal avoiding fire: (2,0) -> (3,0) -> (4,0) -> (5,0) pays 10 at step 3
    solution = value_iteration(incentive_gridworld(0.0, gamma=0.9))
    start = solution.values[incentive_gridworld(0.0).state_names.index("(2,0)")]
    assert start == pytest.approx(10 * 0.9**3)


def test_two_agent_product_dynamics():
    layout = ["S.", ".#"]
    slips = (0.1, 0.2)
    joint = gridworld(layout, n_agents=2, moves=MOVES, slip=slips, gamma=0.9)
    singles = [gridworld(layout, moves=MOVES, slip=a, gamma=0.9) for a in slips]
    assert isinstance(joint, MarkovGame) and (joint.n_states, joint.action_shape) == (9, (4, 4))
    assert joint.state_names[1] == "(0,0)|(0,1)" and joint.player_names == ("Agent 1", "Agent 2")
    for s in range(9):
        c0, c1 = divmod(s, 3)
        for a in range(16):
            m0, m1 = divmod(a, 4)
            expected = np.outer(singles[0].transitions[c0, m0], singles[1].transitions[c1, m1]).ravel()
            np.testing.assert_allclose(joint.transitions[s, a], expected, atol=1e-15)
    # the wall at (1,1): moving S from (0,1) stays with 1 - 2 alpha and slips W with alpha (E is off-grid)
    assert next_distribution(singles[0], "(0,1)", "S") == {"(0,0)": 0.1, "(0,1)": 0.9}


def test_sparse_equals_dense_and_stay_never_slips():
    kwargs = dict(n_agents=2, moves=("N", "stay"), slip=0.25, rewards={"G": [1.0, 2.0]}, exits="G", horizon=3)
    dense = gridworld(["S.G"], **kwargs)
    sparse = gridworld(["S.G"], sparse=True, **kwargs)
    assert sparse.is_sparse and sp.issparse(sparse.transitions)
    np.testing.assert_allclose(sparse.transitions.toarray().reshape(dense.transitions.shape), dense.transitions)
    np.testing.assert_array_equal(sparse.rewards, dense.rewards)
    stay = dense.joint_index((1, 1))
    np.testing.assert_array_equal(dense.transitions[0, stay], np.eye(10)[0])


def test_rewards_and_exits_for_several_agents():
    game = gridworld(["SG"], n_agents=2, moves=("E", "W"), rewards={"G": [1.0, 2.0]}, exits="G", gamma=0.5)
    names = game.state_names
    assert names == ("(0,0)|(0,0)", "(0,0)|(0,1)", "(0,1)|(0,0)", "(0,1)|(0,1)", "Sink")
    # label rewards go to each agent standing on the label
    np.testing.assert_array_equal(game.rewards[:, 1, 0], [0.0, 2.0])
    np.testing.assert_array_equal(game.rewards[:, 3, 0], [1.0, 2.0])
    # label exits need every agent on an exit cell
    assert game.transitions[1, 0, 4] == 0.0 and game.transitions[3, 0, 4] == 1.0
    assert game.terminal_states == (4,)
    together = gridworld(
        ["SG"], n_agents=2, moves=("E", "W"), gamma=0.5,
        rewards=lambda cells: (5.0, 5.0) if cells[0] == cells[1] else (0.0, -1.0),
        exits=lambda cells: cells[0] == cells[1] == (0, 1),
    )
    np.testing.assert_array_equal(together.rewards[:, 0, 0], [5.0, 5.0])
    np.testing.assert_array_equal(together.rewards[:, 1, 0], [0.0, -1.0])
    assert together.transitions[3, 2, 4] == 1.0


def test_start_cells_and_origin():
    game = gridworld(["..", ".."], n_agents=2, start=[(0, 1), (1, 0)], gamma=0.5)
    assert game.state_names[int(game.initial_distribution.argmax())] == "(0,1)|(1,0)"
    bottom = gridworld(["..", "S."], origin="bottom", gamma=0.5)
    assert bottom.state_names[int(bottom.initial_distribution.argmax())] == "(0,0)"
    assert bottom.state_names[0] == "(1,0)"  # the top-left cell is row 1 counted from the bottom
    same = gridworld(["..", ".."], n_agents=2, start=(1, 1), gamma=0.5)
    assert same.state_names[int(same.initial_distribution.argmax())] == "(1,1)|(1,1)"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(layout=["S..", ".."]), ValueError, "layout rows must all have length 3"),
        (dict(layout="S.."), TypeError, "layout must be a sequence of strings"),
        (dict(layout=["##"]), ValueError, "at least one free"),
        (dict(layout=[]), ValueError, "at least one non-empty row"),
        (dict(moves=("N", "up")), ValueError, "moves must be taken from"),
        (dict(moves="NS"), TypeError, "moves must be a sequence"),
        (dict(moves=("N", "N")), ValueError, "moves must not repeat"),
        (dict(slip=0.6), ValueError, r"slip probabilities must lie in \[0, 0.5\]"),
        (dict(slip=[0.1, 0.1]), ValueError, "slip must be one number or one per agent"),
        (dict(slip=float("nan")), ValueError, "slip must contain only finite"),
        (dict(layout=[".."]), ValueError, "exactly one 'S' cell"),
        (dict(start=(5, 5)), ValueError, r"start cell \(5, 5\) is not a free cell"),
        (dict(start=[(0, 0), (0, 1)]), ValueError, "one cell per agent"),
        (dict(rewards=[1, 2]), TypeError, "rewards must be a mapping"),
        (dict(rewards={"S": [1, 2]}), ValueError, r"rewards\['S'\] must be a number or 1 numbers"),
        (dict(rewards={"S": float("inf")}), ValueError, "finite"),
        (dict(player_names=["A"]), ValueError, "player_names applies to several agents"),
        (dict(n_agents=0), ValueError, "n_agents must be an integer >= 1"),
        (dict(origin="left"), ValueError, "origin must be one of"),
        (dict(gamma=None), ValueError, "exactly one of gamma"),
    ],
)
def test_bad_inputs(kwargs, error, message):
    arguments = dict(layout=["S.", ".."], gamma=0.9)
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        gridworld(arguments.pop("layout"), **arguments)


def test_incentive_layout_constant():
    assert len(INCENTIVE_LAYOUT) == 6 and all(len(row) == 6 for row in INCENTIVE_LAYOUT)
    with pytest.raises(ValueError, match="slip probabilities"):
        incentive_gridworld(0.7)
