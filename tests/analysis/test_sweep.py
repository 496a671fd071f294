"""Tests for stackelberg/analysis/sweep.py: local processes, Dask, streaming to the store."""

import socket

import distributed
import pytest

from stackelberg.analysis.store import ResultStore
from stackelberg.analysis.sweep import batches, default_workers, run_tasks


def records_of(task):
    """Two records per task (module level: picklable by reference)."""
    return [{"task": task, "part": part, "value": task * 10 + part} for part in range(2)]


class Fail:
    """Picklable callable that raises ``error`` on task ``at`` and computes ``records_of`` otherwise."""

    def __init__(self, at, error):
        self.at, self.error = at, error

    def __call__(self, task):
        if task == self.at:
            raise self.error
        return records_of(task)


@pytest.fixture
def store(tmp_path):
    with ResultStore(tmp_path / "sweep.sqlite") as opened:
        yield opened


def expected(tasks):
    return [records_of(t) for t in tasks]


def test_batches_and_default_workers():
    assert list(batches([1, 2, 3], 3)) == [[1, 2, 3]]
    assert list(batches([], 2)) == []
    with pytest.raises(ValueError, match="size"):
        list(batches([1], 0))
    assert default_workers() >= 1


@pytest.mark.parametrize("workers", [1, 2])
def test_local_runs_return_results_in_task_order_and_stream_to_the_store(store, workers):
    key = store.register({"study": "sweep-test"}, ("task", "part"))
    tasks = list(range(7))
    results = run_tasks(records_of, tasks, workers=workers, store=store, study_key=key, progress=False)
    assert results == expected(tasks)
    assert store.keys(key) == {(t, p) for t in tasks for p in range(2)}


def test_empty_task_list():
    assert run_tasks(records_of, [], workers=2, progress=False) == []


@pytest.mark.parametrize("error", [RuntimeError("task 3 failed"), KeyboardInterrupt()])
def test_a_failing_task_stops_the_sweep_and_keeps_completed_tasks(store, error):
    key = store.register({"study": "sweep-fail"}, ("task", "part"))
    with pytest.raises(type(error)):
        run_tasks(Fail(3, error), range(6), workers=1, store=store, study_key=key, progress=False)
    assert sorted(store.keys(key)) == [(t, p) for t in range(3) for p in range(2)]
    # a rerun over the missing tasks completes the table without duplicates
    missing = [t for t in range(6) if (t, 0) not in store.keys(key)]
    run_tasks(records_of, missing, workers=1, store=store, study_key=key, progress=False)
    assert store.count(key) == 12 and sorted(r["value"] for r in store.rows(key)) == sorted(
        r["value"] for rs in expected(range(6)) for r in rs
    )


def test_a_failing_task_in_a_worker_process_propagates(store):
    key = store.register({"study": "sweep-fail-processes"}, ("task", "part"))
    with pytest.raises(RuntimeError, match="boom"):
        run_tasks(Fail(4, RuntimeError("boom")), range(8), workers=2, store=store, study_key=key, progress=False)
    assert all(task != 4 for task, _ in store.keys(key))


def test_bad_arguments_are_named(store):
    with pytest.raises(TypeError, match="function"):
        run_tasks(3, [1], progress=False)
    with pytest.raises(TypeError, match="tasks"):
        run_tasks(abs, 3, progress=False)
    with pytest.raises(ValueError, match="workers"):
        run_tasks(abs, [1], workers=0, progress=False)
    with pytest.raises(ValueError, match="either workers or scheduler"):
        run_tasks(abs, [1], workers=2, scheduler="tcp://127.0.0.1:1", progress=False)
    with pytest.raises(ValueError, match="study_key"):
        run_tasks(records_of, [1], store=store, progress=False)
    with pytest.raises(KeyError, match="not registered"):
        run_tasks(records_of, [1], store=store, study_key="nope", progress=False)
    with pytest.raises(TypeError, match="store"):
        run_tasks(records_of, [1], store="file.sqlite", study_key="k", progress=False)
    with pytest.raises(ValueError, match="weights"):
        run_tasks(abs, [1, 2], weights=[1], progress=False)
    with pytest.raises(ValueError, match="connect_timeout"):
        run_tasks(abs, [1], scheduler="tcp://127.0.0.1:1", connect_timeout=0, progress=False)


def test_bad_scheduler_gives_a_clear_error():
    with pytest.raises(ValueError, match="scheduler must be a Dask scheduler address"):
        run_tasks(abs, [1], scheduler="localhost:8786", progress=False)
    with pytest.raises(TypeError, match="scheduler"):
        run_tasks(abs, [1], scheduler=8786, progress=False)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionError, match="could not be reached"):
        run_tasks(abs, [1], scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=1, progress=False)


@pytest.mark.parametrize("processes", [False, True])
def test_dask_local_cluster_gives_the_local_results(store, processes):
    key = store.register({"study": f"sweep-dask-{processes}"}, ("task", "part"))
    tasks = list(range(9))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=":0"
    ) as cluster:
        by_cluster = run_tasks(records_of, tasks, scheduler=cluster, store=store, study_key=key, progress=False)
        with distributed.Client(cluster) as client:  # a client and an address work too
            by_client = run_tasks(records_of, tasks, scheduler=client, progress=False)
            assert client.status == "running"  # a client we did not open stays open
        by_address = run_tasks(records_of, tasks, scheduler=cluster.scheduler_address, progress=False)
    assert by_cluster == by_client == by_address == expected(tasks)
    assert store.count(key) == 18
