"""Adversarial races: several processes creating, registering and writing the same new result store at once.

Before registration and table creation ran in one ``BEGIN IMMEDIATE`` transaction with a busy timeout, such a start
failed with ``UNIQUE constraint failed`` or ``database is locked``. Every process must now succeed and every record
be stored exactly once.
"""

import multiprocessing
import sqlite3

from stackelberg.analysis.store import APPLICATION_ID, ResultStore

N_PROCESSES = 6
ROUNDS = 3
SHARED_STUDIES = 30


def _writer(path, barrier, index, queue):
    try:
        barrier.wait(timeout=60)
        with ResultStore(path) as store:
            key = store.register({"study": "race", "seed": 1}, ("item",))
            other = store.register({"study": "race", "writer": index}, ("item",))
            for shared in range(SHARED_STUDIES):  # every process registers the same new studies at once
                store.register({"study": "race", "shared": shared}, ("item",))
            for round_ in range(5):
                # overlapping batches: items 0-9 are written by everyone, the rest by one process each
                store.add(key, [{"item": k, "value": k / 7} for k in range(10)])
                store.add(key, [{"item": 1000 * (index + 1) + round_, "value": index}])
                store.add(other, [{"item": round_}])
            assert store.count(key) >= 10 + 5
            store.keys(key)
        queue.put((index, "ok"))
    except BaseException as error:  # reported to the parent, which fails the test
        queue.put((index, f"{type(error).__name__}: {error}"))


def _race(path):
    context = multiprocessing.get_context("spawn" if multiprocessing.get_start_method() != "fork" else "fork")
    barrier, queue = context.Barrier(N_PROCESSES), context.Queue()
    processes = [context.Process(target=_writer, args=(str(path), barrier, k, queue)) for k in range(N_PROCESSES)]
    for process in processes:
        process.start()
    outcomes = dict(queue.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    return outcomes


def test_concurrent_writers_all_succeed_on_a_new_store(tmp_path):
    for round_ in range(ROUNDS):
        path = tmp_path / f"race-{round_}.sqlite"
        outcomes = _race(path)
        assert outcomes == {k: "ok" for k in range(N_PROCESSES)}, outcomes
        with ResultStore(path) as store:
            studies = store.studies()
            assert len(studies) == 1 + N_PROCESSES + SHARED_STUDIES
            key = next(s["study_key"] for s in studies if "seed" in s["parameters"])
            assert store.count(key) == 10 + 5 * N_PROCESSES
            assert store.keys(key) == {(k,) for k in range(10)} | {
                (1000 * (i + 1) + r,) for i in range(N_PROCESSES) for r in range(5)}
            assert all(s["count"] == 5 for s in studies if "writer" in s["parameters"])
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.close()


def test_concurrent_writers_all_succeed_on_an_empty_file(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.touch()
    outcomes = _race(path)
    assert outcomes == {k: "ok" for k in range(N_PROCESSES)}, outcomes
