"""Game models and catalogues: no solving here."""

from . import catalog
from .catalog import GAMES, describe, game_names, get_game
from .generators import covariance_game, random_game, random_integer_game
from .io import JsonFormatError, NfgFormatError, load_game, read_json, read_nfg, save_game, write_json, write_nfg
from .normal_form import NormalFormGame

__all__ = [
    "NormalFormGame",
    "catalog",
    "GAMES",
    "describe",
    "game_names",
    "get_game",
    "covariance_game",
    "random_game",
    "random_integer_game",
    "JsonFormatError",
    "NfgFormatError",
    "load_game",
    "read_json",
    "read_nfg",
    "save_game",
    "write_json",
    "write_nfg",
]
