"""Plots of the SE-vs-NE cooperation study (Zhang et al. 2020, Fig. 2 and supplementary Figs 8-12).

Per game size, :func:`size_figure` draws against the covariance :math:`\\rho`:
the leader's and the follower's payoff at the SE and at the average NE (means
with 95% confidence bands; the average NE is over the games that have a NE, so
the SE over those same games is drawn dotted), the number of NE, and the
fractions of games with a pure NE and where the SE Pareto-dominates the average NE. :func:`gain_figure`
overlays all sizes: SE minus average NE, per player. :func:`plot_study` writes
them as PNG next to the study's CSV tables. Figures are drawn on
:class:`matplotlib.figure.Figure` with the Agg canvas: no pyplot state, no display needed.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .cooperation_study import StudyResult
from .store import ResultStore

__all__ = ["plot_study", "size_figure", "gain_figure"]


def _series(result: StudyResult, n: int, name: str):
    """``rho`` and the mean and CI bounds of one aggregate quantity for size ``n``."""
    entries = sorted((a for a in result.aggregate if a["n"] == n), key=lambda a: a["rho"])
    if not entries:
        raise ValueError(f"n must be one of the study's sizes {sorted({a['n'] for a in result.aggregate})}; got {n!r}")
    rho = np.array([a["rho"] for a in entries], dtype=float)
    values = [np.array([a[f"{name}_{part}"] for a in entries], dtype=float) for part in ("mean", "ci_low", "ci_high")]
    return rho, *values


def _band(ax, rho, mean, low, high, label, color, style="-"):
    ax.plot(rho, mean, style, color=color, label=label, marker=".")
    ax.fill_between(rho, np.where(np.isnan(low), mean, low), np.where(np.isnan(high), mean, high), color=color, alpha=0.2)


def _check_result(result) -> StudyResult:
    if not isinstance(result, StudyResult):
        raise TypeError(f"result must be a StudyResult; got {type(result).__name__}")
    if not result.aggregate:
        raise ValueError("result must hold at least one game; its aggregate is empty")
    return result


def size_figure(result: StudyResult, n: int) -> Figure:
    """Fig. 2 style panels for the ``n x n`` games of a study.

    Parameters
    ----------
    result : StudyResult
    n : int
        One of the study's sizes.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels against rho: leader payoff, follower payoff (SE vs
        average NE with 95% CI bands; dotted, the SE over the games that have
        a NE), number of NE, and fractions (pure NE exists, SE
        Pareto-dominates the average NE).

    Raises
    ------
    TypeError, ValueError
        If ``result`` is not a non-empty StudyResult or ``n`` not one of its sizes.

    Examples
    --------
    >>> row = dict(n=2, rho=0.0, cooperation_level=0.1, se_leader=1.0, se_follower=0.5, ne_count=1,
    ...            ne_leader=0.5, ne_follower=0.5, pure_ne_exists=True, se_dominates=True, se_weakly_better=True)
    >>> from stackelberg.analysis.cooperation_study import aggregate_rows
    >>> len(size_figure(StudyResult({}, "k", [row], aggregate_rows([row])), 2).axes)
    4
    """
    result = _check_result(result)
    figure = Figure(figsize=(14, 3.6), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 4)
    for ax, player in zip(axes[:2], ("leader", "follower")):
        _band(ax, *_series(result, n, f"se_{player}"), "SE", "tab:red")
        _band(ax, *_series(result, n, f"ne_{player}"), "average NE", "tab:blue", "--")
        rho, paired, *_ = _series(result, n, f"se_{player}_paired")
        ax.plot(rho, paired, ":", color="tab:red", label="SE, games with a NE")
        ax.set(title=f"{player} payoff", xlabel="covariance rho", ylabel="payoff")
        ax.legend(loc="best", fontsize="small")
    _band(axes[2], *_series(result, n, "ne_count"), "NE per game", "tab:green")
    axes[2].set(title="number of NE", xlabel="covariance rho", ylabel="count")
    _band(axes[3], *_series(result, n, "pure_ne_fraction"), "pure NE exists", "tab:green")
    _band(axes[3], *_series(result, n, "se_dominates_fraction"), "SE Pareto-dominates avg NE", "tab:red", "--")
    axes[3].set(title="fraction of games", xlabel="covariance rho", ylim=(-0.02, 1.02))
    axes[3].legend(loc="best", fontsize="small")
    games = {a["games"] for a in result.aggregate if a["n"] == n}
    variant = result.parameters.get("equilibria", "")
    figure.suptitle(f"SE vs NE, {n}x{n} games ({variant} equilibria), {max(games)} trials per rho")
    return figure


def gain_figure(result: StudyResult) -> Figure:
    """SE minus average NE per player against rho, one line per size (95% CI bands).

    Parameters
    ----------
    result : StudyResult

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        If ``result`` is not a non-empty StudyResult.
    """
    result = _check_result(result)
    figure = Figure(figsize=(10, 3.8), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2)
    sizes = sorted({a["n"] for a in result.aggregate})
    colors = [f"C{k % 10}" for k in range(len(sizes))]
    for ax, player in zip(axes, ("leader", "follower")):
        for n, color in zip(sizes, colors):
            _band(ax, *_series(result, n, f"gain_{player}"), f"{n}x{n}", color)
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set(title=f"{player}: SE minus average NE", xlabel="covariance rho", ylabel="payoff difference")
        ax.legend(loc="best", fontsize="small")
    return figure


def plot_study(source, out_dir, *, study_key: str | None = None) -> dict[str, Path]:
    """Write the study's PNG figures and CSV tables into ``out_dir``.

    Parameters
    ----------
    source : StudyResult or ResultStore
        A result, or a store holding a cooperation study.
    out_dir : str or os.PathLike
        Output directory (created if missing).
    study_key : str, optional
        Which study of the store (needed when it holds several).

    Returns
    -------
    dict
        Paths: ``"games"`` and ``"aggregate"`` (CSV), ``"n{n}"`` per size and
        ``"gain"`` (PNG).

    Raises
    ------
    TypeError, ValueError
        If ``source`` is neither, or holds no games.
    """
    if isinstance(source, ResultStore):
        source = StudyResult.from_store(source, study_key)
    elif not isinstance(source, StudyResult):
        raise TypeError(f"source must be a StudyResult or a ResultStore; got {type(source).__name__}")
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a directory path; got {type(out_dir).__name__}")
    result = _check_result(source)
    written = result.to_csv(out_dir)
    directory = Path(out_dir)
    for n in sorted({a["n"] for a in result.aggregate}):
        written[f"n{n}"] = directory / f"se_vs_ne_{n}x{n}.png"
        size_figure(result, n).savefig(written[f"n{n}"], dpi=110)
    written["gain"] = directory / "se_minus_ne_gain.png"
    gain_figure(result).savefig(written["gain"], dpi=110)
    return written
