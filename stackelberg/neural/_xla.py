"""XLA settings the neural learners need, applied before JAX starts its CPU backend.

XLA's CPU runtime (jax 0.10.2) can deadlock when it runs a program scheduled by its concurrency-optimized
scheduler: every thread waits and the call never returns, using no CPU. It is deterministic for a given program
and batch: on a 2-core machine, initialising six or more EBPG leaders in one ``jit(vmap(...))`` program
(:func:`stackelberg.neural.ebpg.train_ebpg_leaders` with six runs) hung every time, while one to five did not;
``--xla_cpu_multi_thread_eigen=false``, the legacy runtime flag and disabling XNNPACK did not help, and
``--xla_cpu_enable_concurrency_optimized_scheduler=false`` did (the regression test is
``tests/neural/test_xla.py``). Importing :mod:`stackelberg.neural` therefore adds that flag to ``XLA_FLAGS``
unless the user's ``XLA_FLAGS`` already say something about the scheduler. XLA reads ``XLA_FLAGS`` once, when
the backend starts: if JAX has already computed something in this process the flag cannot take effect, and a
:class:`RuntimeWarning` says how to set it.

Examples
--------
>>> env = {"XLA_FLAGS": "--xla_backend_optimization_level=0"}
>>> apply_xla_workarounds(env, backend_started=False)
True
>>> env["XLA_FLAGS"]
'--xla_backend_optimization_level=0 --xla_cpu_enable_concurrency_optimized_scheduler=false'
>>> apply_xla_workarounds(env, backend_started=False)   # already there (or the user's own choice): kept
False
"""

from __future__ import annotations

import os
import warnings

__all__ = ["SCHEDULER_FLAG", "apply_xla_workarounds"]

#: The XLA flag that avoids the CPU runtime's deadlock.
SCHEDULER_FLAG = "--xla_cpu_enable_concurrency_optimized_scheduler=false"


def _backend_started() -> bool:
    """Whether JAX has started a backend in this process (XLA has then read ``XLA_FLAGS`` already)."""
    try:
        from jax._src import xla_bridge
    except ImportError:  # pragma: no cover - a jax without the module: assume the worst, only a warning follows
        return True
    return bool(xla_bridge.backends_are_initialized())


def apply_xla_workarounds(environ=None, *, backend_started: bool | None = None) -> bool:
    """Add :data:`SCHEDULER_FLAG` to ``environ["XLA_FLAGS"]`` (default: the process environment).

    Parameters
    ----------
    environ : mutable mapping, optional
        The environment to change (default ``os.environ``).
    backend_started : bool, optional
        Whether JAX's backend has started (default: asked from JAX).

    Returns
    -------
    bool
        True if the flag was added, False if ``XLA_FLAGS`` already names the scheduler or the backend has started
        (then with a :class:`RuntimeWarning`).
    """
    environ = os.environ if environ is None else environ
    flags = environ.get("XLA_FLAGS", "")
    if "xla_cpu_enable_concurrency_optimized_scheduler" in flags:
        return False
    if _backend_started() if backend_started is None else backend_started:
        warnings.warn(
            "JAX computed something before stackelberg.neural was imported, so XLA cannot be told "
            f"{SCHEDULER_FLAG} (XLA's CPU runtime can otherwise hang on some vectorised programs); set "
            f'XLA_FLAGS="{SCHEDULER_FLAG}" in the environment, or import stackelberg.neural first',
            RuntimeWarning, stacklevel=3)
        return False
    environ["XLA_FLAGS"] = f"{flags} {SCHEDULER_FLAG}".strip()
    return True
