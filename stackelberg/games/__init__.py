"""Game models and catalogues: no solving here."""

from .normal_form import NormalFormGame

__all__ = ["NormalFormGame"]
