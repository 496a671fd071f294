"""Studies, sweeps, the result store and plots: the experiments built on the games and solvers.

Every public name of the submodules (their ``__all__``) is available here (and as ``stackelberg.<name>``), as in
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

from . import cooperation as _cooperation
from . import cooperation_study as _cooperation_study
from . import incentive_study as _incentive_study
from . import lio_study as _lio_study
from . import store as _store
from . import sweep as _sweep
from .cooperation import *  # noqa: F401,F403
from .cooperation_study import *  # noqa: F401,F403  (binds the function cooperation_study over the module name)
from .incentive_study import *  # noqa: F401,F403
from .lio_study import *  # noqa: F401,F403
from .store import *  # noqa: F401,F403
from .sweep import *  # noqa: F401,F403

#: The names of :mod:`.plots`, whose import loads matplotlib.
_PLOTS = ("plot_study", "size_figure", "gain_figure")

__all__ = [
    name
    for module in (_cooperation, _cooperation_study, _incentive_study, _lio_study, _store, _sweep)
    for name in module.__all__
] + list(_PLOTS)


def __getattr__(name: str):
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
