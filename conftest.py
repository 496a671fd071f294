"""Settings for the whole test run (tests and doctests), loaded before any test module imports JAX.

The neural tests' time is mostly XLA compiling tiny programs, not running them: compiling them without LLVM's
expensive optimisation passes halves the neural tests' CPU time (measured: 88 s -> 45 s for test_ebpg + test_step)
and changes no semantics. Only the test run uses it; figures, benchmarks and users get XLA's defaults. A caller's
own ``XLA_FLAGS`` are kept.
"""

import os
import shutil
import tempfile

import pytest

os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true")

# One JAX compilation cache on disk for the whole test run, shared by the xdist workers (they inherit the
# controller's environment): tests that build the same program from fresh closures (determinism checks, the CLI
# and the library on the same game) compile it once. Created here, removed when the run ends; a caller's own
# cache directory is used as it is and kept.
_JAX_CACHE = None
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    _JAX_CACHE = tempfile.mkdtemp(prefix="stackelberg-tests-jax-cache-")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _JAX_CACHE
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")

# Tests that compile the same JAX program or numba kernel run in one xdist worker (``--dist loadgroup`` in
# pyproject's addopts): it is then compiled once per test run instead of once in each worker at the same time
# (on a fresh clone numba's cache is empty: the equilibrium-Q kernel took 50 s in both workers). Node-id prefixes.
SHARED_PROGRAMS = {
    # the EBPG tests' fixture, the figure's quick run and train_ebpg_leaders' example train one program
    "ebpg": ("stackelberg/neural/ebpg.py::", "tests/neural/test_ebpg.py::",
             "tests/figures/test_neural_figures.py::test_ebpg_neural_leader_quick_run"),
    # `stackelberg train bi-ac escape --seeds 4 --steps 2000`: the CLI test and the README's command
    "bi-ac escape": ("tests/cli/test_train.py::test_train_bi_ac_on_escape",
                     "tests/cli/test_readme.py::test_readme_command_runs[train bi-ac escape --seeds 4 --steps 2000"),
    # numba: Nash-Q / minimax-Q's equilibrium kernel; the cooperation study's mixed-commitment kernels
    "equilibrium-q kernel": ("tests/solvers/learning/test_equilibrium_q.py::",
                             "stackelberg/solvers/learning/equilibrium_q.py::",
                             "stackelberg/solvers/kernels/learning.py::"),
    "cooperation study": ("tests/analysis/test_cooperation_study.py::",),
    # modules whose module-scoped fixture trains a program that several of their tests read
    "neural train": ("tests/neural/test_train.py::",),
    "neural step": ("tests/neural/test_step.py::",),
    "neural ppo": ("tests/neural/test_ppo.py::",),
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for group, prefixes in SHARED_PROGRAMS.items():
            if item.nodeid.startswith(prefixes):
                item.add_marker(pytest.mark.xdist_group(group))


def pytest_unconfigure(config):
    if _JAX_CACHE is not None:  # the process that created the run's cache (the xdist controller) removes it
        shutil.rmtree(_JAX_CACHE, ignore_errors=True)
