"""Settings for the whole test run (tests and doctests), loaded before any test module imports JAX.

The neural tests' time is mostly XLA compiling tiny programs, not running them: compiling them without LLVM's
expensive optimisation passes halves the neural tests' CPU time (measured: 88 s -> 45 s for test_ebpg + test_step)
and changes no semantics. Only the test run uses it; figures, benchmarks and users get XLA's defaults. A caller's
own ``XLA_FLAGS`` are kept.
"""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true")
