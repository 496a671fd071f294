"""Game models and catalogues: no solving here."""

from . import catalog
from .catalog import GAMES, describe, game_names, get_game
from .generators import covariance_game, random_game, random_integer_game, random_markov_game
from .io import JsonFormatError, NfgFormatError, load_game, read_json, read_nfg, save_game, write_json, write_nfg
from .escape_room import asymmetric_escape_room, escape_room
from .gridworld import gridworld, incentive_gridworld
from .incentive import (
    EXAMPLE1_STATIONARY_POINTS,
    IncentiveDesignProblem,
    example1_objective_closed_form,
    example1_problem,
    gridworld_problem,
)
from .markov import MDP, MarkovGame
from .markov_io import MarkovFormatError, load_markov_game, save_markov_game
from .markov_catalog import MARKOV_GAMES, describe_markov_game, get_markov_game, markov_game_names
from .markov_examples import biac_counterexample, biac_grid_game
from .normal_form import NormalFormGame
from .repeated import memory_one_game, repeated_game

__all__ = [
    "NormalFormGame",
    "MarkovGame",
    "MDP",
    "MarkovFormatError",
    "load_markov_game",
    "save_markov_game",
    "escape_room",
    "asymmetric_escape_room",
    "gridworld",
    "incentive_gridworld",
    "IncentiveDesignProblem",
    "EXAMPLE1_STATIONARY_POINTS",
    "example1_problem",
    "example1_objective_closed_form",
    "gridworld_problem",
    "biac_counterexample",
    "biac_grid_game",
    "MARKOV_GAMES",
    "describe_markov_game",
    "get_markov_game",
    "markov_game_names",
    "memory_one_game",
    "repeated_game",
    "catalog",
    "GAMES",
    "describe",
    "game_names",
    "get_game",
    "covariance_game",
    "random_game",
    "random_integer_game",
    "random_markov_game",
    "JsonFormatError",
    "NfgFormatError",
    "load_game",
    "read_json",
    "read_nfg",
    "save_game",
    "write_json",
    "write_nfg",
]
