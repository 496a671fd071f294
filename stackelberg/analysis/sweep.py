"""A small engine that runs independent tasks of a sweep, locally or on a Dask cluster.

A sweep is a list of independent *tasks* (each usually a batch of many cheap
items, so that per-task overhead is paid once per batch) and a pure function
``function(task)``. :func:`run_tasks` evaluates ``function`` on every task

- in-process when ``workers=1`` (or there is a single task),
- on ``workers`` local processes (:class:`concurrent.futures.ProcessPoolExecutor`,
  ``forkserver`` start method where available, else ``spawn``), or
- on an existing Dask cluster when ``scheduler`` is given (an address such as
  ``"tcp://host:8786"``, a ``distributed.Client`` or a cluster object such as
  ``distributed.LocalCluster``),

streams each task's records to a :class:`~stackelberg.analysis.store.ResultStore`
as soon as the task completes (one transaction per task), shows a tqdm progress
bar (items done, rate, time left), and returns the results in task order, so the
answer never depends on where or in which order the tasks ran.

``function`` and the tasks must be picklable (a module-level function and plain
data), because they travel to other processes.
"""

from __future__ import annotations

import multiprocessing
import numbers
import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Iterator, Sequence


from .._progress import progress_bar
from .._validation import check_positive_int
from .store import ResultStore

__all__ = ["run_tasks", "batches", "default_workers"]

_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")


def default_workers() -> int:
    """The number of CPU cores this process may use.

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def batches(items: Sequence, size: int) -> Iterator[list]:
    """Split ``items`` into consecutive lists of at most ``size`` items.

    Parameters
    ----------
    items : sequence
    size : int
        The largest batch (>= 1).

    Yields
    ------
    list

    Raises
    ------
    TypeError, ValueError
        If ``size`` is not a positive integer.

    Examples
    --------
    >>> list(batches(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    size = check_positive_int("size", size)
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Sequence,
    *,
    workers: int | None = None,
    scheduler=None,
    store: ResultStore | None = None,
    study_key: str | None = None,
    weights: Sequence[int] | None = None,
    progress: bool = True,
    description: str | None = None,
    unit: str = "task",
    connect_timeout: float = 10.0,
) -> list:
    """Evaluate ``function(task)`` for every task and return the results in task order.

    Parameters
    ----------
    function : callable
        A picklable function of one task. With a ``store`` it must return a
        list of records (dicts holding the study's key fields).
    tasks : sequence
        Picklable tasks.
    workers : int, optional
        Local worker processes (default: the usable CPU cores). ``1`` runs
        in-process. Not allowed together with ``scheduler``.
    scheduler : str or distributed.Client or cluster, optional
        Run on an existing Dask cluster instead: its scheduler address
        (``"tcp://HOST:PORT"``), a connected ``Client`` (left open) or a cluster
        object such as ``LocalCluster`` (a client is opened and closed here).
    store : ResultStore, optional
        Where each task's records are written, one transaction per task, as
        soon as the task completes.
    study_key : str, optional
        The registered study the records belong to (required with ``store``).
    weights : sequence of int, optional
        Items per task, for the progress bar (default 1 per task).
    progress : bool or None
        Show a progress bar with items done, rate and time left (None: only when stderr is a terminal).
    description, unit : str
        The bar's label and item name.
    connect_timeout : float
        Seconds to wait for a scheduler given by address.

    Returns
    -------
    list
        ``[function(task) for task in tasks]``.

    Raises
    ------
    TypeError, ValueError
        On bad arguments (naming the argument).
    ConnectionError
        If the scheduler cannot be reached.
    Exception
        Whatever a task raised; the other tasks are cancelled, and records of
        the tasks completed before are already in the store.

    Examples
    --------
    >>> run_tasks(abs, [-3, 1, -2], workers=1, progress=False)
    [3, 1, 2]
    """
    if not callable(function):
        raise TypeError(f"function must be callable; got {type(function).__name__}")
    try:
        tasks = list(tasks)
    except TypeError:
        raise TypeError(f"tasks must be a sequence of tasks; got {type(tasks).__name__}") from None
    if scheduler is not None and workers is not None:
        raise ValueError("workers applies to local processes only; pass either workers or scheduler, not both")
    workers = default_workers() if workers is None else check_positive_int("workers", workers)
    if store is not None:
        if not isinstance(store, ResultStore):
            raise TypeError(f"store must be a ResultStore; got {type(store).__name__}")
        if study_key is None:
            raise ValueError("study_key must name the registered study the records belong to when a store is given")
        store.count(study_key)  # raises KeyError for an unregistered study
    if weights is None:
        weights = [1] * len(tasks)
    else:
        weights = [check_positive_int(f"weights[{k}]", w, minimum=0) for k, w in enumerate(weights)]
    if len(weights) != len(tasks):
        raise ValueError(f"weights must hold one count per task ({len(tasks)}); got {len(weights)}")
    if isinstance(connect_timeout, bool) or not isinstance(connect_timeout, numbers.Real) or not connect_timeout > 0:
        raise ValueError(f"connect_timeout must be a positive number of seconds; got {connect_timeout!r}")

    results: list = [None] * len(tasks)
    shown = None if progress is None else bool(progress)  # None: a bar only when stderr is a terminal
    with progress_bar(total=sum(weights), description=description, unit=unit, progress=shown, leave=True) as bar:

        def done(index: int, result) -> None:
            if store is not None:
                store.add(study_key, result)
            results[index] = result
            bar.update(weights[index])

        if not tasks:
            return results
        if scheduler is not None:
            _run_dask(function, tasks, scheduler, done, float(connect_timeout))
        elif workers == 1 or len(tasks) == 1:
            for index, task in enumerate(tasks):
                done(index, function(task))
        else:
            _run_processes(function, tasks, min(workers, len(tasks)), done)
    return results


def _process_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run_processes(function, tasks, workers, done) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_process_context())
    try:
        futures = {pool.submit(function, task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            done(futures[future], future.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _dask_client(scheduler, timeout: float):
    """Return ``(client, owned)``: a Dask client for ``scheduler`` and whether we must close it."""
    try:
        import distributed
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError(
            "scheduler needs dask.distributed; install it with `pip install 'stackelberg[dask]'`"
        ) from None
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    if isinstance(scheduler, str):
        if not _ADDRESS.match(scheduler):
            raise ValueError(f"scheduler must be a Dask scheduler address like 'tcp://HOST:PORT'; got {scheduler!r}")
        target = scheduler
    elif hasattr(scheduler, "scheduler_address"):
        target = scheduler
    else:
        raise TypeError(
            "scheduler must be a Dask scheduler address (str), a distributed.Client or a cluster object; "
            f"got {type(scheduler).__name__}"
        )
    try:
        return distributed.Client(target, timeout=timeout, set_as_default=False), True
    except (OSError, TimeoutError) as error:
        raise ConnectionError(f"scheduler {scheduler!r} could not be reached within {timeout:g} s: {error}") from error


def _run_dask(function, tasks, scheduler, done, timeout: float) -> None:
    import distributed

    client, owned = _dask_client(scheduler, timeout)
    futures = []
    try:
        futures = client.map(function, tasks, pure=False)
        position = {future.key: index for index, future in enumerate(futures)}
        for future in distributed.as_completed(futures, loop=client.loop):
            done(position[future.key], future.result())
    except BaseException:
        if futures:
            client.cancel(futures)
        raise
    finally:
        if owned:
            client.close()
