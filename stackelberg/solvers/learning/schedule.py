"""The schedule every tabular learner shares, and its binding to a game (random stream, rate tables, sampling).

:class:`LearningSchedule` holds the arguments common to all eight learners of :mod:`stackelberg.solvers.learning`
(episodes, steps per episode, runs, critic rates, exploration, discount, seed, backend, progress bar), validated
once; each learner takes them as keywords or as one ``schedule=LearningSchedule(...)``.

Examples
--------
>>> schedule = LearningSchedule(episodes=300, runs=5, seed=0)
>>> schedule.steps_per_episode, schedule.backend
(1, 'auto')
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import numbers
from dataclasses import dataclass, fields

import numpy as np

from ..._progress import progress_bar, wants_progress
from ..._validation import check_choice, check_discount, check_flag, check_positive_int, check_probability, check_real, check_seed
from ...errors import ProblemTooLargeError
from ...games.markov import MarkovGame
from .results import LearningHistory

__all__ = ["LearningSchedule", "BACKENDS", "NUMBA_MIN_UPDATES", "resolve_schedule", "takes_schedule"]

#: Values of ``backend``: ``"auto"`` uses numba for at least :data:`NUMBA_MIN_UPDATES` updates.
BACKENDS = ("auto", "numba", "numpy")
#: ``backend="auto"`` switches to the numba kernels from this many updates (``runs * episodes * steps``) on.
NUMBA_MIN_UPDATES = 200_000
_BLOCK = 1 << 20  # uniforms drawn per block (8 MB)


@dataclass(frozen=True)
class LearningSchedule:
    r"""How long, how many times and at which rates a tabular learner trains (shared by every learner).

    Attributes
    ----------
    episodes : int
        Number of episodes ``>= 1``; each starts in a state drawn from ``game.initial_distribution``.
    steps_per_episode : int, default 1
        Transitions per episode.
    runs : int, default 1
        Number of independent runs (every table carries a leading runs axis).
    alpha : sequence, optional
        One critic learning rate per player, each in ``(0, 1]``: a constant or a callable ``alpha_i(k)`` of the
        episode index ``k``. Default 0.1 for every player.
    epsilon : float or callable, optional
        Exploration rate in ``[0, 1]``: a constant, or ``epsilon(k)`` for episode ``k = 0, ..., episodes-1``.
        Default: linear decay :math:`\epsilon_k = 1 - k / \text{episodes}`.
    gamma : float, optional
        Discount in ``[0, 1)``; default ``game.gamma`` (required for finite-horizon games).
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same result.
    backend : {"auto", "numba", "numpy"}
        The numba kernels or the vectorised numpy paths (same random numbers, same result); ``"auto"`` uses numba
        (when installed) from :data:`NUMBA_MIN_UPDATES` updates on.
    progress : bool or None
        Show a progress bar over episodes (None, the default: only when stderr is a terminal).
    max_entries : int, default 100_000_000
        The most numbers a learner may hold at once, ``runs * (N * S * A + steps_per_episode * d)
        + episodes * (3N + 1)`` (``d = 2N + 1`` uniforms a step, ``3N + 1`` for lenient Q-learning; every table
        carries a runs axis; one episode's uniforms are drawn together; rates and exploration are tabulated per
        episode), checked before anything is allocated
        (:class:`~stackelberg.errors.ProblemTooLargeError`). 10^8 float64 are about 800 MB. With ``record_every``
        the recorded snapshots count too (``runs * 2N * S * A`` per snapshot, tables and actors).
    record_every : int or None, default None
        Record the learner's tables every ``record_every`` episodes (and at episode 0) into
        :attr:`LearningResult.history <stackelberg.solvers.learning.LearningResult.history>`: the Q tables, the
        greedy joint actions and the policies (where the learner has them) after ``0, k, 2k, ...`` episodes.
        The kernels run between the snapshots unchanged (a block of uniforms is split at the snapshot
        boundaries, so the random numbers and the final tables are the same as without recording).

    Raises
    ------
    TypeError, ValueError
        On non-positive counts, a discount outside ``[0, 1)``, a seed that is not None, an integer or a Generator,
        or an unknown backend. Rates and exploration are checked when a learner binds the schedule to its game
        (they need the number of players).
    """

    episodes: int
    steps_per_episode: int = 1
    runs: int = 1
    alpha: object = None
    epsilon: object = None
    gamma: float | None = None
    seed: object = None
    backend: str = "auto"
    progress: bool | None = None
    max_entries: int = 100_000_000
    record_every: int | None = None

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        set_("episodes", check_positive_int("episodes", self.episodes))
        set_("steps_per_episode", check_positive_int("steps_per_episode", self.steps_per_episode))
        set_("runs", check_positive_int("runs", self.runs))
        set_("max_entries", check_positive_int("max_entries", self.max_entries))
        if self.record_every is not None:
            set_("record_every", check_positive_int("record_every", self.record_every))
        if self.gamma is not None:
            set_("gamma", check_discount("gamma", self.gamma))
        set_("seed", check_seed("seed", self.seed))
        set_("backend", check_choice("backend", self.backend, BACKENDS))
        set_("progress", wants_progress(None if self.progress is None else check_flag("progress", self.progress)))


#: The schedule's keywords on every learner, with their defaults (``episodes`` is required without ``schedule``).
_KEYWORDS = {"episodes": None} | {f.name: f.default for f in fields(LearningSchedule) if f.name != "episodes"}


def resolve_schedule(schedule, **arguments) -> LearningSchedule:
    """The learner's :class:`LearningSchedule`: ``schedule`` itself, or one built from the keyword arguments."""
    if schedule is None:
        if arguments["episodes"] is None:
            raise TypeError("episodes is required (or give schedule=LearningSchedule(...))")
        return LearningSchedule(**arguments)
    if not isinstance(schedule, LearningSchedule):
        raise TypeError(f"schedule must be a LearningSchedule or None; got {type(schedule).__name__}")
    given = [name for name, value in arguments.items() if not _is_default(value, _KEYWORDS[name])]
    if given:
        raise TypeError(f"give schedule=LearningSchedule(...) or the keywords {', '.join(given)}, not both")
    return schedule


