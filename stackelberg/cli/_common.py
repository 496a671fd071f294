"""What the verbs share: the user-error type, number/strategy formatting, table/JSON/CSV rendering, game loading,
and the common options (``--format``, ``--progress/--no-progress``)."""

from __future__ import annotations

import csv
import io
import json
import re
from fractions import Fraction
from pathlib import Path

__all__ = [
    "CommandError",
    "FORMATS",
    "SELECTIONS",
    "TIE_BREAKS",
    "add_format_argument",
    "add_progress_argument",
    "flag_hint",
    "load_game_spec",
    "load_markov_spec",
    "number",
    "parse_list",
    "progress_flag",
    "render",
    "sentence",
    "strategy",
]

FORMATS = ("table", "json", "csv")
TIE_BREAKS = ("strong", "weak")
SELECTIONS = ("first", "pareto", "leader", "utilitarian")


class CommandError(Exception):
    """A user-facing error: printed as one line on stderr, exit code 2."""


# ---------------------------------------------------------------------- options
def add_format_argument(parser) -> None:
    """``--format table|json|csv``."""
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output: an aligned table (default), JSON rows or CSV")


def add_progress_argument(parser) -> None:
    """``--progress`` / ``--no-progress`` (default: a bar only when stderr is a terminal)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--progress", dest="progress", action="store_const", const=True, default=None,
                       help="always show a progress bar on stderr (default: only when stderr is a terminal)")
    group.add_argument("--no-progress", dest="progress", action="store_const", const=False,
                       help="never show a progress bar")


def progress_flag(args) -> bool:
    """The ``progress=`` of the library call: ``--progress`` True, ``--no-progress`` False, else whether stderr is a
    terminal (resolved here because some library functions take only True/False)."""
    from .._progress import wants_progress

    return wants_progress(args.progress)


# The API's hints name functions; on the command line they name the flag that does the same thing.
_FLAG_FOR_FUNCTION = {
    "solve_sequential": "--solver sequential",
    "nlevel_learning": "--learner nlevel",
    "sequential_equilibria": "--concept sequential",
    "pure_nash_equilibria": "--concept pure-nash",
}


def flag_hint(message: str) -> str:
    """``message`` with every ``use FUNCTION`` hint of the API rewritten as the CLI flag that does it."""
    pattern = r"\buse (" + "|".join(map(re.escape, _FLAG_FOR_FUNCTION)) + r")\b"
    return re.sub(pattern, lambda match: f"use {_FLAG_FOR_FUNCTION[match.group(1)]}", message)


def parse_list(name: str, text: str, kind) -> list:
    """A comma-separated list of ``kind`` values (``name`` is the option, for the error)."""
    try:
        return [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"{name} must be a comma-separated list of numbers; got {text!r}") from None


# ---------------------------------------------------------------------- formatting
def number(value) -> str:
    """An exact number as ``p/q``, a float with 6 significant digits."""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    value = float(value)
    return f"{value:.6g}" if value != 0 else "0"


def strategy(names, probabilities) -> str:
    """A mixed strategy as ``name:prob`` pairs over its support (just the name when pure)."""
    support = [(names[a], p) for a, p in enumerate(probabilities) if p != 0 and abs(float(p)) > 1e-12]
    if len(support) == 1:
        return support[0][0]
    return " ".join(f"{name}:{number(p)}" for name, p in support)


def render(rows: list[dict], fmt: str, title: str) -> str:
    """Rows as JSON (lists kept), CSV or an aligned table under ``title`` (lists joined with ``; ``)."""
    if fmt == "json":
        return json.dumps(rows, indent=2)
    flat = [{key: "; ".join(map(str, v)) if isinstance(v, list) else v for key, v in row.items()} for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        if flat:
            writer = csv.DictWriter(buffer, fieldnames=list(flat[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(flat)
        return buffer.getvalue().rstrip("\n")
    if not flat:
        return f"{title}: none"
    columns = list(flat[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in flat)) for c in columns}
    lines = [title, "  ".join(c.ljust(widths[c]) for c in columns), "  ".join("-" * widths[c] for c in columns)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns) for r in flat]
    return "\n".join(lines)


# ---------------------------------------------------------------------- games
def load_game_spec(spec: str):
    """A normal-form game from a ``.nfg``/``.json`` path or a catalogue spec such as ``penalty:-50``."""
    from ..games.catalog import get_game
    from ..games.io import load_game

    path = Path(spec)
    if path.suffix.lower() in (".nfg", ".json"):
        if not path.is_file():
            raise CommandError(f"GAME file {spec!r} does not exist")
        return load_game(path)
    return get_game(spec)


# the options that set a Markov builder's parameters
_MARKOV_OPTIONS = {"stage": "--stage", "gamma": "--gamma", "horizon": "--horizon", "agents": "--agents",
                   "required": "--required"}


def load_markov_spec(spec: str, **params):
    """A Markov game from a ``.npz`` file or a name of :mod:`stackelberg.games.markov_catalog`.

    ``params`` are the builder options the user gave (None: not given); one that does not apply to the game is a
    :class:`CommandError` naming its flag.
    """
    from ..games.markov_catalog import MARKOV_GAMES, get_markov_game, markov_game_names
    from ..games.markov_io import load_markov_game

    given = {key: value for key, value in params.items() if value is not None}
    path = Path(spec)
    if path.suffix.lower() == ".npz":
        if not path.is_file():
            raise CommandError(f"GAME file {spec!r} does not exist")
        if given:
            flags = "/".join(_MARKOV_OPTIONS[key] for key in given)
            raise CommandError(f"{flags} apply to built games; a .npz file stores its own game and criterion")
        return load_markov_game(path)
    if spec not in MARKOV_GAMES:
        raise CommandError(f"GAME must be a .npz file or one of {', '.join(markov_game_names())}; got {spec!r}")
    entry = MARKOV_GAMES[spec]
    for key in given:
        if key not in entry.parameters:
            why = ""
            if key == "horizon":
                why = " (it is discounted)"
            elif key == "gamma" and "horizon" in entry.parameters and spec == "escape-room":
                why = " (finite horizon; use --horizon)"
            raise CommandError(f"{_MARKOV_OPTIONS[key]} does not apply to GAME {spec!r}{why}")
    for key in entry.required:
        if key not in given:
            raise CommandError(f"GAME {spec!r} needs {_MARKOV_OPTIONS[key]} NAME "
                               "(a catalogue game, see 'stackelberg games')")
    return get_markov_game(spec, **given)


def sentence(text: str) -> str:
    """A one-line help as the description of its verb: capitalised, with a full stop."""
    return text[:1].upper() + text[1:] + "."
