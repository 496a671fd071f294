r"""Reading and writing normal-form games: Gambit ``.nfg`` files and JSON.

Gambit's ``.nfg`` format
------------------------
A Gambit strategic-form file starts with the header ``NFG 1 R`` (``R``: rational
payoffs, ``D``: double precision), a quoted title, the players and their
strategies, either labelled or counted::

    NFG 1 R "title" { "P1" "P2" } { 3 2 }
    NFG 1 R "title" { "P1" "P2" } { { "s1" "s2" "s3" } { "t1" "t2" } }

then an optional quoted comment and one of two bodies.

* **Payoff version**: for each contingency :math:`(a_0, \dots, a_{N-1})`, in
  the order where player 0's action varies fastest, the payoffs
  :math:`u_0(a), \dots, u_{N-1}(a)`::

      1 1 0 2 0 2 1 1 0 3 2 0

* **Outcome version**: a brace-delimited list of outcomes ``{ "name" u_0, u_1 }``,
  then one outcome index per contingency (same order; ``0`` is the null
  outcome, whose payoffs are all zero)::

      { { "" 1, 1 } { "" 0, 2 } } 1 2 2 1 0 0

Payoffs are integers, decimals with an optional exponent (``1.5``, ``-2e-3``)
or rationals ``a/b``. They are read *exactly*: ``"1.5"`` is
``Fraction(3, 2)``. Commas between numbers are optional. Quoted strings may
span lines; ``\"`` stands for a quote and ``\\`` for a backslash. The comment
is read and discarded (:class:`NormalFormGame` has no comment). Labels are made
unique and non-empty: an empty player or strategy label gets the default name
(``"Player 1"``, ``"a1"``, ...) and a repeated label ``x`` becomes ``x_2``,
``x_3``, ... (Gambit also normalises labels with ``_n`` suffixes). A backslash
is written as ``\\``, which Gambit itself reads as two backslashes. This reader
accepts commas anywhere between numbers (Gambit only inside outcomes) and,
unlike Gambit, honours ``D`` by returning a float game.

Exactness follows the header unless ``exact=`` says otherwise: ``R`` files give
exact games (:class:`fractions.Fraction` payoffs), ``D`` files float games.
:func:`write_nfg` writes ``R`` for exact games (payoffs as integers or ``a/b``)
and ``D`` for float games (payoffs with ``repr`` precision, so every float
reads back bit for bit).

JSON schema (``format_version`` 1)
----------------------------------
An object with the keys::

    {
      "format_version": 1,                       required, the integer 1
      "title": "Prisoner's Dilemma",             optional string (default "")
      "players": ["Row", "Column"],              optional, one unique string per player
      "actions": [["C", "D"], ["C", "D"]],       optional, unique strings per player
      "exact": true,                             optional boolean (see below)
      "payoffs": [[[-1, -3], [0, -2]],           required: payoffs[p][a_0]...[a_{N-1}],
                  [[-1, 0], [-3, -2]]]           one nested list per player
    }

In an exact game (``"exact": true``) every payoff is a JSON integer or a
string holding an integer, a decimal or a rational ``"a/b"``, read exactly;
JSON floats are refused because they are ambiguous. In a float game
(``"exact": false``) every payoff is a JSON number. Without ``"exact"`` the
game is exact when no payoff is a JSON float. Unknown keys are refused.

Examples
--------
>>> from stackelberg.games.io import read_nfg, write_nfg
>>> game = read_nfg('NFG 1 R "PD" { "Row" "Col" } { 2 2 }  -1 -1  0 -3  -3 0  -2 -2')
>>> game.bimatrix(exact=True)[0].tolist()
[[Fraction(-1, 1), Fraction(-3, 1)], [Fraction(0, 1), Fraction(-2, 1)]]
>>> read_nfg(write_nfg(game, version="outcome")) == game
True

References
----------
.. [1] The Gambit Project, "Gambit: Software Tools for Game Theory", file formats:
   https://gambitproject.readthedocs.io/en/latest/formats.html
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .._validation import (
    FLOAT_MAX,
    MAX_LITERAL_DIGITS,
    MAX_LITERAL_EXPONENT,
    check_choice,
    check_exact_magnitude,
    check_positive_int,
    parse_exact_literal,
)
from ..errors import JsonFormatError, NfgFormatError
from .normal_form import NormalFormGame

__all__ = [
    "NfgFormatError",
    "JsonFormatError",
    "read_nfg",
    "write_nfg",
    "read_json",
    "write_json",
    "load_game",
    "save_game",
]

JSON_FORMAT_VERSION = 1

#: Default ``max_label_length`` of the readers: the longest title, player name or strategy label accepted
#: (characters). Checked before the string is copied, so a 50 MB title costs no more than the file.
MAX_LABEL_LENGTH = 10_000
_JSON_KEYS = ("format_version", "title", "players", "actions", "exact", "payoffs")


# ---------------------------------------------------------------------------- sources
def _read_source(source, what: str) -> str:
    """The text of ``source``: a path to an existing file, or the text itself."""
    if isinstance(source, os.PathLike):
        return _read_file(Path(source))
    if not isinstance(source, str):
        raise TypeError(f"{what} must be a path (str or pathlib.Path) or the file's text; got {type(source).__name__}")
    if source and "{" not in source and "\n" not in source:
        # every game text has a brace: a single non-empty line without one is a path
        return _read_file(Path(source))
    return source


def _read_file(path: Path) -> str:
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # older Gambit files are not always UTF-8


def _write_text(text: str, path) -> None:
    if path is None:
        return
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str, a pathlib.Path or None; got {type(path).__name__}")
    Path(path).write_text(text, encoding="utf-8")


def _check_game(game) -> NormalFormGame:
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame; got {type(game).__name__}")
    return game


# ---------------------------------------------------------------------------- numbers and labels
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # ASCII digits only


def _parse_number(text: str, what: str = "a number") -> Fraction | None:
    """The exact value of an integer, decimal or ``a/b`` literal, or None if it is not one.

    Raises ValueError (naming ``what`` and the bound) for a literal beyond the bounds of
    :func:`~stackelberg._validation.parse_exact_literal`.
    """
    return parse_exact_literal(what, text)


def _float_literal(text: str, what: str) -> float:
    """The nearest float of a decimal literal (keeping ``-0.0``), with the bounds of exact literals."""
    if len(text) > 3 * MAX_LITERAL_DIGITS:
        raise ValueError(f"{what}: a number literal of {len(text)} characters is longer than {MAX_LITERAL_DIGITS} "
                         "digits (MAX_LITERAL_DIGITS)")
    exponent = re.search(r"[eE]([+-]?[0-9]+)$", text)
    if exponent is not None and abs(int(exponent.group(1))) > MAX_LITERAL_EXPONENT:
        raise ValueError(f"{what}: the exponent of {text[:40]} is beyond +-{MAX_LITERAL_EXPONENT} (MAX_LITERAL_EXPONENT)")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{what}: {text[:40]} is larger in magnitude than the largest float {FLOAT_MAX:.4g}")
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control_character(text: str) -> str | None:
    """The first control character of ``text`` (tab, newline and carriage return allowed), as ``U+XXXX``."""
    match = _CONTROL.search(text)
    return None if match is None else f"U+{ord(match.group()):04X}"


def _format_number(value, exact: bool) -> str:
    if exact:
        return str(value)  # Fraction: "3" or "-3/2"
    return repr(float(value))


def _unique_labels(labels, default) -> list[str]:
    """Keep each label's first occurrence; rename empty labels to ``default(k)`` and repeats to ``label_2``, ...

    Generated names never take a label that appears in ``labels``.
    """
    used = {label for label in labels if label}
    seen = set()
    out = []
    for k, label in enumerate(labels):
        if label and label not in seen:
            seen.add(label)
            out.append(label)
            continue
        base = label or default(k)
        candidate, suffix = base, 1
        while candidate in used:
            suffix += 1
            candidate = f"{base}_{suffix}"
        used.add(candidate)
        out.append(candidate)
    return out


def _player_default(k: int) -> str:
    return f"Player {k + 1}"


def _action_default(k: int) -> str:
    return f"a{k + 1}"


# ---------------------------------------------------------------------------- .nfg lexer
class _Token(NamedTuple):
    kind: str  # "lbrace", "rbrace", "comma", "string", "word", "eof"
    text: str
    line: int

    def describe(self) -> str:
        if self.kind == "eof":
            return "end of file"
        text = self.text if len(self.text) <= 60 else f"{self.text[:40]}...{self.text[-10:]}"
        if self.kind == "string":
            return f"the string {text!r}"
        return repr(text)


_LEXER = re.compile(
    r"""(?P<space>\s+)
      | (?P<lbrace>\{) | (?P<rbrace>\}) | (?P<comma>,)
      | (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")
      | (?P<open_string>")
      | (?P<word>[^\s{},"]+)""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r'\\(["\\])')


def _tokenize(text: str, max_label_length: int = 10**9) -> list[_Token]:
    tokens = []
    line = 1
    for match in _LEXER.finditer(text):
        kind = match.lastgroup
        if kind == "open_string":
            raise NfgFormatError("unterminated string (no closing quote)", line, repr(text[match.start() : match.start() + 20]))
        if kind == "string" and match.end() - match.start() - 2 > max_label_length:
            raise NfgFormatError(
                f"a quoted string (title, name or label) of {match.end() - match.start() - 2} characters is longer "
                f"than max_label_length={max_label_length}", line, repr(text[match.start() : match.start() + 20]) + "...")
        value = match.group()
        if kind == "string":
            tokens.append(_Token(kind, _ESCAPE.sub(r"\1", value[1:-1]), line))
        elif kind != "space":
            tokens.append(_Token(kind, value, line))
        line += value.count("\n")
    tokens.append(_Token("eof", "", line))
    return tokens


class _NfgParser:
    """Recursive-descent parser over the token list of one ``.nfg`` file."""

    def __init__(self, text: str, max_label_length: int = MAX_LABEL_LENGTH):
        self.tokens = _tokenize(text, max_label_length)
        self.position = 0
        self.exact = True  # exact payoffs (Fraction) or floats; set from the header by parse()

    # -- cursor
    @property
    def current(self) -> _Token:
        return self.tokens[self.position]

    def advance(self) -> _Token:
        token = self.current
        if token.kind != "eof":
            self.position += 1
        return token

    def error(self, message: str, token: _Token | None = None) -> NfgFormatError:
        token = self.current if token is None else token
        return NfgFormatError(message, token.line, token.describe())

    def expect(self, kind: str, what: str) -> _Token:
        if self.current.kind != kind:
            raise self.error(f"expected {what}")
        return self.advance()

    def label(self, what: str) -> str:
        """The next quoted string, refused if it holds a control character (it would be printed raw)."""
        token = self.expect("string", what)
        bad = _control_character(token.text)
        if bad is not None:
            raise self.error(f"{what} contains the control character {bad} (only tab and newline are allowed)",
                             token)
        return token.text

    def close_brace(self, opened: _Token, what: str) -> None:
        if self.current.kind != "rbrace":
            message = f"expected {what} or '}}' closing the '{{' of line {opened.line}"
            if self.current.kind == "eof":
                message = f"unterminated '{{' opened at line {opened.line}: expected {what} or '}}'"
            raise self.error(message)
        self.advance()

    def skip_commas(self) -> _Token:
        while self.current.kind == "comma":
            self.advance()
        return self.current

    def number(self, what: str, exact: bool = True) -> Fraction | float:
        """The next number: its exact value, or with ``exact=False`` the nearest float (keeping ``-0.0``)."""
        token = self.skip_commas()
        if token.kind != "word":
            raise self.error(f"expected {what}")
        try:
            if not exact and _DECIMAL.fullmatch(token.text):
                value = _float_literal(token.text, what)
                self.advance()
                return value
            value = _parse_number(token.text, what)
        except ValueError as error:
            raise self.error(f"bad number in {error}") from None
        if value is None:
            raise self.error(f"bad number in {what} (expected an integer, a decimal or a/b)")
        self.advance()
        return value if exact else float(value)

    # -- grammar
    def parse(self, exact: bool | None) -> NormalFormGame:
        header = self.current
        if header.kind != "word" or header.text != "NFG":
            raise self.error("expected the header 'NFG 1 R' (or 'NFG 1 D') at the start of the file")
        self.advance()
        if self.current.kind != "word" or self.current.text != "1":
            raise self.error("unsupported NFG version (only version 1 exists)")
        self.advance()
        if self.current.kind != "word" or self.current.text not in ("R", "D"):
            raise self.error("expected the number type 'R' (rational) or 'D' (double) after 'NFG 1'")
        header_exact = self.advance().text == "R"
        title = self.label("the game's title (a quoted string)")
        players = self.players()
        strategies = self.strategies(len(players))
        if self.current.kind == "string":
            self.advance()  # the optional comment
        shape = tuple(len(labels) for labels in strategies)
        remaining = len(self.tokens) - self.position
        if math.prod(shape) > remaining:  # every contingency needs at least one token (a payoff or outcome index)
            raise self.error(
                f"the strategy counts {shape} imply {math.prod(shape)} contingencies but only {remaining} tokens "
                "follow (the payoffs are missing or the counts are wrong)", header)
        self.exact = header_exact if exact is None else exact
        if self.current.kind == "lbrace":
            tensors = self.outcome_body(shape)
        elif self.current.kind in ("word", "comma"):
            tensors = self.payoff_body(shape)
        else:
            raise self.error("expected the payoffs (numbers) or the outcome list ('{')")
        if self.current.kind != "eof":
            raise self.error("expected the end of the file after the last payoff/outcome index")
        return NormalFormGame(
            tensors if self.exact else [np.asarray(t, dtype=float) for t in tensors],
            player_names=_unique_labels(players, _player_default),
            action_names=[_unique_labels(labels, _action_default) for labels in strategies],
            title=title,
            exact=self.exact,
        )

    def players(self) -> list[str]:
        opened = self.expect("lbrace", "'{' opening the list of player names")
        names = []
        while self.current.kind == "string":
            names.append(self.label("a player name"))
        self.close_brace(opened, "a player name (quoted string)")
        if not names:
            raise self.error("the game needs at least one player; the player list is empty", opened)
        return names

    def strategies(self, n_players: int) -> list[list[str]]:
        opened = self.expect("lbrace", "'{' opening the strategy list")
        entries: list[list[str]] = []
        if self.current.kind == "lbrace":  # labelled strategies, one list per player
            while self.current.kind == "lbrace":
                inner = self.advance()
                labels = []
                while self.current.kind == "string":
                    labels.append(self.label("a strategy label"))
                self.close_brace(inner, "a strategy label (quoted string)")
                if not labels:
                    raise self.error(f"player {len(entries) + 1} has no strategies", inner)
                entries.append(labels)
            self.close_brace(opened, "another player's '{ strategy labels }'")
        else:  # strategy counts
            while self.current.kind == "word":
                token = self.current
                if not re.fullmatch(r"[0-9]+", token.text) or not token.text.strip("0"):
                    raise self.error("a strategy count must be a positive integer")
                remaining = len(self.tokens) - self.position
                if len(token.text) > 20 or int(token.text) > remaining:  # refused before allocating the labels
                    raise self.error(f"a strategy count larger than the {remaining} tokens left in the file "
                                     "(each contingency needs a payoff)")
                self.advance()
                entries.append([""] * int(token.text))
            self.close_brace(opened, "a strategy count (positive integer)")
        if len(entries) != n_players:
            raise self.error(
                f"the strategy list has {len(entries)} entries but the file names {n_players} players "
                "(dimensions mismatch)",
                opened,
            )
        return entries

    def payoff_body(self, shape: tuple[int, ...]) -> list[np.ndarray]:
        n_players, n_cells = len(shape), math.prod(shape)
        values = []
        for k in range(n_players * n_cells):
            if self.current.kind == "eof":
                raise self.error(f"wrong number of payoffs: expected {n_players * n_cells} ({n_cells} contingencies x "
                                 f"{n_players} players), found {k}")
            values.append(self.number("a payoff", self.exact))
        if self.skip_commas().kind == "word":
            raise self.error(f"wrong number of payoffs: expected {n_players * n_cells}, found more")
        profiles = np.empty((n_cells, n_players), dtype=object)
        profiles.ravel()[:] = values
        return [profiles[:, p].reshape(shape, order="F") for p in range(n_players)]

    def outcome_body(self, shape: tuple[int, ...]) -> list[np.ndarray]:
        n_players, n_cells = len(shape), math.prod(shape)
        opened = self.advance()
        outcomes = [tuple(Fraction(0) for _ in range(n_players))]  # index 0: the null outcome
        while self.current.kind == "lbrace":
            start = self.advance()
            self.expect("string", f"the name of outcome {len(outcomes)} (a quoted string)")
            payoffs = []
            while self.skip_commas().kind == "word":
                payoffs.append(self.number(f"outcome {len(outcomes)}'s payoffs", self.exact))
            self.close_brace(start, f"a payoff of outcome {len(outcomes)}")
            if len(payoffs) != n_players:
                raise self.error(
                    f"outcome {len(outcomes)} has {len(payoffs)} payoffs; expected one per player ({n_players})", start
                )
            outcomes.append(tuple(payoffs))
        self.close_brace(opened, "an outcome '{ \"name\" payoffs }'")
        profiles = np.empty((n_cells, n_players), dtype=object)
        for cell in range(n_cells):
            token = self.current
            if token.kind == "eof":
                raise self.error(f"wrong number of outcome indices: expected {n_cells} (one per contingency), found {cell}")
            index = self.number("an outcome index")
            if index.denominator != 1 or not 0 <= index < len(outcomes):
                raise self.error(
                    f"bad outcome index: expected an integer from 0 (null outcome) to {len(outcomes) - 1}", token
                )
            profiles[cell] = outcomes[int(index)]
        if self.skip_commas().kind == "word":
            raise self.error(f"wrong number of outcome indices: expected {n_cells}, found more")
        return [profiles[:, p].reshape(shape, order="F") for p in range(n_players)]


# ---------------------------------------------------------------------------- .nfg public API
def read_nfg(path_or_text, *, exact: bool | None = None, max_label_length: int = MAX_LABEL_LENGTH) -> NormalFormGame:
    """Read a game from Gambit's ``.nfg`` format (payoff or outcome version).

    Parameters
    ----------
    path_or_text : str or pathlib.Path
        A path to an existing file (a ``pathlib.Path``, or a one-line
        string without ``{``), or the text of the file.
    exact : bool, optional
        ``None`` (default): follow the header (``R`` exact, ``D`` float).
        ``True``/``False`` force exact or float payoffs.
    max_label_length : int, default 10_000
        The longest title, player name or strategy label accepted (characters).

    Returns
    -------
    NormalFormGame
        With the file's title, player names and strategy labels (made unique
        and non-empty).

    Notes
    -----
    Hostile input is refused before it costs time or memory: number literals take ASCII digits only, at most
    1000 digits (``MAX_LITERAL_DIGITS``) and an exponent of magnitude at most 1000 (``MAX_LITERAL_EXPONENT``),
    and a magnitude at most the largest float (about 1.8e308); strategy counts must not exceed the number of
    tokens left in the file (each contingency needs a payoff); titles and labels are at most
    ``max_label_length`` characters and must not hold control characters (U+0000-U+001F other than tab,
    newline and carriage return, U+007F-U+009F), which a terminal would otherwise interpret when they are
    printed.

    Raises
    ------
    NfgFormatError
        (a ``ValueError``) naming the line and the offending token when the text
        is malformed: wrong header, unterminated string or brace, mismatch
        between players and strategy lists, bad number, wrong number of
        payoffs or outcome indices, bad outcome index, trailing tokens, a number
        or label beyond the bounds in the Notes.
    FileNotFoundError
        If ``path_or_text`` is a path to no file.
    TypeError
        If ``path_or_text`` is neither a path nor a string, or ``exact`` is not a bool or None.

    Examples
    --------
    >>> game = read_nfg('NFG 1 R "" { "A" "B" } { { "L" "R" } { "l" } } 1/2 0.25 1 2')
    >>> game.action_names, game.pure_payoffs((0, 0), exact=True)
    ((('L', 'R'), ('l',)), (Fraction(1, 2), Fraction(1, 4)))
    >>> read_nfg('NFG 1 R "" { "A" "B" } { 2 1 } 1 2 3')
    Traceback (most recent call last):
    ...
    stackelberg.errors.NfgFormatError: line 1: wrong number of payoffs: expected 4 (2 contingencies x 2 players), found 3; got end of file
    """
    if exact is not None and exact not in (True, False):
        raise TypeError(f"exact must be True, False or None; got {exact!r}")
    max_label_length = check_positive_int("max_label_length", max_label_length)
    return _NfgParser(_read_source(path_or_text, "path_or_text"), max_label_length).parse(exact)


def write_nfg(game: NormalFormGame, path=None, *, version: str = "payoff") -> str:
    """Write ``game`` in Gambit's ``.nfg`` format and return the text.

    Parameters
    ----------
    game : NormalFormGame
    path : str or pathlib.Path, optional
        Also write the text to this file (UTF-8).
    version : {"payoff", "outcome"}
        The payoff version (payoffs listed contingency by contingency) or the
        outcome version (one outcome per contingency, then their indices).

    Returns
    -------
    str
        The file's text, ending in a newline. Exact games are written with the
        header ``NFG 1 R`` and payoffs as integers or ``a/b``; float games with
        ``NFG 1 D`` and payoffs in ``repr`` precision, so
        ``read_nfg(write_nfg(game)) == game``. Labels are written unique and
        non-empty; quotes and backslashes are escaped.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame` or ``path`` is not a path.
    ValueError
        If ``version`` is not ``"payoff"`` or ``"outcome"``.

    Examples
    --------
    >>> from fractions import Fraction
    >>> game = NormalFormGame.from_bimatrix([[1, Fraction(1, 2)]], [[0, -1]], title='say "hi"')
    >>> print(write_nfg(game), end="")
    NFG 1 R "say \\"hi\\"" { "Player 1" "Player 2" }
    { { "a1" } { "a1" "a2" } }
    <BLANKLINE>
    1 0
    1/2 -1
    """
    game = _check_game(game)
    check_choice("version", version, ("payoff", "outcome"))
    exact = game.is_exact
    tensors = game.exact_payoffs if exact else game.payoffs
    players = _unique_labels(game.player_names, _player_default)
    actions = [_unique_labels(labels, _action_default) for labels in game.action_names]
    strategy_lists = " ".join("{ " + " ".join(_quote(a) for a in labels) + " }" for labels in actions)
    lines = [
        f"NFG 1 {'R' if exact else 'D'} {_quote(game.title)} {{ {' '.join(_quote(p) for p in players)} }}",
        f"{{ {strategy_lists} }}",
        "",
    ]
    # profiles[k] = payoff profile of the k-th contingency, player 0's action varying fastest
    profiles = np.stack([np.asarray(t).ravel(order="F") for t in tensors], axis=1)
    cells = [[_format_number(v, exact) for v in profile] for profile in profiles]
    if version == "payoff":
        row = game.shape[0]
        lines += ["  ".join(" ".join(cell) for cell in cells[k : k + row]) for k in range(0, len(cells), row)]
    else:
        lines += ["{"] + [f'{{ "" {", ".join(cell)} }}' for cell in cells] + ["}"]
        lines.append(" ".join(str(k + 1) for k in range(len(cells))))
    text = "\n".join(lines) + "\n"
    _write_text(text, path)
    return text


def _quote(label: str) -> str:
    return '"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------- JSON
def write_json(game: NormalFormGame, path=None) -> str:
    """Write ``game`` as a JSON document (schema in the module docstring) and return the text.

    Exact payoffs are written as JSON integers when integral and as ``"a/b"``
    strings otherwise; float payoffs as JSON numbers (``repr`` precision, so
    they read back bit for bit).

    Parameters
    ----------
    game : NormalFormGame
    path : str or pathlib.Path, optional
        Also write the text to this file (UTF-8).

    Returns
    -------
    str
        The JSON text, one player's payoffs per line, ending in a newline.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame` or ``path`` is not a path.

    Examples
    --------
    >>> from fractions import Fraction
    >>> game = NormalFormGame.from_bimatrix([[1, Fraction(1, 2)]], [[0, -1]])
    >>> print(write_json(game), end="")
    {
      "format_version": 1,
      "title": "",
      "players": ["Player 1", "Player 2"],
      "actions": [["a1"], ["a1", "a2"]],
      "exact": true,
      "payoffs": [
        [[1, "1/2"]],
        [[0, -1]]
      ]
    }
    """
    game = _check_game(game)
    if game.is_exact:
        tensors = [_map_nested(t.tolist(), _exact_to_json) for t in game.exact_payoffs]
    else:
        tensors = [t.tolist() for t in game.payoffs]
    header = {
        "format_version": JSON_FORMAT_VERSION,
        "title": game.title,
        "players": list(game.player_names),
        "actions": [list(labels) for labels in game.action_names],
        "exact": game.is_exact,
    }
    lines = ["{"] + [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in header.items()]
    lines += ['  "payoffs": [', ",\n".join(f"    {json.dumps(t)}" for t in tensors), "  ]", "}"]
    text = "\n".join(lines) + "\n"
    _write_text(text, path)
    return text


def _exact_to_json(value: Fraction):
    return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _map_nested(values, function):
    if isinstance(values, list):
        return [_map_nested(v, function) for v in values]
    return function(values)


def read_json(path_or_text, *, max_label_length: int = MAX_LABEL_LENGTH) -> NormalFormGame:
    """Read a game from a JSON document (schema in the module docstring).

    Parameters
    ----------
    path_or_text : str or pathlib.Path
        A path to an existing file (a ``pathlib.Path``, or a one-line
        string without ``{``), or the JSON text itself.
    max_label_length : int, default 10_000
        The longest title, player name or action name accepted (characters).

    Returns
    -------
    NormalFormGame

    Notes
    -----
    The bounds of :func:`read_nfg` apply: number literals (JSON integers and numeric strings) have ASCII digits
    only, at most 1000 digits, an exponent of magnitude at most 1000 and a magnitude at most the largest float;
    names have at most ``max_label_length`` characters and no control characters. A document nested deeper than
    Python's recursion limit (about 1000 levels) is refused.

    Raises
    ------
    JsonFormatError
        (a ``ValueError``) if the text is not JSON or does not follow the
        schema: missing or unknown keys, wrong ``format_version``, payoff lists
        of the wrong shape, non-numeric payoffs, floats in an exact game,
        strings in a float game, NaN or infinite values, bad names, numbers or names beyond the bounds in the
        Notes, nesting too deep.
    FileNotFoundError
        If ``path_or_text`` is a path to no file.
    TypeError
        If ``path_or_text`` is neither a path nor a string.

    Examples
    --------
    >>> game = read_json('{"format_version": 1, "payoffs": [[[1, "1/3"]], [[5, 2]]]}')
    >>> game.is_exact, game.pure_payoffs((0, 1), exact=True)
    (True, (Fraction(1, 3), Fraction(2, 1)))
    >>> read_json('{"format_version": 1, "payoffs": [[[1, 2]], [[1]]]}')
    Traceback (most recent call last):
    ...
    stackelberg.errors.JsonFormatError: payoffs[1][0] must be a list of 2 entries (player 1 has 2 actions); got 1 entries
    """
    max_label_length = check_positive_int("max_label_length", max_label_length)
    text = _read_source(path_or_text, "path_or_text")
    try:
        document = json.loads(text, parse_float=_JsonFloat, parse_int=_json_int, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise JsonFormatError(f"not valid JSON: {error}") from None
    except RecursionError:
        raise JsonFormatError("the document is nested too deeply (more than Python's recursion limit, about "
                              f"{sys.getrecursionlimit()} levels); a game needs one level per player plus two") from None
    try:
        return _game_from_json(document, max_label_length)
    except RecursionError:
        raise JsonFormatError("payoffs are nested too deeply (one level per player)") from None


def _game_from_json(document, max_label_length: int) -> NormalFormGame:
    if not isinstance(document, dict):
        raise JsonFormatError(f"a game document must be a JSON object; got {type(document).__name__}")
    unknown = sorted(set(document) - set(_JSON_KEYS))
    if unknown:
        raise JsonFormatError(f"unknown keys {unknown}; a game document has the keys {list(_JSON_KEYS)}")
    for key in ("format_version", "payoffs"):
        if key not in document:
            raise JsonFormatError(f"the game document has no {key!r} key")
    if type(document["format_version"]) is not int or document["format_version"] != JSON_FORMAT_VERSION:
        raise JsonFormatError(f"format_version must be {JSON_FORMAT_VERSION}; got {document['format_version']!r}")

    payoffs = document["payoffs"]
    if not isinstance(payoffs, list) or not payoffs:
        raise JsonFormatError("payoffs must be a non-empty list holding one nested payoff list per player")
    shape = _json_shape(payoffs[0], len(payoffs))
    leaves = [_json_leaves(tensor, shape, f"payoffs[{p}]") for p, tensor in enumerate(payoffs)]
    exact = document.get("exact")
    if exact is None:
        exact = not any(isinstance(v, _JsonFloat) for values in leaves for v in values)
    elif not isinstance(exact, bool):
        raise JsonFormatError(f"exact must be true or false; got {exact!r}")
    convert = _json_exact_payoff if exact else _json_float_payoff
    tensors = []
    for p, values in enumerate(leaves):
        tensor = np.empty(len(values), dtype=object)
        tensor[:] = [convert(v, f"payoffs[{p}]{_index_text(k, shape)}") for k, v in enumerate(values)]
        tensors.append(tensor.reshape(shape) if exact else tensor.reshape(shape).astype(float))

    title = document.get("title", "")
    if type(title) is not str:  # noqa: E721 (JSON floats arrive as a str subclass)
        raise JsonFormatError(f"title must be a string; got {str(title)[:80]!r}")
    _json_label(title, "title", max_label_length)
    players = _json_names(document.get("players"), "players", len(shape), max_label_length)
    actions = document.get("actions")
    if actions is not None:
        if not isinstance(actions, list) or len(actions) != len(shape):
            raise JsonFormatError(f"actions must be a list of {len(shape)} lists of names (one per player); "
                                  f"got {str(actions)[:80]}")
        actions = [_json_names(names, f"actions[{p}]", shape[p], max_label_length) for p, names in enumerate(actions)]
    try:
        return NormalFormGame(tensors, player_names=players, action_names=actions, title=title, exact=exact)
    except (ValueError, TypeError) as error:
        raise JsonFormatError(str(error)) from None


class _JsonFloat(str):
    """The source text of a JSON float, kept so exact games can refuse floats and float games read them."""


def _refuse_constant(name: str):
    raise JsonFormatError(f"payoffs must be finite numbers; the document contains {name}")


def _json_shape(tensor, n_players: int) -> tuple[int, ...]:
    shape = []
    for _ in range(n_players):
        if not isinstance(tensor, list) or not tensor:
            raise JsonFormatError(
                f"payoffs[0] must be nested {n_players} levels deep (one level per player) with at least one action per player"
            )
        shape.append(len(tensor))
        tensor = tensor[0]
    return tuple(shape)


def _json_leaves(tensor, shape, where: str, player: int = 0) -> list:
    """The payoffs of one nested list in row-major order, after checking it has ``shape``."""
    if player == len(shape):
        if isinstance(tensor, list):
            raise JsonFormatError(f"{where} must be a number; got a list (too many nesting levels)")
        return [tensor]
    if not isinstance(tensor, list) or len(tensor) != shape[player]:
        got = f"{len(tensor)} entries" if isinstance(tensor, list) else repr(tensor)
        raise JsonFormatError(
            f"{where} must be a list of {shape[player]} entries (player {player} has {shape[player]} actions); got {got}"
        )
    return [leaf for k, sub in enumerate(tensor) for leaf in _json_leaves(sub, shape, f"{where}[{k}]", player + 1)]


def _index_text(flat: int, shape) -> str:
    return "".join(f"[{i}]" for i in np.unravel_index(flat, shape))


def _json_exact_payoff(value, where: str) -> Fraction:
    if isinstance(value, _JsonFloat):
        raise JsonFormatError(
            f"{where} is the JSON float {value}: an exact game takes integers or strings such as \"{value}\" or \"a/b\""
        )
    try:
        if isinstance(value, str):
            number = _parse_number(value.strip(), where)
            if number is None:
                raise JsonFormatError(f"{where} must be an integer, a decimal or a rational 'a/b'; got {value[:80]!r}")
            return number
        if isinstance(value, int) and not isinstance(value, bool):
            return Fraction(check_exact_magnitude(where, value))
    except JsonFormatError:
        raise
    except ValueError as error:
        raise JsonFormatError(str(error)) from None
    raise JsonFormatError(f"{where} must be a number; got {str(value)[:80]}")


def _json_float_payoff(value, where: str) -> float:
    if isinstance(value, _JsonFloat):
        try:
            return _float_literal(value, where)
        except ValueError:
            raise JsonFormatError(f"{where} must be a finite number; got {value[:40]} (beyond the largest float "
                                  f"{FLOAT_MAX:.4g} or longer than {MAX_LITERAL_DIGITS} digits)") from None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if abs(value) > FLOAT_MAX:
            raise JsonFormatError(f"{where} must be a finite number: the integer {str(value)[:20]}... is larger in "
                                  f"magnitude than the largest float {FLOAT_MAX:.4g}")
        return float(value)
    raise JsonFormatError(f"{where} must be a JSON number in a float game (\"exact\": false); got {str(value)[:80]}")


def _json_names(names, where: str, count: int, max_label_length: int):
    if names is None:
        return None
    if not isinstance(names, list) or len(names) != count or not all(type(n) is str for n in names):  # noqa: E721
        raise JsonFormatError(f"{where} must be a list of {count} strings; got {str(names)[:80]}")
    for k, name in enumerate(names):
        _json_label(name, f"{where}[{k}]", max_label_length)
    return names


def _json_label(text: str, where: str, max_label_length: int) -> None:
    if len(text) > max_label_length:
        raise JsonFormatError(f"{where} has {len(text)} characters, more than max_label_length={max_label_length}")
    bad = _control_character(text)
    if bad is not None:
        raise JsonFormatError(f"{where} contains the control character {bad} (only tab and newline are allowed)")


def _json_int(text: str) -> int:
    """A JSON integer, refused before conversion when it has more than MAX_LITERAL_DIGITS digits."""
    if len(text.lstrip("-")) > MAX_LITERAL_DIGITS:
        raise JsonFormatError(f"a JSON integer of {len(text.lstrip('-'))} digits has more than {MAX_LITERAL_DIGITS} "
                              "digits (MAX_LITERAL_DIGITS)")
    return int(text)


# ---------------------------------------------------------------------------- dispatch on suffix
_FORMATS = {".nfg": (read_nfg, write_nfg), ".json": (read_json, write_json)}


def _format_of(path) -> tuple:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a pathlib.Path; got {type(path).__name__}")
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise ValueError(f"path must end in .nfg or .json (the format is chosen by the suffix); got {str(path)!r}")
    return _FORMATS[suffix]


def load_game(path) -> NormalFormGame:
    """Read a game from a ``.nfg`` or ``.json`` file, chosen by the file's suffix.

    Parameters
    ----------
    path : str or pathlib.Path
        A file ending in ``.nfg`` (read with :func:`read_nfg`) or ``.json``
        (read with :func:`read_json`).

    Returns
    -------
    NormalFormGame

    Raises
    ------
    ValueError
        If the suffix is neither ``.nfg`` nor ``.json`` (case-insensitive), or the file is malformed.
    FileNotFoundError
        If there is no such file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> game = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    >>> save_game(game, folder / "pennies.json")
    >>> load_game(folder / "pennies.json") == game
    True
    """
    reader, _ = _format_of(path)
    return reader(Path(path))


def save_game(game: NormalFormGame, path) -> None:
    """Write ``game`` to a ``.nfg`` (payoff version) or ``.json`` file, chosen by the suffix.

    Parameters
    ----------
    game : NormalFormGame
    path : str or pathlib.Path
        A file name ending in ``.nfg`` (written with :func:`write_nfg`) or
        ``.json`` (written with :func:`write_json`).

    Raises
    ------
    ValueError
        If the suffix is neither ``.nfg`` nor ``.json``.
    TypeError
        If ``game`` is not a :class:`NormalFormGame` or ``path`` is not a path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "game.nfg"
    >>> save_game(NormalFormGame.zero_sum([[0, 1]]), path)
    >>> path.read_text().splitlines()[0]
    'NFG 1 R "" { "Player 1" "Player 2" }'
    """
    _, writer = _format_of(path)
    writer(_check_game(game), path)
