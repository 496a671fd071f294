"""Tests of stackelberg.cli.learn: the counted end points are the learners', and they are the known answers."""

import json
from collections import Counter

import pytest

import stackelberg as sb
from stackelberg.solvers import learning


@pytest.mark.parametrize("stage, learner, function, expected", [
    ("maintain", "bi-ac", lambda g, **k: learning.bilevel_actor_critic(g, beta=0.003, **k), ("A", "X")),
    ("escape", "nlevel", lambda g, **k: learning.nlevel_learning(g, None, beta=0.003, **k), ("C", "Z")),
    ("penalty:-100", "independent-q", learning.independent_q_learning, ("a2", "a2")),
    ("escape", "hysteretic-q", learning.hysteretic_q_learning, ("C", "Z")),
    ("escape", "lenient-q", learning.lenient_q_learning, ("C", "Z")),
])
def test_learn_ends_where_the_learner_does(cli, stage, learner, function, expected):
    code, out, err = cli("learn", "repeated", "--stage", stage, "--gamma", "0", "--learner", learner, "--runs", "20",
                         "--no-progress", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    game = sb.repeated_game(sb.get_game(stage), 0.0)
    result = function(game, episodes=400, steps_per_episode=25, runs=20, seed=0, gamma=0.0, progress=False)
    counts = Counter(tuple(int(a) for a in row) for row in result.greedy_actions[:, result.initial_state])
    names = game.action_names
    assert {tuple(row[p] for p in game.player_names): row["runs"] for row in rows} == {
        tuple(names[p][a] for p, a in enumerate(joint)): n for joint, n in counts.items()}
    top = rows[0]
    assert tuple(top[p] for p in game.player_names) == expected and top["runs"] > 10  # most runs end there


def test_learn_minimax_q_plays_the_minimax_strategy(cli):
    code, out, err = cli("learn", "repeated", "--stage", "matching_pennies", "--gamma", "0", "--learner", "minimax-q",
                         "--episodes", "40", "--runs", "4", "--no-progress")
    assert code == 0, err
    assert "mean final strategy of Row: Heads:0.5 Tails:0.5" in out


def test_learn_errors_are_one_line(cli):
    code, _, err = cli("learn", "escape-room", "--no-progress")
    assert code == 2 and "finite-horizon" in err and err.count("\n") == 1
    code, _, err = cli("learn", "repeated", "--stage", "escape", "--runs", "0", "--no-progress")
    assert code == 2 and "runs" in err and err.count("\n") == 1


def test_learn_two_player_learner_on_three_agents_names_the_flag(cli):
    code, _, err = cli("learn", "escape-room", "--agents", "3", "--required", "2", "--gamma", "0.9", "--no-progress")
    assert code == 2 and "--learner nlevel" in err and err.count("\n") == 1
