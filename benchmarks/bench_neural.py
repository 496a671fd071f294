"""Environment steps per second of Bi-AC on Escape: all seeds as one ``jit(vmap)`` program against a per-seed
Python loop over jitted single steps with the same networks.

The vectorised side is :func:`stackelberg.neural.train.train` (100 seeds, compiled once; the timing excludes
compilation by running the cached program a second time, and is also reported with it). The loop side runs the
same per-seed step function (``Program.step``: one epsilon-greedy action, one environment step, one replay-buffer
write and one Adam update of the three networks), jitted for one seed, from a Python loop over seeds and steps,
as a straightforward per-seed implementation would; it is timed on a few seeds and steps after warm-up and
extrapolated per step (its cost per step does not depend on the seed or the step).

Usage::

    python benchmarks/bench_neural.py [--seeds 100] [--steps 2000] [--loop-seeds 3] [--loop-steps 300]
"""

from __future__ import annotations

import argparse
import sys
import time

import jax

import stackelberg as sb
from stackelberg.neural.envs import matrix_env
from stackelberg.neural.offpolicy import BiACConfig, make_biac
from stackelberg.neural.train import train


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--loop-seeds", type=int, default=3)
    parser.add_argument("--loop-steps", type=int, default=300)
    args = parser.parse_args(argv)
    env = matrix_env(sb.get_game("escape"))
    config = BiACConfig(steps=args.steps)

    start = time.perf_counter()
    first = train("bi-ac", env, config, seeds=args.seeds, progress=False)
    with_compile = time.perf_counter() - start
    cpu_start = time.process_time()
    second = train("bi-ac", env, config, seeds=args.seeds, progress=False)
    vector_cpu = time.process_time() - cpu_start  # includes the exact evaluation of the greedy policies (tiny)
    vector_rate = args.seeds * args.steps / second.seconds
    print(f"vectorised: {args.seeds} seeds x {args.steps} steps in {second.seconds:.1f} s "
          f"({with_compile:.1f} s with compilation)", file=sys.stderr)

    program = make_biac(env, config)
    step = jax.jit(program.step)
    carry = program.init(jax.random.PRNGKey(0))
    for _ in range(5):  # warm-up / compile
        carry = step(carry)
    jax.block_until_ready(carry)
    start, cpu_start = time.perf_counter(), time.process_time()
    for seed in range(args.loop_seeds):
        carry = program.init(jax.random.PRNGKey(seed))
        for _ in range(args.loop_steps):
            carry = step(carry)
        jax.block_until_ready(carry)
    loop_seconds = time.perf_counter() - start
    loop_cpu = time.process_time() - cpu_start
    loop_rate = args.loop_seeds * args.loop_steps / loop_seconds
    vector_cpu_step = 1e3 * vector_cpu / (args.seeds * args.steps)
    loop_cpu_step = 1e3 * loop_cpu / (args.loop_seeds * args.loop_steps)

    print("| method | env steps/s | time for 100 seeds x 2000 steps |")
    print("|---|---|---|")
    print(f"| one jit(vmap) program, {args.seeds} seeds | {vector_rate:,.0f} | {second.seconds:.1f} s "
          f"(first run {first.seconds:.1f} s, compilation included) |")
    print(f"| per-seed Python loop of jitted steps | {loop_rate:,.0f} | "
          f"{args.seeds * args.steps / loop_rate:.0f} s (extrapolated) |")
    print(f"\nCPU time per seed-step (all threads): vectorised {vector_cpu_step:.4f} ms, loop {loop_cpu_step:.4f} ms "
          f"({loop_cpu_step / vector_cpu_step:.1f}x; the fairer ratio on a loaded machine, where the vectorised "
          f"program's second thread waits for a core)")
    print(f"\nspeed-up: {vector_rate / loop_rate:.1f}x; jax {jax.__version__}; "
          f"Bi-AC at C-Z in {100 * second.share_at_exact:.0f}% of seeds")
    return vector_rate / loop_rate


if __name__ == "__main__":
    main()
