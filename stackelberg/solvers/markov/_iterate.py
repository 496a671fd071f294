"""The iteration engine shared by the Markov-game value iterations: backward induction or discounted value
iteration of a stage-equilibrium operator, with the cycle check of the non-contracting operators.

A stage-equilibrium operator maps values ``V`` ``(N, S)`` to a :class:`_Stage`: the values of the stage games'
selected equilibria, their Q-values ``R + discount * E[V(s')]`` (Bi-AC Eq. 1) and the players' stage strategies.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from ..._progress import progress_bar, wants_progress
from ..._validation import check_callback, check_flag, check_positive_int, check_tol
from ...games.markov import MarkovGame
from .results import MarkovSolution

CYCLE_WINDOW = 100  # earlier value vectors kept to detect cycles of the non-contracting operators


class _Stage(NamedTuple):
    """One application of a stage-equilibrium operator to all states."""

    values: np.ndarray  # (N, S)
    q: np.ndarray  # (N, S, A)
    policies: tuple  # N arrays (S, n_p)
    leader_policy: np.ndarray | None = None
    follower_policy: np.ndarray | None = None



def _iterate(game, operator, tol, max_iterations, callback, method, parameters, detect_cycles=False, sweep=None,
             progress=None):
    """Backward induction or value iteration of the stage-equilibrium ``operator`` from zero values.

    ``sweep(V)``, when given, returns the new values alone (no Q-values or policies): the discounted loop uses it
    and calls the full ``operator`` once, on the final values.
    """
    N, S = game.n_players, game.n_states
    sweep = (lambda V: operator(V).values) if sweep is None else sweep
    if game.is_finite_horizon:
        H = game.horizon
        stages = [None] * H
        following = np.zeros((N, S))
        with progress_bar(total=H, description=method, unit="sweep", progress=progress) as bar:
            for step, t in enumerate(reversed(range(H)), start=1):
                stages[t] = operator(following)
                change = float(np.abs(stages[t].values - following).max())
                if callback is not None:
                    callback(step, stages[t].values.copy(), change)
                bar.update(1)
                following = stages[t].values
        stack = lambda arrays: None if arrays[0] is None else np.stack(arrays)  # noqa: E731
        return MarkovSolution(
            values=np.stack([s.values for s in stages]), q=np.stack([s.q for s in stages]),
            policies=tuple(np.stack([s.policies[p] for s in stages]) for p in range(N)),
            leader_policy=stack([s.leader_policy for s in stages]),
            follower_policy=stack([s.follower_policy for s in stages]),
            iterations=H, bellman_residual=0.0, converged=True, stop_reason="converged",
            method=method + " (backward induction)", parameters=parameters,
        )

    gamma = game.gamma
    threshold = tol * (1.0 - gamma)  # stop when gamma * change <= threshold
    V = np.zeros((N, S))
    history: list[tuple] = []  # earlier value vectors, with their per-player max and min
    stop_reason, iteration = "max_iterations", 0
    with progress_bar(total=max_iterations, description=method, unit="sweep", progress=progress) as bar:
        while iteration < max_iterations:
            iteration += 1
            new = sweep(V)
            change = float(np.abs(new - V).max())
            if detect_cycles:
                history = (history + [(V, V.max(axis=1), V.min(axis=1))])[-CYCLE_WINDOW:]
            V = new
            if callback is not None:
                callback(iteration, V.copy(), change)
            bar.update(1)
            if progress:
                bar.set_postfix(change=f"{change:.3g}", refresh=False)
            if gamma * change <= threshold:
                stop_reason = "converged"
                break
            if detect_cycles and _repeats(V, history[:-1], gamma, threshold):
                stop_reason = "cycle"
                break
        if progress and stop_reason != "max_iterations":
            bar.total = iteration  # close the bar at 100% when the iteration stops early
            bar.refresh()
    if stop_reason != "converged":
        reason = ("a value vector repeated (the iteration cycles)" if stop_reason == "cycle"
                  else f"max_iterations={max_iterations} sweeps did not reach tol={tol:g}")
        warnings.warn(f"{method} stopped after {iteration} sweeps: {reason}", RuntimeWarning, stacklevel=3)
    final = operator(V)
    return MarkovSolution(
        values=V, q=final.q, policies=final.policies, leader_policy=final.leader_policy,
        follower_policy=final.follower_policy, iterations=iteration,
        bellman_residual=float(np.abs(final.values - V).max()), converged=stop_reason == "converged",
        stop_reason=stop_reason, method=method, parameters=parameters,
    )


def _repeats(V, history, gamma, threshold) -> bool:
    """Whether ``gamma * max|V - old| <= threshold`` for some ``old`` of ``history`` (``(old, max, min)`` triples).

    ``|max V_p - max old_p|`` and ``|min V_p - min old_p|`` never exceed ``max|V - old|`` (also in floating point,
    subtraction being monotone), so comparing the per-player extremes first rules out most vectors without
    reading them: a sweep then costs ``O(N S)`` rather than ``O(100 N S)`` for the cycle check.
    """
    high, low = V.max(axis=1), V.min(axis=1)
    for old, old_high, old_low in history:
        bound = max(float(np.abs(high - old_high).max()), float(np.abs(low - old_low).max()))
        if gamma * bound <= threshold and gamma * np.abs(V - old).max() <= threshold:
            return True
    return False


def _q_values(game, V) -> np.ndarray:
    """``(N, S, A)`` Q-values ``R + discount * E[V(s')]`` (Bi-AC Eq. 1)."""
    return game.rewards + game.step_discount * game.expected_next(V)


def _per_state_operator(game, solve_stage):
    """An operator solving each distinct stage game once (``solve_stage(NormalFormGame) -> (values, strategies)``)."""
    memo: dict[bytes, tuple] = {}
    S, shape = game.n_states, game.action_shape

    def operator(V):
        q = _q_values(game, V)
        values = np.empty((game.n_players, S))
        policies = tuple(np.empty((S, n)) for n in shape)
        for s in range(S):
            key = q[:, s].tobytes()
            if key not in memo:
                memo[key] = solve_stage(game.stage_game(s, V))
            values[:, s], strategies = memo[key]
            for p, strategy in enumerate(strategies):
                policies[p][s] = strategy
        return _Stage(values, q, policies)

    return operator


def _pure_stage(game, q, path) -> _Stage:
    """The stage result of pure on-path actions ``path[p]`` ``(S,)`` per player (in player order)."""
    S = game.n_states
    joint = np.ravel_multi_index(tuple(path), game.action_shape)
    values = q[:, np.arange(S), joint]
    policies = tuple(np.eye(n)[a] for n, a in zip(game.action_shape, path))
    return _Stage(values, q, policies)


# ---------------------------------------------------------------------- validation
def _check_game(game, players: int | None = None) -> MarkovGame:
    if not isinstance(game, MarkovGame):
        raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
    if players is not None and game.n_players != players:
        raise ValueError(f"game must have {players} players; got a {game.n_players}-player game"
                         + (" (use solve_sequential for N players)" if players == 2 else ""))
    return game


def _check_iteration_arguments(tol, max_iterations, callback):
    tol = check_tol("tol", tol)
    max_iterations = check_positive_int("max_iterations", max_iterations)
    return tol, max_iterations, check_callback("callback", callback)


def resolve_progress(progress) -> bool:
    """``progress``: True, False (numpy booleans too) or None (a bar only when stderr is a terminal)."""
    return wants_progress(None if progress is None else check_flag("progress", progress))
