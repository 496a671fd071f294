"""Fuzz test of stackelberg/games/markov_io.py and the MarkovGame CSR checks: mutated ``.npz`` files.

Valid files are mutated (CSR indices, indptr, dtypes, shapes, NaN, names, criterion, truncation, random bytes) and
read with ``load_markov_game``; reading must either succeed or raise a documented error
(:class:`MarkovFormatError`, :class:`ProblemTooLargeError`). Every file that loads is then handed to every Markov
solver and tabular learner in a subprocess, so that a memory error in a kernel (a segfault) fails this test instead
of killing pytest; there too only documented errors (``StackelbergError``, ``ValueError``, ``TypeError``) may occur.
"""

import json
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp

from stackelberg.errors import MarkovFormatError, ProblemTooLargeError
from stackelberg.games.escape_room import escape_room
from stackelberg.games.gridworld import gridworld
from stackelberg.games.markov import MDP, MarkovGame
from stackelberg.games.markov_examples import biac_counterexample
from stackelberg.games.markov_io import load_markov_game, save_markov_game


def _bases():
    grid = gridworld(["S.", ".G"], n_agents=2, moves=("S", "E"), slip=0.2, gamma=0.9, sparse=True,
                     rewards={"G": 1.0}, exits="G")
    P = np.zeros((3, 2, 3))
    P[0, 0, 1] = P[0, 1, 2] = 1.0
    P[1, :, 0] = P[2, :, 0] = 1.0
    mdp = MDP(sp.csr_array(P.reshape(6, 3)), [[0.0, 1.0], [2.0, 0.0], [0.0, 3.0]], gamma=0.8)
    return {"grid": grid, "mdp": mdp, "dense": biac_counterexample(0.9), "horizon": escape_room(2, 1, horizon=3)}


