"""Tests of stackelberg.games.markov_catalog: every name builds the game its builder builds."""

import numpy as np
import pytest

import stackelberg as sb
from stackelberg.games.markov_catalog import MARKOV_GAMES, describe_markov_game, get_markov_game, markov_game_names


def _same(a, b):
    return (a.n_players == b.n_players and a.n_states == b.n_states and a.gamma == b.gamma and a.horizon == b.horizon
            and np.array_equal(np.asarray(a.rewards), np.asarray(b.rewards)))


@pytest.mark.parametrize("name, params, expected", [
    ("repeated", {"stage": "maintain"}, lambda: sb.repeated_game(sb.get_game("maintain"), 0.9)),
    ("repeated", {"stage": "penalty:-50", "horizon": 3},
     lambda: sb.repeated_game(sb.get_game("penalty:-50"), horizon=3)),
    ("memory-one", {"stage": "prisoners_dilemma", "gamma": 0.5},
     lambda: sb.memory_one_game(sb.get_game("prisoners_dilemma"), 0.5)),
    ("escape-room", {"agents": 3, "required": 2}, lambda: sb.escape_room(3, 2, horizon=5)),
    ("escape-room", {}, lambda: sb.escape_room(2, 1, horizon=5)),
    ("grid", {"gamma": 0.8}, lambda: sb.biac_grid_game(0.8)),
    ("counterexample", {}, lambda: sb.biac_counterexample(0.9)),
])
def test_names_build_their_builders_game(name, params, expected):
    assert _same(get_markov_game(name, **params), expected())


def test_names_and_descriptions():
    assert markov_game_names() == sorted(MARKOV_GAMES)
    assert all(describe_markov_game(name) for name in markov_game_names())


@pytest.mark.parametrize("name, params, error, message", [
    ("chess", {}, ValueError, "unknown Markov game 'chess'"),
    ("repeated", {}, ValueError, "needs stage"),
    ("grid", {"horizon": 3}, TypeError, "no parameter 'horizon'"),
    ("escape-room", {"gamma": 0.9}, TypeError, "no parameter 'gamma'"),
    ("repeated", {"stage": "maintain", "gamma": 1.0}, ValueError, "gamma"),
    (3, {}, TypeError, "name must be a string"),
])
def test_errors_name_the_parameter(name, params, error, message):
    with pytest.raises(error, match=message):
        get_markov_game(name, **params)
