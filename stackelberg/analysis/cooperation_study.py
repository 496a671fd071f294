r"""The SE-vs-NE cooperation-level study of Zhang et al. (2020), Fig. 2 and supplementary Figs 8-12.

For each size :math:`n`, covariance :math:`\rho \in [-1, 1]` and trial :math:`t`,
draw an :math:`n \times n` bimatrix game whose cells
:math:`(A_{ij}, B_{ij})` are independent bivariate normals with zero means, unit
variances and covariance :math:`\rho` (:func:`~stackelberg.games.generators.covariance_game`),
and record

- its cooperation level (Eq. 6): the Pearson correlation of :math:`A` and :math:`B`
  over the cells (the deterministic joint policies of a one-state game);
- the leader's (row player's) and follower's payoff at the Stackelberg
  equilibrium (SE) with the row player leading;
- the number of Nash equilibria (NE) and the *average NE*: the leader's and the
  follower's payoff averaged over all NE of the game (the paper's comparison point);
- whether the SE Pareto-dominates the average NE, and whether it is at least as
  good for both players.

Two variants (``equilibria=``):

``"pure"``
    pure-commitment SE (:math:`\max_i \max_{j \in BR(i)} A_{ij}` under
    ``tie_break="strong"``, :math:`\max_i \min_{j \in BR(i)} A_{ij}` under
    ``"weak"``, with :math:`BR(i) = \arg\max_j B_{ij}`) and pure NE (cells that
    are a best response for both players). Computed by a vectorised numpy
    routine on each game's arrays (the test-suite checks it against
    :func:`~stackelberg.solvers.matrix.stackelberg.stackelberg_equilibria` and
    :func:`~stackelberg.solvers.matrix.nash.pure_nash_equilibria`); the whole study at
    the paper's trial counts (about 100 000 games on 21 rhos) took 20 s on 2 cores. A game may have no pure NE: it
    then records ``ne_count = 0`` and NaN average-NE payoffs.
``"mixed"``
    mixed-commitment strong (or weak) SE from
    :func:`~stackelberg.solvers.matrix.stackelberg.stackelberg_equilibria` and all
    extreme NE from :func:`~stackelberg.solvers.matrix.nash.nash_equilibria`; every
    game has one. Where the solver returns several SE (leader ties: probability
    zero for these continuous games) the first one is recorded. Exact
    enumeration: practical for small sizes only.

Seeds. Game ``(n, rho, t)`` of a study with seed ``s`` is drawn with seed
:func:`game_seed` ``(s, n, rho, t)`` (a :class:`numpy.random.SeedSequence` with
spawn key ``(n, rho in millionths, t)``), stored in each row: rows do not depend
on the order, the batching or the machine that computed them, and any game can
be regenerated from its row. ``rho`` is rounded to 6 decimals.

Aggregation (:func:`aggregate_rows`) per ``(n, rho)``: means with 95% confidence
intervals from the normal approximation, ``mean +- 1.96 s / sqrt(k)`` with the
sample standard deviation ``s`` (ddof 1) of the ``k`` values (the Wald interval
for fractions; NaN when ``k < 2``). SE payoffs, cooperation level, NE count and
the fraction of games with a pure NE average over all games; average-NE payoffs
and the Pareto fractions over the games that have a NE (``games_with_ne`` of
``games``). As the alternative, ``se_*_paired`` averages the SE over the same
games that have a NE, and ``gain_*`` is the paired difference SE minus average
NE over those games.

References
----------
H. Zhang, W. Chen, Z. Huang, M. Li, Y. Yang, W. Zhang, J. Wang. Bi-level
Actor-Critic for Multi-agent Coordination. AAAI 2020, section "Stackelberg
Equilibrium vs. Nash equilibrium", Eq. 6, Fig. 2, supplementary Figs 8-12.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Mapping, Sequence

import numpy as np

from .._validation import check_choice, check_flag, check_positive_int
from ..errors import ProblemTooLargeError
from .store import ResultStore, study_key
from .sweep import batches, run_tasks

__all__ = [
    "cooperation_study",
    "StudyResult",
    "aggregate_rows",
    "game_seed",
    "PAPER_SIZES",
    "PAPER_TRIALS",
    "PAPER_RHOS",
    "ROW_FIELDS",
]

#: Default ``max_games`` of :func:`cooperation_study`: rows are held in memory (about 1 KB per game).
MAX_GAMES = 1_000_000

PAPER_TRIALS = {5: 2000, 10: 2000, 20: 500, 50: 200, 100: 100}
"""Trials per size in the paper (Fig. 2: 10x10, 2000 trials; Figs 8-12)."""
PAPER_SIZES = tuple(PAPER_TRIALS)
PAPER_RHOS = tuple(round(-1 + 0.1 * k, 1) for k in range(21))
"""Covariances -1, -0.9, ..., 1 (the figures' exact axis is not in the text)."""

ROW_FIELDS = (
    "n", "rho", "trial", "game_seed", "cooperation_level", "se_leader", "se_follower", "ne_count",
    "ne_leader", "ne_follower", "pure_ne_exists", "se_vs_avg_ne", "se_dominates", "se_weakly_better", "seconds",
)  # fmt: skip
"""Columns of the per-game table; ``seconds`` (wall time per game) is the only non-reproducible one."""

KEY_FIELDS = ("n", "rho", "trial", "game_seed")
_TOL = 1e-9
_RHO_DECIMALS = 6
_CELLS_PER_TASK = {"pure": 50_000, "mixed": 200}
_MAX_GAMES_PER_TASK = 500
_Z95 = NormalDist().inv_cdf(0.975)


# ---------------------------------------------------------------------------- seeds
def game_seed(seed: int, n: int, rho: float, trial: int) -> int:
    """The seed of game ``(n, rho, trial)`` of a study seeded with ``seed``.

    Parameters
    ----------
    seed : int
        The study's seed (>= 0).
    n : int
        The game's size (>= 1).
    rho : float
        The covariance, in [-1, 1] (rounded to 6 decimals).
    trial : int
        The trial index (>= 0).

    Returns
    -------
    int
        A seed in ``[0, 2**63)`` for :func:`~stackelberg.games.generators.covariance_game`.

    Raises
    ------
    TypeError, ValueError
        If an argument is out of range.

    Examples
    --------
    >>> game_seed(0, 5, 0.5, 3) == game_seed(0, 5, 0.5000000001, 3)
    True
    >>> game_seed(0, 5, 0.5, 3) != game_seed(0, 5, 0.5, 4)
    True
    """
    seed = check_positive_int("seed", seed, minimum=0)
    n = check_positive_int("n", n)
    trial = check_positive_int("trial", trial, minimum=0)
    return _game_seed(seed, n, _check_rho("rho", rho), trial)


def _game_seed(seed: int, n: int, rho: float, trial: int) -> int:
    sequence = np.random.SeedSequence(seed, spawn_key=(n, _rho_key(rho), trial))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


def _rho_key(rho: float) -> int:
    return int(round(rho * 10**_RHO_DECIMALS)) + 10**_RHO_DECIMALS


def _check_rho(name: str, rho) -> float:
    if isinstance(rho, (bool, np.bool_)) or not isinstance(rho, numbers.Real):
        raise TypeError(f"{name} must be a real number in [-1, 1]; got {rho!r}")
    value = float(rho)
    if not -1.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a covariance in [-1, 1]; got {rho!r}")
    return round(value, _RHO_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


# ---------------------------------------------------------------------------- one game
def _pure_outcome(A: np.ndarray, B: np.ndarray, tie_break: str):
    """``(se_leader, se_follower, ne_count, ne_leader, ne_follower, pure_ne_exists)`` of pure SE and pure NE.

    Ties within the tolerance: the first leader action of highest value, then the
    follower's first best response of highest (strong) or lowest (weak) leader payoff.
    """
    follower_best = B >= B.max(axis=1, keepdims=True) - _TOL  # follower best responses BR(i), row by row
    nash = follower_best & (A >= A.max(axis=0, keepdims=True) - _TOL)
    count = int(nash.sum())
    ne_leader = float(A[nash].mean()) if count else math.nan
    ne_follower = float(B[nash].mean()) if count else math.nan
    if tie_break == "strong":  # the follower breaks ties in the leader's favour
        induced = np.where(follower_best, A, -np.inf)
        row = int(np.argmax(induced.max(axis=1)))
        column = int(np.argmax(induced[row]))
    else:  # ... against the leader
        induced = np.where(follower_best, A, np.inf)
        row = int(np.argmax(induced.min(axis=1)))
        column = int(np.argmin(induced[row]))
    return float(A[row, column]), float(B[row, column]), count, ne_leader, ne_follower, count > 0


def _mixed_outcome(game, tie_break: str):
    """The same quantities for the mixed-commitment SE and all extreme NE."""
    from ..solvers.matrix.nash import nash_equilibria
    from ..solvers.matrix.stackelberg import stackelberg_equilibria

    solution = stackelberg_equilibria(game, leader=0, commitment="mixed", tie_break=tie_break)[0]
    equilibria = nash_equilibria(game)
    count = len(equilibria)
    ne_leader = float(np.mean([float(eq.payoffs[0]) for eq in equilibria]))
    ne_follower = float(np.mean([float(eq.payoffs[1]) for eq in equilibria]))
    pure_exists = any(eq.is_pure for eq in equilibria)
    return float(solution.leader_value), float(solution.follower_value), count, ne_leader, ne_follower, pure_exists


def _solve_batch(task: dict) -> list[dict]:
    """Draw and solve the games of one task: ``{"n", "rho", "equilibria", "tie_break", "games": [(trial, seed)]}``."""
    from ..games.generators import covariance_game
    from .cooperation import cooperation_level, pareto_compare

    n, rho, tie_break = task["n"], task["rho"], task["tie_break"]
    records = []
    for trial, seed in task["games"]:
        start = time.perf_counter()
        game = covariance_game(n, rho, seed=seed)
        if task["equilibria"] == "pure":
            A, B = game.payoffs
            outcome = _pure_outcome(A, B, tie_break)
        else:
            outcome = _mixed_outcome(game, tie_break)
        se_leader, se_follower, count, ne_leader, ne_follower, pure_exists = outcome
        if count:
            comparison = pareto_compare((se_leader, se_follower), (ne_leader, ne_follower), tol=_TOL)
            weakly_better = se_leader >= ne_leader - _TOL and se_follower >= ne_follower - _TOL
        else:
            comparison, weakly_better = None, None
        records.append(
            {
                "n": n,
                "rho": rho,
                "trial": trial,
                "game_seed": seed,
                "cooperation_level": float(cooperation_level(game)),
                "se_leader": se_leader,
                "se_follower": se_follower,
                "ne_count": count,
                "ne_leader": ne_leader,
                "ne_follower": ne_follower,
                "pure_ne_exists": bool(pure_exists),
                "se_vs_avg_ne": comparison,
                "se_dominates": None if comparison is None else comparison == "dominates",
                "se_weakly_better": weakly_better,
                "seconds": time.perf_counter() - start,
            }
        )
    return records


# ---------------------------------------------------------------------------- aggregation
def _mean_ci(values) -> tuple[float, float, float]:
    data = np.array([float(v) for v in values if v is not None], dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(data.mean())
    if data.size < 2:
        return mean, math.nan, math.nan
    half = _Z95 * float(data.std(ddof=1)) / math.sqrt(data.size)
    return mean, mean - half, mean + half


def aggregate_rows(rows: Sequence[Mapping]) -> list[dict]:
    """Per ``(n, rho)`` means and 95% normal-approximation confidence intervals.

    Parameters
    ----------
    rows : sequence of dict
        Per-game rows with the fields of :data:`ROW_FIELDS` (``seconds`` optional).

    Returns
    -------
    list of dict
        One dict per ``(n, rho)`` in order of first appearance, with ``n``,
        ``rho``, ``games``, ``games_with_ne``, ``games_without_ne``,
        ``seconds_mean`` and, for each quantity ``q`` below, ``q_mean``,
        ``q_ci_low``, ``q_ci_high``:

        - over all games: ``cooperation_level``, ``se_leader``, ``se_follower``,
          ``ne_count``, ``pure_ne_fraction``;
        - over the games with a NE: ``ne_leader``, ``ne_follower`` (the average
          NE), ``se_leader_paired``, ``se_follower_paired`` (the SE on the same
          games), ``gain_leader``, ``gain_follower`` (SE minus average NE),
          ``se_dominates_fraction`` (SE Pareto-dominates the average NE) and
          ``se_weakly_better_fraction`` (SE at least as good for both).

    Raises
    ------
    TypeError
        If ``rows`` is not a sequence of mappings.
    ValueError
        If a row lacks a field.

    Examples
    --------
    >>> row = dict(n=2, rho=1.0, cooperation_level=1.0, se_leader=2.0, se_follower=2.0, ne_count=2,
    ...            ne_leader=1.5, ne_follower=1.5, pure_ne_exists=True, se_dominates=True, se_weakly_better=True)
    >>> summary = aggregate_rows([row, dict(row, se_leader=4.0, se_follower=4.0)])
    >>> summary[0]["games"], summary[0]["se_leader_mean"], summary[0]["gain_leader_mean"]
    (2, 3.0, 1.5)
    """
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise TypeError(f"rows must be a sequence of dicts; got {type(rows).__name__}")
    needed = [f for f in ROW_FIELDS if f not in ("trial", "game_seed", "se_vs_avg_ne", "seconds")]
    groups: dict[tuple, list] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"rows[{index}] must be a dict; got {type(row).__name__}")
        missing = [f for f in needed if f not in row]
        if missing:
            raise ValueError(f"rows[{index}] lacks the fields {missing}")
        groups.setdefault((row["n"], row["rho"]), []).append(row)
    summary = []
    for (n, rho), group in groups.items():
        with_ne = [r for r in group if r["ne_count"] > 0]
        entry = {
            "n": n,
            "rho": rho,
            "games": len(group),
            "games_with_ne": len(with_ne),
            "games_without_ne": len(group) - len(with_ne),
            "seconds_mean": _mean_ci(r.get("seconds") for r in group)[0],
        }
        quantities = {
            "cooperation_level": [r["cooperation_level"] for r in group],
            "se_leader": [r["se_leader"] for r in group],
            "se_follower": [r["se_follower"] for r in group],
            "ne_leader": [r["ne_leader"] for r in with_ne],
            "ne_follower": [r["ne_follower"] for r in with_ne],
            "se_leader_paired": [r["se_leader"] for r in with_ne],
            "se_follower_paired": [r["se_follower"] for r in with_ne],
            "gain_leader": [r["se_leader"] - r["ne_leader"] for r in with_ne],
            "gain_follower": [r["se_follower"] - r["ne_follower"] for r in with_ne],
            "ne_count": [r["ne_count"] for r in group],
            "pure_ne_fraction": [r["pure_ne_exists"] for r in group],
            "se_dominates_fraction": [r["se_dominates"] for r in with_ne],
            "se_weakly_better_fraction": [r["se_weakly_better"] for r in with_ne],
        }
        for name, values in quantities.items():
            entry[f"{name}_mean"], entry[f"{name}_ci_low"], entry[f"{name}_ci_high"] = _mean_ci(values)
        summary.append(entry)
    return summary


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True)
class StudyResult:
    """The per-game table and its aggregate, as plain data.

    Attributes
    ----------
    parameters : dict
        ``equilibria``, ``tie_break``, ``seed`` and the requested ``sizes``,
        ``rhos`` and ``trials`` (a dict size -> count).
    study_key : str
        The study's key in a :class:`~stackelberg.analysis.store.ResultStore`.
    rows : list of dict
        One dict per game (fields :data:`ROW_FIELDS`), sorted by size, rho, trial.
    aggregate : list of dict
        :func:`aggregate_rows` of ``rows``.
    """

    parameters: dict
    study_key: str
    rows: list
    aggregate: list

    def column(self, name: str, table: str = "rows") -> np.ndarray:
        """One column of ``rows`` or ``aggregate`` as a numpy array (None becomes NaN).

        Examples
        --------
        >>> StudyResult({}, "k", [{"n": 5, "rho": 0.5}], []).column("rho")
        array([0.5])
        """
        source = {"rows": self.rows, "aggregate": self.aggregate}.get(table)
        if source is None:
            raise ValueError(f"table must be 'rows' or 'aggregate'; got {table!r}")
        if source and name not in source[0]:
            raise KeyError(f"{name!r} is not a column of {table}; columns: {list(source[0])}")
        values = [math.nan if r[name] is None else r[name] for r in source]
        return np.array(values, dtype=object if any(isinstance(v, str) for v in values) else float)

    def to_csv(self, path) -> dict[str, Path]:
        """Write ``games.csv`` (per game) and ``aggregate.csv`` into the directory ``path``.

        Returns
        -------
        dict
            ``{"games": Path, "aggregate": Path}``.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a directory path; got {type(path).__name__}")
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, table, fields in (
            ("games", self.rows, list(ROW_FIELDS)),
            ("aggregate", self.aggregate, list(self.aggregate[0]) if self.aggregate else ["n", "rho"]),
        ):
            written[name] = directory / f"{name}.csv"
            with open(written[name], "w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
                writer.writeheader()
                writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in table)
        return written

    @classmethod
    def from_store(cls, store: ResultStore, study_key: str | None = None) -> "StudyResult":
        """Every game a store holds for one cooperation study (the only one when ``study_key`` is None)."""
        if not isinstance(store, ResultStore):
            raise TypeError(f"store must be a ResultStore; got {type(store).__name__}")
        if study_key is None:
            keys = [s["study_key"] for s in store.studies() if s["parameters"].get("study") == _STUDY]
            if len(keys) != 1:
                raise ValueError(f"study_key must name one of the store's cooperation studies {keys}")
            study_key = keys[0]
        parameters = store.parameters(study_key)
        if parameters.get("study") != _STUDY:
            raise ValueError(f"study_key {study_key!r} is not a cooperation study; its parameters are {parameters}")
        rows = sorted(store.rows(study_key), key=lambda r: (r["n"], r["rho"], r["trial"]))
        sizes = sorted({r["n"] for r in rows})
        trials = {n: 1 + max(r["trial"] for r in rows if r["n"] == n) for n in sizes}
        described = dict(parameters, sizes=sizes, rhos=sorted({r["rho"] for r in rows}), trials=trials)
        return cls(described, study_key, rows, aggregate_rows(rows))


# ---------------------------------------------------------------------------- the study
_STUDY = "se_vs_ne_cooperation"


def _check_sizes(sizes) -> list[int]:
    if isinstance(sizes, (numbers.Integral, str)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise TypeError(f"sizes must be a sequence of game sizes; got {sizes!r}")
    checked = [check_positive_int(f"sizes[{k}]", n, minimum=2) for k, n in enumerate(sizes)]
    if not checked:
        raise ValueError("sizes must hold at least one game size; got none")
    if len(set(checked)) != len(checked):
        raise ValueError(f"sizes must not repeat a size; got {checked}")
    return checked


def _check_rhos(rhos) -> list[float]:
    if isinstance(rhos, (numbers.Real, str)) or not isinstance(rhos, (Sequence, np.ndarray)):
        raise TypeError(f"rhos must be a sequence of covariances in [-1, 1]; got {rhos!r}")
    checked = [_check_rho(f"rhos[{k}]", rho) for k, rho in enumerate(rhos)]
    if not checked:
        raise ValueError("rhos must hold at least one covariance; got none")
    if len(set(checked)) != len(checked):
        raise ValueError(f"rhos must be distinct (at 6 decimals); got {checked}")
    return checked


def _check_trials(trials, sizes: list[int]) -> dict[int, int]:
    if isinstance(trials, str):
        if trials != "paper":
            raise ValueError(f"trials must be a positive int, 'paper' or a dict size -> count; got {trials!r}")
        unknown = [n for n in sizes if n not in PAPER_TRIALS]
        if unknown:
            raise ValueError(f"trials='paper' covers sizes {list(PAPER_TRIALS)} only; sizes has {unknown}")
        return {n: PAPER_TRIALS[n] for n in sizes}
    if isinstance(trials, Mapping):
        missing = [n for n in sizes if n not in trials]
        if missing:
            raise ValueError(f"trials must give a count for every size; it lacks {missing}")
        return {n: check_positive_int(f"trials[{n}]", trials[n]) for n in sizes}
    if isinstance(trials, (bool, np.bool_)) or not isinstance(trials, numbers.Integral):
        raise TypeError(f"trials must be a positive int, 'paper' or a dict size -> count; got {trials!r}")
    count = check_positive_int("trials", trials)
    return {n: count for n in sizes}


def cooperation_study(
    sizes,
    rhos,
    trials,
    seed: int,
    equilibria: str = "pure",
    tie_break: str = "strong",
    workers: int | None = None,
    scheduler=None,
    store=None,
    progress: bool = True,
    max_games: int = MAX_GAMES,
) -> StudyResult:
    """Compare the SE with the average NE of random games across cooperation levels.

    Parameters
    ----------
    sizes : sequence of int
        Game sizes ``n >= 2`` (``n x n`` games; a 1x1 game has no cooperation level).
    rhos : sequence of float
        Covariances in [-1, 1] (see :data:`PAPER_RHOS`).
    trials : int or "paper" or dict
        Games per ``(n, rho)``: one count, the paper's counts
        (:data:`PAPER_TRIALS`), or a dict size -> count.
    seed : int
        The study's seed (>= 0); with it every row is reproducible.
    equilibria : {"pure", "mixed"}
        Pure SE and pure NE, or mixed-commitment SE and all extreme NE.
    tie_break : {"strong", "weak"}
        How the follower breaks ties in the SE.
    workers : int, optional
        Local worker processes (default: all usable cores; ``1``: in-process).
    scheduler : str or distributed.Client or cluster, optional
        Run on a Dask cluster instead (see :func:`~stackelberg.analysis.sweep.run_tasks`).
    store : ResultStore or path, optional
        Where each batch of games is committed as it completes. Games already
        stored for this study (same seed, variant and tie-break) are skipped,
        so a killed study continues where it stopped; growing ``trials`` or
        adding sizes/rhos reuses the stored games.
    progress : bool
        Show a progress bar (games done, rate, time left).
    max_games : int, default 1_000_000
        The most games (sizes x rhos x trials) one call may hold: every row is kept in memory (about 1 KB per
        game) and returned, so the count is checked before anything is solved. The paper's study is about
        100,000 games.

    Returns
    -------
    StudyResult

    Raises
    ------
    TypeError, ValueError
        On bad arguments (naming the argument).
    ProblemTooLargeError
        (``limit="max_games"``) if the study has more than ``max_games`` games.
    StoreFormatError
        If ``store`` is a path to a file that is not a usable result store (see
        :class:`~stackelberg.analysis.store.ResultStore`).
    ConnectionError
        If ``scheduler`` cannot be reached.

    Examples
    --------
    >>> result = cooperation_study([3], [-1.0, 1.0], 4, seed=7, workers=1, progress=False)
    >>> [(a["rho"], a["games"]) for a in result.aggregate]
    [(-1.0, 4), (1.0, 4)]
    >>> all(abs(r["se_leader"] + r["se_follower"]) < 1e-12 for r in result.rows if r["rho"] == -1)  # zero-sum
    True
    """
    sizes = _check_sizes(sizes)
    rhos = _check_rhos(rhos)
    counts = _check_trials(trials, sizes)
    seed = check_positive_int("seed", seed, minimum=0)
    check_choice("equilibria", equilibria, ("pure", "mixed"))
    check_choice("tie_break", tie_break, ("strong", "weak"))
    check_flag("progress", progress)
    max_games = check_positive_int("max_games", max_games)
    total = sum(counts.values()) * len(rhos)
    if total > max_games:
        raise ProblemTooLargeError(
            f"the study has {total} games ({len(sizes)} sizes x {len(rhos)} rhos x trials), more than "
            f"max_games={max_games} (about {max(1, total // 1000)} MB of rows held in memory); run it in parts "
            "into one store, or raise max_games",
            limit="max_games",
        )
    owned = isinstance(store, (str, os.PathLike))
    if owned:
        store = ResultStore(store)
    elif store is not None and not isinstance(store, ResultStore):
        raise TypeError(f"store must be a ResultStore or a database path; got {type(store).__name__}")
    try:
        parameters = {"study": _STUDY, "version": 1, "equilibria": equilibria, "tie_break": tie_break, "seed": seed, "tol": _TOL}
        key = store.register(parameters, KEY_FIELDS) if store is not None else study_key(parameters)
        stored = store.keys(key) if store is not None else set()
        wanted, tasks = set(), []
        for n in sizes:
            per_task = max(1, min(_MAX_GAMES_PER_TASK, _CELLS_PER_TASK[equilibria] // (n * n)))
            for rho in rhos:
                games = [(t, _game_seed(seed, n, rho, t)) for t in range(counts[n])]
                wanted.update((n, rho, t, s) for t, s in games)
                missing = [(t, s) for t, s in games if (n, rho, t, s) not in stored]
                tasks += [
                    {"n": n, "rho": rho, "equilibria": equilibria, "tie_break": tie_break, "games": batch}
                    for batch in batches(missing, per_task)
                ]
        results = run_tasks(
            _solve_batch,
            tasks,
            workers=workers,
            scheduler=scheduler,
            store=store,
            study_key=key if store is not None else None,
            weights=[len(task["games"]) for task in tasks],
            progress=progress,
            description=f"SE vs NE ({equilibria})",
            unit="game",
        )
        if store is not None:
            rows = [r for r in store.rows(key) if tuple(r[f] for f in KEY_FIELDS) in wanted]
        else:
            rows = [record for batch in results for record in batch]
    finally:
        if owned:
            store.close()
    order = {(n, rho): (i, j) for i, n in enumerate(sizes) for j, rho in enumerate(rhos)}
    rows.sort(key=lambda r: (order[r["n"], r["rho"]], r["trial"]))
    described = dict(parameters, sizes=sizes, rhos=rhos, trials=counts)
    return StudyResult(described, key, rows, aggregate_rows(rows))
