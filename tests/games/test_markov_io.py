"""Tests of stackelberg/games/markov_io.py: round trips and malformed files."""

import numpy as np
import pytest
import scipy.sparse as sp

from stackelberg.games.catalog import maintain
from stackelberg.games.escape_room import escape_room
from stackelberg.games.markov import MDP, MarkovGame
from stackelberg.games.markov_io import MarkovFormatError, load_markov_game, save_markov_game
from stackelberg.games.markov_examples import biac_counterexample
from stackelberg.games.repeated import memory_one_game


def _same(a: MarkovGame, b: MarkovGame):
    assert type(a) is type(b)
    assert a.action_shape == b.action_shape and a.n_states == b.n_states
    assert a.gamma == b.gamma and a.horizon == b.horizon
    assert a.is_sparse == b.is_sparse
    np.testing.assert_array_equal(a.rewards, b.rewards)
    np.testing.assert_array_equal(a.initial_distribution, b.initial_distribution)
    assert a.terminal_states == b.terminal_states
    assert (a.player_names, a.state_names, a.action_names) == (b.player_names, b.state_names, b.action_names)
    if a.is_sparse:
        for x, y in zip(a.transition_csr, b.transition_csr):
            np.testing.assert_array_equal(x, y)
    else:
        np.testing.assert_array_equal(a.transitions, b.transitions)


@pytest.mark.parametrize("game", [
    biac_counterexample(0.9),
    memory_one_game(maintain(), 0.8),
    escape_room(2, 1, horizon=5),
])
def test_round_trip(game, tmp_path):
    save_markov_game(game, tmp_path / "g.npz")
    _same(game, load_markov_game(tmp_path / "g.npz"))


def test_round_trip_sparse_and_mdp(tmp_path):
    rng = np.random.default_rng(0)
    S, A = 6, 4
    rows = np.repeat(np.arange(S * A), 2)
    cols = rng.integers(S, size=rows.size)
    P = sp.csr_array((np.full(rows.size, 0.5), (rows, cols)), shape=(S * A, S))
    game = MarkovGame(P, rng.normal(size=(2, S, 2, 2)), gamma=0.5, terminal_states=[5],
                      initial_distribution=np.full(S, 1 / S))
    save_markov_game(game, tmp_path / "sparse.npz")
    _same(game, load_markov_game(tmp_path / "sparse.npz"))
    mdp = MDP(P, rng.normal(size=(S, A)), horizon=3, action_names=list("nsew"))
    save_markov_game(mdp, tmp_path / "mdp.npz")
    _same(mdp, load_markov_game(tmp_path / "mdp.npz"))


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="game must be a MarkovGame"):
        save_markov_game("nope", tmp_path / "g.npz")
    with pytest.raises(ValueError, match=r"path must end in \.npz"):
        save_markov_game(biac_counterexample(), tmp_path / "g.json")
    with pytest.raises(TypeError, match="path must be"):
        load_markov_game(3)
    with pytest.raises(FileNotFoundError):
        load_markov_game(tmp_path / "missing.npz")


def test_malformed_files(tmp_path):
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(MarkovFormatError, match="not a .npz"):
        load_markov_game(tmp_path / "text.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(MarkovFormatError, match="'format'"):
        load_markov_game(tmp_path / "other.npz")
    save_markov_game(biac_counterexample(0.9), tmp_path / "good.npz")
    members = dict(np.load(tmp_path / "good.npz"))
    broken = {k: v for k, v in members.items() if k != "rewards"}
    np.savez(tmp_path / "norewards.npz", **broken)
    with pytest.raises(MarkovFormatError, match="'rewards' is missing"):
        load_markov_game(tmp_path / "norewards.npz")
    bad_rows = dict(members, transitions=members["transitions"] * 2)
    np.savez(tmp_path / "rows.npz", **bad_rows)
    with pytest.raises(ValueError, match="sum to 1"):
        load_markov_game(tmp_path / "rows.npz")
    bad_gamma = dict(members, gamma=np.array(1.5))
    np.savez(tmp_path / "gamma.npz", **bad_gamma)
    with pytest.raises(ValueError, match="gamma"):
        load_markov_game(tmp_path / "gamma.npz")
    bad_names = dict(members, names=np.array("{"))
    np.savez(tmp_path / "names.npz", **bad_names)
    with pytest.raises(MarkovFormatError, match="'names'"):
        load_markov_game(tmp_path / "names.npz")
