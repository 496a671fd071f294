"""stackelberg: exact game-theoretic solvers for leader-follower games.

Users write ``import stackelberg as sb``; everything public is re-exported here.
Importing the package compiles nothing (numba kernels are imported lazily).
"""

from . import analysis as _analysis
from .analysis import __all__ as _analysis_names
from .games import (
    MDP,
    MarkovGame,
    NormalFormGame,
    biac_counterexample,
    biac_grid_game,
    EXAMPLE1_STATIONARY_POINTS,
    escape_room,
    example1_objective_closed_form,
    example1_problem,
    gridworld,
    gridworld_problem,
    incentive_gridworld,
    memory_one_game,
    repeated_game,
    catalog,
    covariance_game,
    get_game,
    get_markov_game,
    load_game,
    markov_game_names,
    load_markov_game,
    random_game,
    random_integer_game,
    random_markov_game,
    read_json,
    read_nfg,
    save_game,
    save_markov_game,
    write_json,
    write_nfg,
)
from .solvers import *  # noqa: F401,F403  (the solvers' __all__)
from .solvers import __all__ as _solver_names
from .games.coordination import (
    StackelbergMarkovGame,
    modified_navigation,
    multi_bonus_resource_collection,
    resource_collection,
)
from .solvers.coordination import __all__ as _coordination_names
from .solvers.coordination import *  # noqa: F401,F403  (expensive coordination: leader MDP, EBPG)

__version__ = "0.1.0"

# the analysis names, as ``from .analysis import *`` would bind them, except the plotting functions, which
# ``__getattr__`` below imports on first use (matplotlib)
globals().update({name: getattr(_analysis, name) for name in _analysis_names if name not in _analysis._PLOTS})

__all__ = [
    "NormalFormGame",
    "catalog",
    "covariance_game",
    "get_game",
    "get_markov_game",
    "markov_game_names",
    "load_game",
    "random_game",
    "random_integer_game",
    "random_markov_game",
    "read_json",
    "read_nfg",
    "save_game",
    "write_json",
    "write_nfg",
    "MDP",
    "MarkovGame",
    "biac_counterexample",
    "biac_grid_game",
    "escape_room",
    "gridworld",
    "incentive_gridworld",
    "EXAMPLE1_STATIONARY_POINTS",
    "example1_problem",
    "example1_objective_closed_form",
    "gridworld_problem",
    "load_markov_game",
    "save_markov_game",
    "memory_one_game",
    "repeated_game",
    *_solver_names,
    *_analysis_names,
    "StackelbergMarkovGame",
    "modified_navigation",
    "multi_bonus_resource_collection",
    "resource_collection",
    *_coordination_names,
    "__version__",
]


def __getattr__(name: str):
    """The plotting functions of :mod:`stackelberg.analysis`, imported on first use (matplotlib)."""
    if name in _analysis_names:
        return getattr(_analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
