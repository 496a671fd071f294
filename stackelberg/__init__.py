"""stackelberg: exact game-theoretic solvers for leader-follower games.

Users write ``import stackelberg as sb``; everything public is re-exported here.
Importing the package compiles nothing (numba kernels are imported lazily).
"""

from .analysis.cooperation import cooperation_level, pareto_compare
from .games import (
    NormalFormGame,
    catalog,
    covariance_game,
    get_game,
    load_game,
    random_game,
    random_integer_game,
    read_json,
    read_nfg,
    save_game,
    write_json,
    write_nfg,
)

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
    "__version__",
]
