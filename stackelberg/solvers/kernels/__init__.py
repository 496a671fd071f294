"""numba kernels. Import the submodules lazily, from inside the public functions that use them:
importing :mod:`stackelberg` must not compile (or even import) numba."""
