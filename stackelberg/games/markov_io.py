r"""Reading and writing tabular Markov games and MDPs as ``.npz`` files.

A Markov game is arrays (transitions, rewards, the initial distribution) plus a few scalars and names, so it is
stored in NumPy's ``.npz`` container, read back with ``allow_pickle=False`` (a file cannot run code). The members:

============================  ================================================================================
``format``                    the string ``"stackelberg.markov/1"``
``kind``                      ``"MarkovGame"`` or ``"MDP"``
``rewards``                   ``(N, S, A)`` float rewards (``(S, A)`` for an MDP)
``action_shape``              ``(N,)`` integer action counts
``transitions``               dense ``(S, A, S)`` probabilities, *or* the three CSR members below
``indptr``, ``indices``,      the ``(S*A, S)`` CSR matrix whose row ``s*A + a`` is ``P(. | s, a)`` (sparse games
``data``                      stay sparse: nothing ``S x A x S`` is built on either side)
``gamma`` or ``horizon``      the criterion: a discount in ``[0, 1)`` or a number of steps ``H >= 1``
``initial_distribution``      ``(S,)``
``terminal_states``           integer indices of absorbing states
``names``                     JSON text: player, state and action names
============================  ================================================================================

Everything read is validated by the :class:`~stackelberg.games.markov.MarkovGame` constructor (probability rows,
finite rewards, the discount); a missing or mistyped member raises :class:`MarkovFormatError` naming it.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..errors import MarkovFormatError
from .markov import MDP, MarkovGame

__all__ = ["MarkovFormatError", "save_markov_game", "load_markov_game"]

FORMAT = "stackelberg.markov/1"


def save_markov_game(game: MarkovGame, path) -> None:
    """Write a :class:`~stackelberg.games.markov.MarkovGame` (or MDP) to a ``.npz`` file.

    Parameters
    ----------
    game : MarkovGame or MDP
    path : str or pathlib.Path
        A file name ending in ``.npz``.

    Raises
    ------
    TypeError
        If ``game`` is not a MarkovGame or ``path`` is not a path.
    ValueError
        If ``path`` does not end in ``.npz``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from stackelberg.games.catalog import escape
    >>> from stackelberg.games.repeated import repeated_game
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "escape.npz"
    >>> save_markov_game(repeated_game(escape(), 0.9), path)
    >>> load_markov_game(path).action_shape
    (3, 3)
    """
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame or MDP; got {type(game).__name__}")
    path = _check_path(path)
    members = {
        "format": np.array(FORMAT),
        "kind": np.array("MDP" if isinstance(game, MDP) else "MarkovGame"),
        "rewards": np.asarray(game.rewards, dtype=float).reshape(game.n_players, game.n_states, -1),
        "action_shape": np.asarray(game.action_shape, dtype=np.int64),
        "initial_distribution": np.asarray(game.initial_distribution, dtype=float),
        "terminal_states": np.asarray(game.terminal_states, dtype=np.int64),
        "names": np.array(json.dumps({
            "players": list(game.player_names), "states": list(game.state_names),
            "actions": [list(names) for names in game.action_names],
        })),
    }
    if game.is_finite_horizon:
        members["horizon"] = np.array(game.horizon, dtype=np.int64)
    else:
        members["gamma"] = np.array(game.gamma, dtype=float)
    if game.is_sparse:
        members["indptr"], members["indices"], members["data"] = game.transition_csr
    else:
        members["transitions"] = np.asarray(game.transitions, dtype=float)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **members)


def load_markov_game(path) -> MarkovGame:
    """Read a Markov game (or MDP) written by :func:`save_markov_game`.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.npz`` file.

    Returns
    -------
    MarkovGame or MDP
        The stored kind, validated by its constructor.

    Raises
    ------
    MarkovFormatError
        If the file is not a zip/npz archive, or a member is missing, has the wrong type or the wrong shape.
    ValueError
        If the stored game is invalid (e.g. a transition row that does not sum to 1, a discount outside
        ``[0, 1)``).
    FileNotFoundError
        If there is no such file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from stackelberg.games.markov_examples import biac_counterexample
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "counterexample.npz"
    >>> save_markov_game(biac_counterexample(0.9), path)
    >>> game = load_markov_game(path)
    >>> game.n_states, game.gamma
    (2, 0.9)
    """
    path = _check_path(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise MarkovFormatError(f"{path}: not a .npz Markov-game file ({error})") from None
    with archive:
        members = {key: archive[key] for key in archive.files}
    return _build(members, path)


def _check_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a pathlib.Path; got {type(path).__name__}")
    path = Path(path)
    if path.suffix.lower() != ".npz":
        raise ValueError(f"path must end in .npz (a Markov-game file); got {str(path)!r}")
    return path


def _member(members, name, path, *, kind=None, ndim=None):
    if name not in members:
        raise MarkovFormatError(f"{path}: member {name!r} is missing")
    value = members[name]
    if kind == "text":
        if value.dtype.kind != "U" or value.ndim != 0:
            raise MarkovFormatError(f"{path}: member {name!r} must be a text scalar")
        return str(value)
    if kind == "int" and value.dtype.kind not in "iu":
        raise MarkovFormatError(f"{path}: member {name!r} must hold integers; got dtype {value.dtype}")
    if kind == "float" and value.dtype.kind not in "fiu":
        raise MarkovFormatError(f"{path}: member {name!r} must hold numbers; got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise MarkovFormatError(f"{path}: member {name!r} must have {ndim} dimension(s); got shape {value.shape}")
    return value


def _build(members, path) -> MarkovGame:
    if "format" not in members or _member(members, "format", path, kind="text") != FORMAT:
        raise MarkovFormatError(f"{path}: member 'format' must be {FORMAT!r} (not a stackelberg Markov-game file)")
    kind = _member(members, "kind", path, kind="text")
    if kind not in ("MarkovGame", "MDP"):
        raise MarkovFormatError(f"{path}: member 'kind' must be 'MarkovGame' or 'MDP'; got {kind!r}")
    rewards = _member(members, "rewards", path, kind="float", ndim=3).astype(float)
    shape = tuple(int(n) for n in _member(members, "action_shape", path, kind="int", ndim=1))
    try:
        names = json.loads(_member(members, "names", path, kind="text"))
        players, states, actions = names["players"], names["states"], names["actions"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise MarkovFormatError(f"{path}: member 'names' must be JSON with players, states, actions ({error})") from None
    if "transitions" in members:
        transitions = _member(members, "transitions", path, kind="float", ndim=3).astype(float)
    else:
        parts = [_member(members, name, path, ndim=1) for name in ("indptr", "indices", "data")]
        n_rows, n_states = rewards.shape[1] * rewards.shape[2], rewards.shape[1]
        try:
            transitions = sp.csr_array((parts[2].astype(float), parts[1], parts[0]), shape=(n_rows, n_states))
        except (ValueError, TypeError) as error:
            raise MarkovFormatError(f"{path}: members 'indptr', 'indices', 'data' are not a CSR matrix "
                                    f"of shape ({n_rows}, {n_states}) ({error})") from None
    criterion = {}
    if "horizon" in members:
        criterion["horizon"] = int(_member(members, "horizon", path, kind="int", ndim=0))
    if "gamma" in members:
        criterion["gamma"] = float(_member(members, "gamma", path, kind="float", ndim=0))
    common = dict(
        initial_distribution=_member(members, "initial_distribution", path, kind="float", ndim=1),
        terminal_states=[int(s) for s in _member(members, "terminal_states", path, kind="int", ndim=1)],
        state_names=states,
        **criterion,
    )
    if kind == "MDP":
        if rewards.shape[0] != 1:
            raise MarkovFormatError(f"{path}: an MDP has rewards of shape (1, S, A); got {rewards.shape}")
        return MDP(transitions, rewards[0], action_names=actions[0], **common)
    return MarkovGame(transitions, rewards, action_shape=shape, player_names=players, action_names=actions,
                      **common)
