"""A figure script's structured account: rows of (item, paper, ours in this run, ours at full scale) and a verdict.

Every figure module defines ``account(numbers, quick) -> list[Row]`` that turns the numbers its ``run`` returned
into rows. The paper's number and our full-scale number are constants of the module (the latter recorded from a
full run, as its docstring tells); ours in this run comes from ``numbers``. The verdict of a row is derived by
:func:`verdict`, never written by hand:

- a paper value that is a bound (``"< 0"``, ``"> 0"``, ``"<= x"``, ``">= x"``): ``match`` when ours satisfies it,
  ``differs`` otherwise;
- a yes/no or text claim: ``match`` when ours equals it, ``differs`` otherwise;
- a number (or a tuple of numbers, compared entry by entry, the worst entry counting): the relative difference
  ``d = |ours - paper| / scale``, with ``scale`` the row's natural range (100 for percentages, 1 for shares) or
  else ``max(|paper|, 1)``: ``match`` for ``d <= 0.05``, ``close`` for ``d <= 0.2``, ``differs`` above;
- in a quick run, a row whose number depends on the budget (runs, iterations, seeds) is ``quick-only``: the quick
  number is shown but not compared with the paper;
- a row without a number of ours in this run is ``quick-only`` in a quick run (the quick budget leaves the case
  out) and ``not run`` otherwise (and where no run has one);
- a row whose algorithm is a *stand-in* for the paper's (``stand_in``, e.g. tabular independent Q for the paper's
  MAPPO) is ``stand-in``: the paper's number is shown beside ours but never compared, since a different algorithm
  agreeing on one number is no reproduction.

Examples
--------
>>> verdict(Row("value", paper=9.0, ours=8.8, full=8.9), quick=False)
'match'
>>> verdict(Row("share at CC", paper=1.0, ours=0.85, full=1.0, scale=1.0), quick=False)
'close'
>>> verdict(Row("PG return", paper="< 0", ours=-1.95, full=-1.95), quick=False)
'match'
>>> verdict(Row("value", paper=9.0, ours=0.4, full=8.9), quick=True)
'quick-only'
>>> verdict(Row("value", paper=9.0, ours=0.4, full=8.9), quick=True, full_scale=True)
'match'
>>> verdict(Row("average reward", paper=0.72, ours=0.70, full=0.70, stand_in="MAPPO"), quick=False)
'stand-in'
>>> fmt((0.0, 10.0)), fmt(True), fmt(None), fmt(0.123456)
('(0, 10)', 'yes', 'not run', '0.1235')
"""

from __future__ import annotations

import math
import numbers as _numbers
from dataclasses import dataclass
from typing import Any

__all__ = ["MATCH", "CLOSE", "STAND_IN", "Row", "VERDICT_RULE", "fmt", "verdict"]

#: Relative differences up to which a number matches / is close to the paper's.
MATCH, CLOSE = 0.05, 0.2
#: The verdict of a row whose algorithm only stands in for the paper's (never compared).
STAND_IN = "stand-in"

VERDICT_RULE = (
    "Verdicts are derived per row, not by hand: for a number, d = |ours - paper| / scale (scale = the quantity's "
    "range where the row states one, 100 for percentages and 1 for shares, else max(|paper|, 1); for a tuple the "
    f"worst entry): **match** if d <= {MATCH:g}, **close** if d <= {CLOSE:g}, **differs** otherwise; a bound "
    "('< 0') or a yes/no claim: **match** if ours satisfies / equals it, **differs** otherwise; **quick-only**: a "
    "quick run's number that depends on the budget (runs, iterations, seeds) and is not compared with the paper; "
    "a quick run that leaves the case out also shows **quick-only**; **not run**: no run of ours has a number; "
    "**stand-in**: our algorithm only stands in for the paper's (a tabular learner for a neural baseline, labelled "
    "in the item): the numbers are shown side by side, never compared."
)


@dataclass(frozen=True)
class Row:
    """One reproduced quantity.

    Parameters
    ----------
    item : str
        What is compared (names the case and the quantity).
    paper : float, tuple, bool, str
        The paper's number or claim; a string starting with ``<``, ``<=``, ``>`` or ``>=`` is a bound.
    ours : float, tuple, bool, str or None
        Ours in this run (from the numbers ``run`` returned); None when this mode does not run the case.
    full : float, tuple, bool, str or None
        Ours at full scale, a constant recorded from a full run; None when not recorded (or never run).
    scale : float, optional
        The quantity's natural range for the relative difference (default ``max(|paper|, 1)``).
    budget_dependent : bool
        Whether ours depends on the run's budget, so that a quick run's number is not comparable with the paper.
    stand_in : str or None
        The paper's algorithm when ours is a different one standing in for it (the item says so): the verdict is
        ``stand-in``, never a comparison.
    """

    item: str
    paper: Any
    ours: Any
    full: Any
    scale: float | None = None
    budget_dependent: bool = True
    stand_in: str | None = None


def _is_number(value) -> bool:
    return isinstance(value, _numbers.Real) and not isinstance(value, bool)


def _bound(paper):
    """``(operator, threshold)`` of a bound such as ``"< 0"``, or None."""
    if not isinstance(paper, str):
        return None
    for op in ("<=", ">=", "<", ">"):
        if paper.strip().startswith(op):
            try:
                return op, float(paper.strip()[len(op):])
            except ValueError:
                return None
    return None


def _compare(paper, ours, scale) -> str:
    bound = _bound(paper)
    if bound is not None:
        if not _is_number(ours):
            return "differs"
        op, threshold = bound
        holds = {"<": ours < threshold, "<=": ours <= threshold, ">": ours > threshold, ">=": ours >= threshold}[op]
        return "match" if holds else "differs"
    if isinstance(paper, (bool, str)) or isinstance(ours, (bool, str)):
        return "match" if type(paper) is type(ours) and paper == ours else "differs"
    papers = tuple(paper) if isinstance(paper, (tuple, list)) else (paper,)
    ourses = tuple(ours) if isinstance(ours, (tuple, list)) else (ours,)
    if len(papers) != len(ourses) or not all(_is_number(v) for v in papers + ourses):
        return "differs"
    if any(math.isnan(v) for v in ourses):
        return "differs"
    denominator = scale if scale is not None else max(max(abs(v) for v in papers), 1.0)
    d = max(abs(o - p) for o, p in zip(ourses, papers)) / denominator
    return "match" if d <= MATCH else "close" if d <= CLOSE else "differs"


def verdict(row: Row, *, quick: bool, full_scale: bool = False) -> str:
    """The verdict of ``row`` for this run (or, with ``full_scale``, for its recorded full-scale number)."""
    ours = row.full if full_scale else row.ours
    if row.ours is None and row.full is None:
        return "not run"
    if ours is None:
        return "not recorded" if full_scale else ("quick-only" if quick else "not run")
    if row.stand_in is not None:
        return STAND_IN
    if quick and not full_scale and row.budget_dependent:
        return "quick-only"
    return _compare(row.paper, ours, row.scale)


def fmt(value) -> str:
    """A value as the report shows it."""
    if value is None:
        return "not run"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    if _is_number(value):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if value.is_integer() and abs(value) < 1e9:
            return f"{int(value)}"
        return f"{value:.4g}" if abs(value) >= 1e-3 else f"{value:.2e}"
    return str(value)
