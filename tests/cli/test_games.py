"""Tests of stackelberg.cli.games: every catalogue name is listed with its description."""

from stackelberg.games.catalog import describe, game_names
from stackelberg.games.markov_catalog import describe_markov_game, markov_game_names


def test_games_lists_both_catalogues(cli):
    code, out, _ = cli("games")
    assert code == 0
    lines = out.splitlines()
    for name in game_names():
        assert any(line.startswith(name + " ") and line.endswith(describe(name)) for line in lines), name
    for name in markov_game_names():
        assert any(line.startswith(name + " ") and line.endswith(describe_markov_game(name)) for line in lines), name
