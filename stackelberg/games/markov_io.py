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
import math
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .._validation import check_positive_int
from ..errors import MarkovFormatError, ProblemTooLargeError
from .markov import MDP, MarkovGame, check_csr_arrays

__all__ = ["MarkovFormatError", "save_markov_game", "load_markov_game"]

FORMAT = "stackelberg.markov/1"

#: Default ``max_bytes`` of :func:`load_markov_game`: the largest total decompressed size of a file's arrays.
MAX_BYTES = 2**31


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


def load_markov_game(path, *, max_bytes: int = MAX_BYTES) -> MarkovGame:
    """Read a Markov game (or MDP) written by :func:`save_markov_game`.

    The file is checked before any array is trusted: it must be a zip archive (a ``.npy`` file renamed ``.npz``,
    a pickle or random bytes are refused with a message saying what the file is), every member a ``.npy`` array
    read with ``allow_pickle=False``, the arrays' total decompressed size at most ``max_bytes`` (checked from the
    members' headers before anything is decompressed), names JSON lists of strings (never coerced), and the
    CSR arrays valid (integer ``indptr``/``indices``, ``indptr`` monotone from 0 to ``len(indices)``, column
    indices in ``[0, S)``, probabilities finite and in ``[0, 1]``) before scipy or a kernel reads through them.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.npz`` file.
    max_bytes : int, default 2**31 (2 GiB)
        The largest total size of the decompressed arrays accepted.

    Returns
    -------
    MarkovGame or MDP
        The stored kind, validated by its constructor.

    Raises
    ------
    MarkovFormatError
        (a ``ValueError``) naming the file, if it is not a zip/npz archive, is truncated, or a member is missing,
        has the wrong type, dtype or shape, or the stored game is invalid (e.g. a transition row that does not
        sum to 1, a column index out of range, a discount outside ``[0, 1)``).
    ProblemTooLargeError
        (``limit="max_bytes"``) if the arrays would decompress to more than ``max_bytes``.
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
    >>> _ = path.write_bytes(b"not a zip archive")
    >>> load_markov_game(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stackelberg.errors.MarkovFormatError: ...counterexample.npz: not a .npz Markov-game file (not a zip archive...
    """
    path = _check_path(path)
    max_bytes = check_positive_int("max_bytes", max_bytes)
    members = _read_members(path, max_bytes)
    try:
        return _build(members, path, max_bytes)
    except MarkovFormatError:
        raise
    except (ValueError, TypeError) as error:  # the constructor's argument errors: the file holds an invalid game
        raise MarkovFormatError(f"{path}: the stored game is invalid: {error}") from None


