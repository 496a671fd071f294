"""stackelberg: exact game-theoretic solvers for leader-follower games.

Users write ``import stackelberg as sb``; everything public is re-exported here.
Importing the package compiles nothing (numba kernels are imported lazily).
"""

from .analysis.cooperation import cooperation_level, pareto_compare
from .games import (
    MDP,
    MarkovGame,
    NormalFormGame,
    biac_counterexample,
    biac_grid_game,
    escape_room,
    gridworld,
    incentive_gridworld,
    memory_one_game,
    repeated_game,
    catalog,
    covariance_game,
    get_game,
    load_game,
    load_markov_game,
    random_game,
    random_integer_game,
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

__all__ = [
    "NormalFormGame",
    "catalog",
    "covariance_game",
    "get_game",
    "load_game",
    "random_game",
    "random_integer_game",
    "read_json",
    "read_nfg",
    "save_game",
    "write_json",
    "write_nfg",
    "cooperation_level",
    "pareto_compare",
    "MDP",
    "MarkovGame",
    "biac_counterexample",
    "biac_grid_game",
    "escape_room",
    "gridworld",
    "incentive_gridworld",
    "load_markov_game",
    "save_markov_game",
    "memory_one_game",
    "repeated_game",
    *_solver_names,
    "StackelbergMarkovGame",
    "modified_navigation",
    "multi_bonus_resource_collection",
    "resource_collection",
    *_coordination_names,
    "__version__",
]
