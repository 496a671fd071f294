"""gymnasium registration of the environments (idempotent; run when :mod:`stackelberg.highway` is imported)."""

from __future__ import annotations

import gymnasium

__all__ = ["ENV_IDS", "register_environments"]

_ENTRY = {
    "two": "stackelberg.highway.two_vehicle_merge:TwoVehicleMergeEnv",
    "ramp": "stackelberg.highway.on_ramp_merge:OnRampMergeEnv",
}

#: Every registered id, its entry point and the constructor arguments it presets.
ENV_IDS = {
    "stackelberg/TwoVehicleMerge-v0": (_ENTRY["two"], {}),
    "stackelberg/OnRampMerge-v0": (_ENTRY["ramp"], {}),
    "stackelberg/OnRampMerge-easy-v0": (_ENTRY["ramp"], {"density": "easy"}),
    "stackelberg/OnRampMerge-medium-v0": (_ENTRY["ramp"], {"density": "medium"}),
    "stackelberg/OnRampMerge-hard-v0": (_ENTRY["ramp"], {"density": "hard"}),
}


def register_environments() -> None:
    """Register every id of :data:`ENV_IDS` with gymnasium (already registered ids are left alone).

    The environments return per-agent reward arrays and tuples of observations, so gymnasium's passive
    single-agent checker is disabled for them.

    Examples
    --------
    >>> import gymnasium
    >>> register_environments()
    >>> "stackelberg/TwoVehicleMerge-v0" in gymnasium.registry
    True
    """
    for env_id, (entry_point, kwargs) in ENV_IDS.items():
        if env_id in gymnasium.registry:
            continue
        gymnasium.register(id=env_id, entry_point=entry_point, kwargs=dict(kwargs), disable_env_checker=True)