def _read_members(path: Path, max_bytes: int) -> dict:
    """Every ``.npy`` member of the archive at ``path``, checked before decompression."""
    if not path.is_file():
        if not path.exists():
            raise FileNotFoundError(f"no such file: {str(path)!r}")
        raise MarkovFormatError(f"{path}: not a .npz Markov-game file (not a regular file)")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\x93NUMPY"):
        raise MarkovFormatError(f"{path}: not a .npz Markov-game file (it is a single .npy array, not a .npz archive; "
                                "write games with save_markov_game)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise MarkovFormatError(f"{path}: not a .npz Markov-game file (not a zip archive: {error})") from None
    members = {}
    with archive:
        try:
            infos = archive.infolist()
            headers = []
            total = 0
            for info in infos:
                if not info.filename.endswith(".npy") or info.is_dir():
                    raise MarkovFormatError(f"{path}: member {info.filename!r} is not a .npy array")
                with archive.open(info) as stream:
                    version = np.lib.format.read_magic(stream)
                    if version not in ((1, 0), (2, 0)):
                        raise ValueError(f"unsupported .npy format version {version}")
                    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                        np.lib.format.read_array_header_2_0
                    shape, _, dtype = reader(stream, max_header_size=10_000)
                if dtype.hasobject:
                    raise MarkovFormatError(f"{path}: member {info.filename[:-4]!r} holds Python objects "
                                            "(refused: a file must not run code)")
                total += math.prod(shape) * dtype.itemsize
                headers.append(info)
            if total > max_bytes:
                raise ProblemTooLargeError(
                    f"{path}: the arrays would decompress to {total} bytes, more than max_bytes={max_bytes}",
                    limit="max_bytes",
                )
            for info in headers:
                with archive.open(info) as stream:
                    members[info.filename[:-4]] = np.lib.format.read_array(stream, allow_pickle=False)
        except (MarkovFormatError, ProblemTooLargeError):
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, TypeError, KeyError,
                NotImplementedError, RuntimeError, UnicodeDecodeError, SyntaxError, OverflowError,
                MemoryError) as error:
            raise MarkovFormatError(f"{path}: not a readable .npz Markov-game file (truncated or corrupt: "
                                    f"{type(error).__name__}: {error})") from None
    return members


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
    if kind == "float" and (value.dtype.kind not in "fiu" or value.dtype.itemsize > 8):
        raise MarkovFormatError(f"{path}: member {name!r} must hold real numbers; got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise MarkovFormatError(f"{path}: member {name!r} must have {ndim} dimension(s); got shape {value.shape}")
    return value


def _names(names, path):
    """Player, state and action names from the ``names`` member: lists of strings, never coerced."""
    if not isinstance(names, dict) or sorted(names) != ["actions", "players", "states"]:
        raise MarkovFormatError(f"{path}: member 'names' must be a JSON object with exactly the keys players, states, "
                                "actions")

    def strings(value, where):
        if not isinstance(value, list) or not all(type(v) is str for v in value):  # noqa: E721
            raise MarkovFormatError(f"{path}: member 'names': {where} must be a list of strings; got "
                                    f"{str(value)[:80]}")
        return value

    players, states = strings(names["players"], "players"), strings(names["states"], "states")
    if not isinstance(names["actions"], list):
        raise MarkovFormatError(f"{path}: member 'names': actions must be a list of lists of strings")
    actions = [strings(labels, f"actions[{p}]") for p, labels in enumerate(names["actions"])]
    return players, states, actions


def _build(members, path, max_bytes) -> MarkovGame:
    if "format" not in members or _member(members, "format", path, kind="text") != FORMAT:
        raise MarkovFormatError(f"{path}: member 'format' must be {FORMAT!r} (not a stackelberg Markov-game file)")
    kind = _member(members, "kind", path, kind="text")
    if kind not in ("MarkovGame", "MDP"):
        raise MarkovFormatError(f"{path}: member 'kind' must be 'MarkovGame' or 'MDP'; got {kind!r}")
    rewards = _member(members, "rewards", path, kind="float", ndim=3).astype(float)
    shape = tuple(int(n) for n in _member(members, "action_shape", path, kind="int", ndim=1))
    if any(n < 1 for n in shape) or math.prod(shape) != rewards.shape[2]:
        raise MarkovFormatError(f"{path}: member 'action_shape' {shape} must hold positive action counts whose "
                                f"product is the rewards' joint-action count {rewards.shape[2]}")
    try:
        names = json.loads(_member(members, "names", path, kind="text"))
    except (json.JSONDecodeError, RecursionError) as error:
        raise MarkovFormatError(f"{path}: member 'names' must be JSON with players, states, actions ({error})") from None
    players, states, actions = _names(names, path)
    n_rows, n_states = rewards.shape[1] * rewards.shape[2], rewards.shape[1]
    if "transitions" in members:
        transitions = _member(members, "transitions", path, kind="float", ndim=3).astype(float)
    else:
        parts = [_member(members, name, path, ndim=1) for name in ("indptr", "indices", "data")]
        try:
            indptr, indices, data = check_csr_arrays("transitions", *parts, (n_rows, n_states))
        except ValueError as error:
            raise MarkovFormatError(f"{path}: members 'indptr', 'indices', 'data' are not a valid CSR probability "
                                    f"matrix of shape ({n_rows}, {n_states}): {error}") from None
        transitions = sp.csr_array((data, indices, indptr), shape=(n_rows, n_states))
    criterion = {}
    if "horizon" in members:
        horizon = _member(members, "horizon", path, kind="int", ndim=0)
        criterion["horizon"] = int(horizon)
        work = int(horizon) * rewards.size * 8  # the time-indexed values and policies a solver builds
        if work > max_bytes:
            raise ProblemTooLargeError(
                f"{path}: horizon {int(horizon)} with {rewards.size} rewards implies time-indexed arrays of about "
                f"{work} bytes, more than max_bytes={max_bytes}",
                limit="max_bytes",
            )
    if "gamma" in members:
        criterion["gamma"] = float(_member(members, "gamma", path, kind="float", ndim=0))
    common = dict(
        initial_distribution=_member(members, "initial_distribution", path, kind="float", ndim=1),
        terminal_states=[int(s) for s in _member(members, "terminal_states", path, kind="int", ndim=1)],
        state_names=states,
        **criterion,
    )
    if kind == "MDP":
        if rewards.shape[0] != 1 or len(actions) != 1:
            raise MarkovFormatError(f"{path}: an MDP has rewards of shape (1, S, A) and one action list; got "
                                    f"rewards of shape {rewards.shape} and {len(actions)} action lists")
        return MDP(transitions, rewards[0], action_names=actions[0], **common)
    return MarkovGame(transitions, rewards, action_shape=shape, player_names=players, action_names=actions,
                      **common)
