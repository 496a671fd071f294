"""Studies, sweeps, the result store and plots: the experiments built on the games and solvers.

Every public name of the submodules is available here (and as ``stackelberg.<name>``), as in
:mod:`stackelberg.games` and :mod:`stackelberg.solvers`. The plotting functions are imported on first use
(PEP 562), so that ``import stackelberg`` does not load matplotlib.

Examples
--------
>>> import stackelberg.analysis as analysis
>>> analysis.cooperation_study.__module__
'stackelberg.analysis.cooperation_study'
>>> analysis.plot_study.__module__
'stackelberg.analysis.plots'
"""

from __future__ import annotations

from .cooperation import cooperation_level, pareto_compare
from .cooperation_study import (
    PAPER_RHOS,
    PAPER_SIZES,
    PAPER_TRIALS,
    ROW_FIELDS,
    StudyResult,
    aggregate_rows,
    cooperation_study,
    game_seed,
)
from .incentive_study import (
    EXAMPLE1_STARTS,
    GRIDWORLD_DEFAULTS,
    GRIDWORLD_PAPER_TABLE1,
    gridworld_initial_policies,
    run_example1,
    run_gridworld,
    run_gridworld_table,
)
from .lio_study import ConvergenceStudy, VectorField, cooperation_margin, lio_convergence_study, lio_vector_field
from .store import ResultStore, study_key
from .sweep import batches, default_workers, run_tasks

_PLOTS = ("plot_study", "size_figure", "gain_figure")

__all__ = [
    "cooperation_level",
    "pareto_compare",
    "cooperation_study",
    "StudyResult",
    "aggregate_rows",
    "game_seed",
    "PAPER_SIZES",
    "PAPER_TRIALS",
    "PAPER_RHOS",
    "ROW_FIELDS",
    "EXAMPLE1_STARTS",
    "GRIDWORLD_PAPER_TABLE1",
    "GRIDWORLD_DEFAULTS",
    "gridworld_initial_policies",
    "run_example1",
    "run_gridworld",
    "run_gridworld_table",
    "VectorField",
    "lio_vector_field",
    "ConvergenceStudy",
    "lio_convergence_study",
    "cooperation_margin",
    "ResultStore",
    "study_key",
    "run_tasks",
    "batches",
    "default_workers",
    *_PLOTS,
]


def __getattr__(name: str):
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