def _members(path):
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def _mutations(members, rng):
    """(label, members) pairs: each a mutated copy of a valid file's members."""
    out = []

    def put(label, **changes):
        copy = dict(members)
        for key, value in changes.items():
            if value is None:
                copy.pop(key, None)
            else:
                copy[key] = value
        out.append((label, copy))

    if "indices" in members:
        indices, indptr, data = members["indices"], members["indptr"], members["data"]
        n_states = members["rewards"].shape[1]
        for value in (-1, n_states, n_states + 10**6, np.iinfo(np.int32).max, -(2**31)):
            bad = indices.astype(np.int64).copy()
            bad[rng.integers(indices.size)] = value
            put(f"indices={value}", indices=bad)
        put("indices float", indices=indices.astype(float))
        put("indices uint64 wrap", indices=np.full(indices.size, 2**63 + 1, dtype=np.uint64))
        put("indices 2-d", indices=indices.reshape(1, -1))
        put("indices short", indices=indices[:-1])
        put("indices shuffled within rows", indices=indices[::-1].copy(), data=data[::-1].copy())
        put("indptr reversed", indptr=indptr[::-1].copy())
        bump = indptr.copy()
        bump[len(bump) // 2] = bump[-1] + 5
        put("indptr not monotone", indptr=bump)
        put("indptr too long end", indptr=np.append(indptr[:-1], indptr[-1] + 3))
        put("indptr short", indptr=indptr[:-1])
        put("indptr negative start", indptr=indptr - 1)
        put("indptr bool", indptr=indptr.astype(bool))
        put("indptr missing", indptr=None)
        nan = data.copy()
        nan[0] = np.nan
        put("data nan", data=nan)
        put("data inf", data=np.where(data > 0, np.inf, data))
        put("data negative", data=-data)
        put("data complex", data=data.astype(complex))
        put("data strings", data=data.astype(str))
        put("data above one", data=data * 3)
        put("duplicates", indices=np.repeat(indices, 2), data=np.repeat(data / 2, 2), indptr=indptr * 2)
    if "transitions" in members:
        transitions = members["transitions"]
        nan = transitions.copy()
        nan.flat[0] = np.nan
        put("dense nan", transitions=nan)
        put("dense shape", transitions=transitions[:, :, :-1])
        put("dense object-like", transitions=transitions.astype(str))
        put("dense negative", transitions=-transitions)
    rewards = members["rewards"]
    put("rewards nan", rewards=np.full(rewards.shape, np.nan))
    put("rewards 2-d", rewards=rewards[0])
    put("rewards extra state", rewards=np.concatenate([rewards, rewards], axis=1))
    put("rewards huge", rewards=np.full(rewards.shape, 1e308))
    put("action_shape wrong", action_shape=members["action_shape"][::-1] + 1)
    put("action_shape overflow", action_shape=np.array([2**32, 2**32], dtype=np.int64))
    put("action_shape float", action_shape=members["action_shape"].astype(float))
    names = json.loads(str(members["names"]))
    put("names numbers", names=np.array(json.dumps({**names, "players": list(range(len(names["players"])))})))
    put("state name null", names=np.array(json.dumps({**names, "states": [None] * len(names["states"])})))
    put("names not json", names=np.array("{players"))
    put("names deep", names=np.array("[" * 100_000 + "]" * 100_000))
    put("names list", names=np.array("[1, 2]"))
    put("names bytes", names=np.array(b"abc"))
    put("format wrong", format=np.array("stackelberg.markov/2"))
    put("kind wrong", kind=np.array("POMDP"))
    put("kind int", kind=np.array(3))
    put("initial nan", initial_distribution=np.full(members["initial_distribution"].shape, np.nan))
    put("initial short", initial_distribution=members["initial_distribution"][:-1])
    put("terminal out of range", terminal_states=np.array([10**9]))
    put("terminal negative", terminal_states=np.array([-1]))
    if "gamma" in members:
        put("gamma 1", gamma=np.array(1.0))
        put("gamma nan", gamma=np.array(np.nan))
        put("gamma vector", gamma=np.array([0.5, 0.5]))
        put("gamma and horizon", horizon=np.array(3))
    else:
        put("horizon zero", horizon=np.array(0))
        put("horizon huge", horizon=np.array(10**12))
        put("horizon negative", horizon=np.array(-5))
        put("no criterion", horizon=None)
    return out


def _byte_mutations(raw, rng):
    out = [("empty", b""), ("random bytes", rng.bytes(512)), ("truncated half", raw[: len(raw) // 2]),
           ("truncated tail", raw[:-7]), ("pickle", b"\x80\x04\x95" + rng.bytes(64))]
    for k in range(4):
        flipped = bytearray(raw)
        for position in rng.integers(0, len(raw), size=8):
            flipped[position] ^= 0xFF
        out.append((f"flipped bytes {k}", bytes(flipped)))
    return out


#: Mutations that still describe a valid game (the loader canonicalises them); every other one must be refused.
MAY_LOAD = {"indices shuffled within rows", "duplicates", "rewards huge"}

SOLVERS = textwrap.dedent(
    """
    import sys, traceback
    import stackelberg as sb
    from stackelberg.errors import StackelbergError

    def calls(game):
        yield "solve_bilevel", lambda: sb.solve_bilevel(game, max_iterations=50)
        yield "solve_sequential", lambda: sb.solve_sequential(game, max_iterations=50)
        yield "solve_nash", lambda: sb.solve_nash(game, max_iterations=50)
        yield "solve_minimax", lambda: sb.solve_minimax(game, max_iterations=50)
        yield "birl_optimum", lambda: sb.birl_optimum(game, max_policies=64)
        learn = dict(episodes=3, steps_per_episode=2, seed=0)
        yield "bilevel_q_learning", lambda: sb.bilevel_q_learning(game, **learn)
        yield "bilevel_actor_critic", lambda: sb.bilevel_actor_critic(game, **learn)
        yield "nash_q_learning", lambda: sb.nash_q_learning(game, **learn)
        yield "minimax_q_learning", lambda: sb.minimax_q_learning(game, **learn)
        yield "nlevel_learning", lambda: sb.nlevel_learning(game, **learn)
        yield "independent_q_learning", lambda: sb.independent_q_learning(game, **learn)
        mdp = game if isinstance(game, sb.MDP) else game.team_mdp()
        yield "value_iteration", lambda: sb.value_iteration(mdp, max_iterations=200)
        policy = [0] * mdp.n_states
        yield "policy_evaluation", lambda: sb.policy_evaluation(mdp, policy)
        yield "occupancy_measure", lambda: sb.occupancy_measure(mdp, policy)

    bad = []
    for path in sys.argv[1:]:
        game = sb.load_markov_game(path)
        for name, call in calls(game):
            try:
                call()
            except (StackelbergError, ValueError, TypeError):
                pass
            except BaseException:
                bad.append(f"{path} {name}: {traceback.format_exc(limit=-2)}")
    print("\\n".join(bad) if bad else "ALL DOCUMENTED")
    """
)


def test_mutated_files_give_documented_errors_and_loaded_files_are_safe_to_solve(tmp_path):
    rng = np.random.default_rng(18)
    loaded = []
    for base_name, game in _bases().items():
        valid = tmp_path / f"{base_name}.npz"
        save_markov_game(game, valid)
        loaded.append(str(valid))
        members = _members(valid)
        cases = [(label, None, changed) for label, changed in _mutations(members, rng)]
        cases += [(label, raw, None) for label, raw in _byte_mutations(valid.read_bytes(), rng)]
        for k, (label, raw, changed) in enumerate(cases):
            path = tmp_path / f"{base_name}-{k}.npz"
            if raw is not None:
                path.write_bytes(raw)
            else:
                with open(path, "wb") as handle:
                    np.savez(handle, **changed)
            try:
                load_markov_game(path)
            except (MarkovFormatError, ProblemTooLargeError) as error:
                assert str(path) in str(error), (label, str(error))
                continue
            assert label in MAY_LOAD or label.startswith("flipped bytes"), f"{base_name}: {label} loaded"
            loaded.append(str(path))
    result = subprocess.run([sys.executable, "-c", SOLVERS, *loaded], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.strip().endswith("ALL DOCUMENTED"), result.stdout[-4000:]


@pytest.mark.parametrize("label, change, message", [
    ("index out of range", {"indices": lambda m: m["indices"] + m["rewards"].shape[1]}, "column index out of range"),
    ("negative index", {"indices": lambda m: m["indices"] - 10}, "column index out of range"),
    ("indptr not monotone", {"indptr": lambda m: m["indptr"][::-1].copy()}, "indptr must start at 0"),
    ("float indices", {"indices": lambda m: m["indices"].astype(float)}, "indices must hold integers"),
    ("numbers as names", {"names": lambda m: np.array(json.dumps({**json.loads(str(m["names"])), "players": [1, 2]}))},
     "players must be a list of strings"),
])
def test_each_csr_and_name_defect_is_named(tmp_path, label, change, message):
    path = tmp_path / "grid.npz"
    save_markov_game(_bases()["grid"], path)
    members = _members(path)
    for key, function in change.items():
        members[key] = function(members)
    with open(path, "wb") as handle:
        np.savez(handle, **members)
    with pytest.raises(MarkovFormatError, match=message) as caught:
        load_markov_game(path)
    assert "grid.npz" in str(caught.value)


def test_npy_renamed_npz_random_bytes_and_directories_are_named(tmp_path):
    npy = tmp_path / "array.npz"
    with open(npy, "wb") as handle:
        np.save(handle, np.zeros(3))
    with pytest.raises(MarkovFormatError, match=r"array\.npz: .*single \.npy array, not a \.npz archive"):
        load_markov_game(npy)
    noise = tmp_path / "noise.npz"
    noise.write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(MarkovFormatError, match=r"noise\.npz: not a \.npz Markov-game file \(not a zip archive"):
        load_markov_game(noise)
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    with pytest.raises(MarkovFormatError, match=r"folder\.npz: .*not a regular file"):
        load_markov_game(folder)
    foreign = tmp_path / "foreign.npz"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(MarkovFormatError, match=r"member 'readme.txt' is not a \.npy array"):
        load_markov_game(foreign)


def test_a_zip_bomb_is_refused_from_the_headers(tmp_path):
    path = tmp_path / "bomb.npz"
    members = _members_of(_bases()["mdp"], tmp_path)
    members["rewards"] = np.zeros((1, 3, 2))
    members["padding"] = np.zeros(2**22)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **members)
    assert path.stat().st_size < 200_000
    with pytest.raises(ProblemTooLargeError, match="max_bytes=1000000") as caught:
        load_markov_game(path, max_bytes=10**6)
    assert caught.value.limit == "max_bytes"


def _members_of(game, tmp_path):
    path = tmp_path / "source.npz"
    save_markov_game(game, path)
    return _members(path)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr"])
def test_constructor_rejects_out_of_range_sparse_arrays_in_every_format(fmt):
    good = sp.csr_array(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]))
    indices = good.indices.copy()
    indices[1] = 7  # a column beyond S = 2: would be read out of bounds by scipy or a kernel
    bad = sp.csr_array((good.data, indices, good.indptr), shape=(4, 2))
    if fmt == "csc":
        bad = sp.csc_array((good.data[:2], np.array([0, 9]), np.array([0, 1, 2])), shape=(4, 2))
    elif fmt == "coo":
        bad = sp.coo_array(good)
        bad.coords[1][1] = 7
    elif fmt == "bsr":
        bad = sp.bsr_array((good.data.reshape(4, 1, 1), indices, good.indptr), shape=(4, 2))
    with pytest.raises(ValueError, match="transitions"):
        MarkovGame(bad, np.zeros((1, 2, 2)), gamma=0.9)