def takes_schedule(learner):
    """Give ``learner(game, ..., *, schedule)`` the schedule's keywords (``episodes=...``, ..., ``progress=...``).

    The wrapped learner is called with one validated :class:`LearningSchedule`: the ``schedule=`` given, or one
    built from the keywords (giving both is a TypeError). Its signature lists every keyword and its docstring's
    Parameters section gains their entry (before Returns), so ``help`` shows them.
    """
    signature = inspect.signature(learner)
    own = [parameter for parameter in signature.parameters.values() if parameter.name != "schedule"]
    keyword = inspect.Parameter.KEYWORD_ONLY
    added = [inspect.Parameter(name, keyword, default=default) for name, default in _KEYWORDS.items()]
    added.append(inspect.Parameter("schedule", keyword, default=None))

    @functools.wraps(learner)
    def learner_with_schedule(*args, schedule=None, **kwargs):
        keywords = {name: kwargs.pop(name, default) for name, default in _KEYWORDS.items()}
        return learner(*args, schedule=resolve_schedule(schedule, **keywords), **kwargs)

    learner_with_schedule.__signature__ = signature.replace(parameters=own + added)
    if learner.__doc__ and _RETURNS in learner.__doc__:  # document the keywords once, here
        learner_with_schedule.__doc__ = learner.__doc__.replace(_RETURNS, _SCHEDULE_PARAMETERS + _RETURNS, 1)
    return learner_with_schedule


_RETURNS = "\n    Returns\n    -------\n"
_SCHEDULE_PARAMETERS = """    episodes, steps_per_episode, runs, alpha, epsilon, gamma, seed, backend, progress, max_entries, record_every
        The training schedule: see :class:`~stackelberg.solvers.learning.LearningSchedule` (``episodes`` is
        required unless ``schedule`` is given).
    schedule : LearningSchedule, optional
        The same arguments as one object (leave those keywords at their defaults when giving it).
"""


def _is_default(value, default) -> bool:
    if default is None:
        return value is None
    return type(value) is type(default) and value == default


