"""The XLA workaround of stackelberg.neural: the flag lands in XLA_FLAGS, and a program that deadlocked without it
runs."""

import os
import subprocess
import sys
import textwrap

import pytest

from stackelberg.neural._xla import SCHEDULER_FLAG, apply_xla_workarounds

# Initialising six EBPG leaders as one jit(vmap) program: every thread waited forever without the flag (jax 0.10.2,
# 2 cores; 1-5 leaders ran).
SIX_LEADERS = """
    import jax
    from stackelberg.games.coordination import resource_collection
    from stackelberg.neural.coordination import coordination_env
    from stackelberg.neural.ebpg import _Net
    game = resource_collection(grid_shape=(4, 4), n_goals=2, n_followers=2, horizon=8, seed=1)
    net = _Net(coordination_env(game), 32, observe_types=True)
    params = jax.jit(jax.vmap(net.init))(jax.random.split(jax.random.PRNGKey(0), 6))
    print(jax.tree_util.tree_leaves(jax.block_until_ready(params))[0].shape[0])
"""


def test_the_flag_is_added_once_and_a_users_choice_is_kept():
    env = {}
    assert apply_xla_workarounds(env, backend_started=False) is True
    assert env["XLA_FLAGS"] == SCHEDULER_FLAG
    assert apply_xla_workarounds(env, backend_started=False) is False
    assert env["XLA_FLAGS"] == SCHEDULER_FLAG
    own = {"XLA_FLAGS": "--xla_cpu_enable_concurrency_optimized_scheduler=true"}
    assert apply_xla_workarounds(own, backend_started=False) is False
    assert own["XLA_FLAGS"] == "--xla_cpu_enable_concurrency_optimized_scheduler=true"


def test_too_late_warns_how_to_set_it():
    env = {"XLA_FLAGS": "--xla_backend_optimization_level=0"}
    with pytest.warns(RuntimeWarning, match="XLA_FLAGS=.*concurrency_optimized_scheduler=false"):
        assert apply_xla_workarounds(env, backend_started=True) is False
    assert env["XLA_FLAGS"] == "--xla_backend_optimization_level=0"


def test_importing_stackelberg_neural_sets_the_flag_in_this_process():
    import stackelberg.neural  # noqa: F401

    assert "xla_cpu_enable_concurrency_optimized_scheduler" in os.environ["XLA_FLAGS"]


def test_six_leaders_in_one_program_do_not_deadlock():
    # the session's XLA_FLAGS (conftest's fast compile: it hangs the same) without the scheduler flag: the child's
    # import of stackelberg.neural must add it
    flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if "concurrency_optimized_scheduler" not in f]
    env = {**os.environ, "XLA_FLAGS": " ".join(flags)}
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(SIX_LEADERS)], capture_output=True, text=True,
                         timeout=180, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["6"]
