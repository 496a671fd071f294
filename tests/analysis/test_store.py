"""Tests for stackelberg/analysis/store.py: SQLite result store, resumable sweeps."""

import math
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from stackelberg.analysis.store import ResultStore, study_key


@pytest.fixture
def store(tmp_path):
    with ResultStore(tmp_path / "results.sqlite") as opened:
        yield opened


def test_study_key_is_stable_and_order_independent():
    assert study_key({"a": 1, "b": [1, 2]}) == study_key({"b": [1, 2], "a": 1})
    assert study_key({"a": 1}) != study_key({"a": 2})
    with pytest.raises(TypeError, match="parameters"):
        study_key([("a", 1)])
    with pytest.raises(TypeError, match="JSON"):
        study_key({"a": object()})


def test_register_is_idempotent_and_checks_key_fields(store):
    key = store.register({"study": "demo", "seed": 1}, ("n", "trial"))
    assert store.register({"seed": 1, "study": "demo"}, ["n", "trial"]) == key
    with pytest.raises(ValueError, match="key_fields"):
        store.register({"study": "demo", "seed": 1}, ("n",))
    with pytest.raises(ValueError, match="key_fields"):
        store.register({"study": "other"}, ())
    assert store.studies() == [
        {"study_key": key, "parameters": {"study": "demo", "seed": 1}, "key_fields": ("n", "trial"), "count": 0}
    ]
    assert store.parameters(key) == {"study": "demo", "seed": 1}


def test_records_round_trip_exactly_and_duplicates_are_skipped(store):
    key = store.register({"study": "demo"}, ("n", "rho", "seed"))
    records = [
        {"n": 5, "rho": 0.30000000000000004, "seed": 2**63 - 1, "value": 1 / 3, "nan": math.nan, "flag": True, "none": None},
        {"n": 5, "rho": -1.0, "seed": 0, "value": -2.5e-300, "nan": 0.0, "flag": False, "none": "dominates"},
    ]
    assert store.add(key, records) == 2
    assert store.add(key, records[:1] + [dict(records[1], n=6)]) == 1  # one new key, one duplicate
    assert store.count(key) == 3
    rows = store.rows(key)
    assert rows[0]["rho"] == 0.30000000000000004 and rows[0]["seed"] == 2**63 - 1 and rows[0]["value"] == 1 / 3
    assert math.isnan(rows[0]["nan"]) and rows[0]["flag"] is True and rows[0]["none"] is None
    assert rows[1] == records[1]
    assert store.keys(key) == {(5, 0.30000000000000004, 2**63 - 1), (5, -1.0, 0), (6, -1.0, 0)}


def test_bad_records_write_nothing(store):
    key = store.register({"study": "demo"}, ("n",))
    with pytest.raises(ValueError, match="key fields"):
        store.add(key, [{"n": 1}, {"m": 2}])
    with pytest.raises(TypeError, match="JSON"):
        store.add(key, [{"n": 1}, {"n": 2, "x": object()}])
    with pytest.raises(TypeError, match="dicts"):
        store.add(key, [{"n": 1}, [2]])
    assert store.count(key) == 0
    with pytest.raises(KeyError, match="not registered"):
        store.add("0123456789abcdef", [{"n": 1}])
    with pytest.raises(TypeError, match="study_key"):
        store.rows(12)


def test_path_is_checked_and_database_persists_in_wal_mode(tmp_path):
    with pytest.raises(TypeError, match="path"):
        ResultStore(3)
    path = tmp_path / "nested" / "results.sqlite"
    with ResultStore(path) as first:
        key = first.register({"study": "demo"}, ("n",))
        first.add(key, [{"n": 1, "x": 2.0}])
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with ResultStore(path) as second:
        assert second.rows(key) == [{"n": 1, "x": 2.0}]


def test_a_killed_writer_keeps_exactly_the_committed_batches(tmp_path):
    """SIGKILL a process after its third batch: the three batches survive, nothing else."""
    path = tmp_path / "killed.sqlite"
    script = textwrap.dedent(
        f"""
        import os, signal
        from stackelberg.analysis.store import ResultStore
        store = ResultStore({str(path)!r})
        key = store.register({{"study": "demo"}}, ("n",))
        for batch in range(10):
            store.add(key, [{{"n": 10 * batch + k}} for k in range(10)])
            if batch == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), capture_output=True)
    assert completed.returncode == -9, completed.stderr.decode()
    with ResultStore(path) as store:
        (study,) = store.studies()
        assert sorted(n for (n,) in store.keys(study["study_key"])) == list(range(30))
        assert study["count"] == 30