# ---------------------------------------------------------------------- binding to a game
class _Setup:
    """A :class:`LearningSchedule` bound to a game: validated rate tables, the random stream and the sampling
    machinery every learner shares (transitions as cumulative CSR rows, the initial-state CDF)."""

    def __init__(self, game, schedule, *, players=2, actor=False, beta=None, entropy=None, extra_draws=0):
        if not isinstance(game, MarkovGame):
            raise TypeError(f"game must be a MarkovGame; got {type(game).__name__}")
        if players is not None and game.n_players != players:
            raise ValueError(f"game must have {players} players (leader, follower); got {game.n_players}"
                             + (" (use nlevel_learning for N players)" if players == 2 else ""))
        if game.n_players < 2:
            raise ValueError(f"game must have at least 2 players; got {game.n_players}")
        alpha, epsilon, gamma, seed = schedule.alpha, schedule.epsilon, schedule.gamma, schedule.seed
        self.game = game
        N = self.n_players = game.n_players
        self.episodes, self.steps, self.runs = schedule.episodes, schedule.steps_per_episode, schedule.runs
        self.draws = 2 * N + 1 + extra_draws  # per step: N exploration coins, N action uniforms, one transition
        # uniform, and a learner's own (lenient Q: N leniency coins)
        self.record_every = schedule.record_every
        records = 0 if self.record_every is None else self.episodes // self.record_every + 1
        tables = N * game.n_states * game.n_joint_actions
        per_run = tables + self.steps * self.draws + records * 2 * tables
        total = self.runs * per_run + self.episodes * (3 * N + 1)  # + per-episode rate and exploration tables
        if total > schedule.max_entries:
            raise ProblemTooLargeError(
                f"runs={self.runs}, episodes={self.episodes} would hold about {float(total):.2g} numbers "
                f"({float(total * 8 / 2**30):.3g} GiB; {per_run} per run, {3 * N + 1} per episode), more than "
                f"max_entries={schedule.max_entries}; use fewer runs or episodes per call (with different seeds) "
                "or raise max_entries",
                limit="max_entries",
            )
        self.alpha = _rate_table("alpha", (0.1,) * N if alpha is None else alpha, N, self.episodes, upper=1.0)
        self.eps = _epsilon_table(epsilon, self.episodes)
        if actor:
            if callable(beta) or isinstance(beta, numbers.Real):
                beta = (beta,) * N
            self.beta = _rate_table("beta", beta, N, self.episodes, upper=None)
            self.entropy = check_real("entropy", entropy, low=0.0)
        if gamma is None:
            if game.gamma is None:
                raise ValueError("gamma must be given for a finite-horizon game (game.gamma is None)")
            gamma = game.gamma
        self.gamma = check_discount("gamma", gamma)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        backend = schedule.backend
        if backend == "auto":
            backend = "numba" if self.runs * self.episodes * self.steps >= NUMBA_MIN_UPDATES and _has_numba() \
                else "numpy"
        self.backend = backend
        self.progress = schedule.progress
        self.initial_state = int(np.argmax(game.initial_distribution))
        self.init_cdf = np.cumsum(np.asarray(game.initial_distribution, dtype=float))
        self.n_joint = game.n_joint_actions
        csr = game.transition_matrix("csr")
        self.csr = (np.ascontiguousarray(csr.indptr, dtype=np.int64), np.ascontiguousarray(csr.indices, dtype=np.int64),
                    np.cumsum(np.asarray(csr.data, dtype=float)))
        self.indptr, self.indices, self.cumulative = self.csr
        self.rewards = np.ascontiguousarray(game.rewards, dtype=float)  # (N, S, A)
        self.parameters = {"episodes": self.episodes, "steps_per_episode": self.steps, "runs": self.runs,
                           "gamma": self.gamma, "backend": self.backend, "alpha": alpha, "epsilon": epsilon,
                           "record_every": self.record_every}
        self.snapshot = None  # set by a recording learner: () -> a copy of its raw tables
        self.snapshots = []  # (episodes done, raw tables)
        if actor:
            self.parameters.update(beta=beta, entropy=self.entropy)

    def blocks(self):
        """Yield ``(episode_slice, init_u (E, R), U (E, T, R, draws))`` blocks of uniforms covering all episodes."""
        per_episode = self.steps * self.runs * self.draws
        size = max(1, min(self.episodes, _BLOCK // per_episode))
        with progress_bar(total=self.episodes, description="episodes", unit="episode", progress=self.progress) as bar:
            for start in range(0, self.episodes, size):
                stop = min(self.episodes, start + size)
                init_u = self.rng.random((stop - start, self.runs))
                U = self.rng.random((stop - start, self.steps, self.runs, self.draws))
                yield slice(start, stop), init_u, U
                bar.update(stop - start)

    def run_kernel(self, call):
        """Call ``call(episode_slice, init_u, U)`` over every block (split at the snapshot boundaries)."""
        self.record(0)
        every = self.record_every
        for episodes, init_u, U in self.blocks():
            if every is None:
                call(episodes, init_u, U)
                continue
            start = episodes.start
            while start < episodes.stop:
                stop = min(episodes.stop, (start // every + 1) * every)
                part = slice(start - episodes.start, stop - episodes.start)
                call(slice(start, stop), init_u[part], U[part])  # leading-axis slices stay C-contiguous
                self.record(stop)
                start = stop

    def episodes_numpy(self):
        """Yield ``(k, states (R,), U_k (T, R, draws))`` for every episode ``k`` (the numpy paths' loop)."""
        self.record(0)
        for episodes, init_u, U in self.blocks():
            for i, k in enumerate(range(episodes.start, episodes.stop)):
                yield k, self.initial(init_u[i]), U[i]
                self.record(k + 1)  # the caller has finished episode k

    def record(self, done):
        """Keep a snapshot after ``done`` episodes when ``record_every`` divides it (and a learner records)."""
        if self.record_every is not None and self.snapshot is not None and done % self.record_every == 0:
            self.snapshots.append((done, self.snapshot()))

    def history(self, finish):
        """The :class:`LearningHistory` of the snapshots, ``finish(raw) -> (q_values, greedy, policies)`` applied
        to each (the learner's own final step), or None without ``record_every``."""
        if self.record_every is None:
            return None
        done, finished = [], []
        for episodes, raw in self.snapshots:
            done.append(episodes)
            finished.append(finish(raw))
        q_values = tuple(np.stack([f[0][p] for f in finished]) for p in range(len(finished[0][0])))
        policies = None
        if finished[0][2] is not None:
            policies = tuple(np.stack([f[2][p] for f in finished]) for p in range(len(finished[0][2])))
        return LearningHistory(episodes=np.array(done, dtype=np.int64), q_values=q_values,
                               greedy_actions=np.stack([f[1] for f in finished]), policies=policies)

    def initial(self, u):
        target = u * self.init_cdf[-1]
        return np.minimum(np.searchsorted(self.init_cdf, target, side="right"), len(self.init_cdf) - 1)

    def explore(self, coin, uniform, chosen, n_actions, eps):
        """Each run's own choice, or a uniform action ``floor(uniform * n)`` when its coin is below ``eps``."""
        return np.where(coin < eps, (uniform * n_actions).astype(np.int64), chosen)

    def transition(self, states, joint, u):
        """Sample next states for game joint-action indices ``joint`` in ``states`` with uniforms ``u``."""
        row = states * self.n_joint + joint
        start, stop = self.indptr[row], self.indptr[row + 1]
        below = np.where(start > 0, self.cumulative[np.maximum(start - 1, 0)], 0.0)
        mass = self.cumulative[stop - 1] - below
        position = np.searchsorted(self.cumulative, below + u * mass, side="right")
        return self.indices[np.clip(position, start, stop - 1)]


def _kernels():
    from ..kernels import learning

    return learning


def _has_numba() -> bool:
    """Whether numba is installed (without importing it: only the kernels module imports numba)."""
    return importlib.util.find_spec("numba") is not None


def _sample(probabilities, u):
    """Inverse-CDF samples ``(R,)`` of rows ``(R, n)`` with uniforms ``u`` (the kernels' sequential rule)."""
    cdf = np.cumsum(probabilities, axis=1)
    return np.minimum((cdf <= u[:, None]).sum(axis=1), probabilities.shape[1] - 1)


def _sequential_sum(terms):
    """Sum over the last axis in index order (the kernels' order of summation)."""
    total = terms[..., 0].copy()
    for j in range(1, terms.shape[-1]):
        total = total + terms[..., j]
    return total


# ---------------------------------------------------------------------- validation
def _rate_table(name, rates, n_players, episodes, upper) -> np.ndarray:
    """``(episodes, n_players)`` table of per-episode rates from constants or callables of the episode index."""
    bound = "(0, 1]" if upper else "(0, inf)"
    if isinstance(rates, (str, bytes)) or callable(rates) or not hasattr(rates, "__iter__"):
        raise TypeError(f"{name} must be a sequence of {n_players} rates in {bound} (constants or callables of "
                        f"the episode index); got {rates!r}")
    rates = tuple(rates)
    if len(rates) != n_players:
        raise ValueError(f"{name} must have {n_players} entries (one per player); got {rates!r}")
    table = np.empty((episodes, n_players))
    for p, rate in enumerate(rates):
        if callable(rate):
            for k in range(episodes):
                table[k, p] = check_real(f"{name}[{p}]({k})", rate(k), low=0.0, low_open=True, high=upper)
        else:
            table[:, p] = check_real(f"{name}[{p}]", rate, low=0.0, low_open=True, high=upper)
    return table


def _epsilon_table(epsilon, episodes) -> np.ndarray:
    if epsilon is None:
        return 1.0 - np.arange(episodes) / episodes
    if callable(epsilon):
        return np.array([check_probability(f"epsilon({k})", epsilon(k)) for k in range(episodes)])
    return np.full(episodes, check_probability("epsilon", epsilon))
