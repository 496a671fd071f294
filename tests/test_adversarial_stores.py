"""Adversarial result stores: corrupt, truncated, foreign, directory and tampered ``--out`` files.

Each must give one :class:`StoreFormatError` naming the file (the CLI turns it into one line and exit code 2), and
a file that is not ours must be left byte for byte as it was: no WAL switch, no tables, no ``-wal`` file.
"""

import os
import sqlite3

import numpy as np
import pytest

from stackelberg.analysis.cooperation_study import cooperation_study
from stackelberg.analysis.store import APPLICATION_ID, ResultStore
from stackelberg.errors import StoreFormatError


def _store(path, n=300):
    with ResultStore(path) as store:
        key = store.register({"study": "demo"}, ("i",))
        store.add(key, [{"i": i, "value": i / 3, "pad": "x" * 50} for i in range(n)])
    return key


def _refused(path, match, action=lambda store: None):
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(StoreFormatError, match=match) as caught:
        with ResultStore(path) as store:
            action(store)
    assert str(path) in str(caught.value)
    if before is not None:
        assert path.read_bytes() == before, "a refused file was modified"
    assert not os.path.exists(f"{path}-wal")


def test_a_directory_is_refused(tmp_path):
    folder = tmp_path / "out.sqlite"
    folder.mkdir()
    _refused(folder, "is a directory")


@pytest.mark.parametrize("content", [b"not a database at all" * 10, np.random.default_rng(3).bytes(4096), b"SQLite format"],
                         ids=["text", "random bytes", "short header"])
def test_files_that_are_not_sqlite_are_refused_untouched(tmp_path, content):
    path = tmp_path / "out.sqlite"
    path.write_bytes(content)
    _refused(path, "not a result store")


def test_foreign_databases_are_refused_untouched(tmp_path):
    plain = tmp_path / "app.sqlite"
    connection = sqlite3.connect(plain)
    connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    connection.commit()
    connection.close()
    _refused(plain, r"not a result store \(tables: \['users'\]\); left untouched")
    marked = tmp_path / "marked.sqlite"
    connection = sqlite3.connect(marked)
    connection.execute("PRAGMA application_id = 1234")
    connection.executescript("CREATE TABLE studies (x); CREATE TABLE records (y);")
    connection.commit()
    connection.close()
    _refused(marked, "another application")
    empty = tmp_path / "empty-db.sqlite"
    connection = sqlite3.connect(empty)
    connection.execute("PRAGMA user_version = 7")
    connection.commit()
    connection.close()
    _refused(empty, r"tables: none")
    for path in (plain, marked, empty):
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        connection.close()


def test_truncated_and_corrupt_stores_are_refused(tmp_path):
    good = tmp_path / "good.sqlite"
    key = _store(good)
    raw = good.read_bytes()
    for label, content in [("half", raw[: len(raw) // 2]), ("header", raw[:100]), ("one page", raw[:4096])]:
        path = tmp_path / f"{label}.sqlite"
        path.write_bytes(content)
        _refused(path, r"(truncated|malformed|corrupt|not a usable)", lambda store: store.rows(key))
    flipped = bytearray(raw)
    for position in range(4096, len(raw), 509):
        flipped[position] ^= 0x5A
    path = tmp_path / "flipped.sqlite"
    path.write_bytes(bytes(flipped))
    _refused(path, r"(malformed|corrupt|not a usable|checksum|not valid JSON|key fields)", lambda store: store.rows(key))


def test_tampered_records_are_detected_on_resume(tmp_path):
    path = tmp_path / "study.sqlite"
    key = _store(path, n=10)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE records SET record = replace(record, '\"value\":1.0', '\"value\":99.0')")
    connection.commit()
    connection.close()
    with ResultStore(path) as store:
        with pytest.raises(StoreFormatError, match=r"record \[3\] of study .* does not match its checksum") as caught:
            store.keys(key)
        assert str(path) in str(caught.value)
        with pytest.raises(StoreFormatError, match="does not match its checksum"):
            store.rows(key)


def test_tampered_keys_parameters_and_json_are_detected(tmp_path):
    path = tmp_path / "study.sqlite"
    key = _store(path, n=5)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE records SET record = '{\"i\": 77}', digest = NULL WHERE rowid = 2")
    connection.execute("UPDATE records SET record = '[not json', digest = NULL WHERE rowid = 3")
    connection.commit()
    connection.close()
    with ResultStore(path) as store:
        with pytest.raises(StoreFormatError, match="does not hold its key fields"):
            store.rows(key)
    connection = sqlite3.connect(path)
    connection.execute("DELETE FROM records WHERE rowid = 2")
    connection.commit()
    connection.close()
    with ResultStore(path) as store:
        with pytest.raises(StoreFormatError, match="not valid JSON"):
            store.rows(key)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE studies SET parameters = '{\"study\": \"other\"}'")
    connection.commit()
    connection.close()
    with ResultStore(path) as store:
        with pytest.raises(StoreFormatError, match="do not hash to its key"):
            store.studies()
        with pytest.raises(StoreFormatError, match="do not hash to its key"):
            store.parameters(key)


def test_stores_from_before_checksums_are_still_ours(tmp_path):
    path = tmp_path / "legacy.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE studies (study_key TEXT PRIMARY KEY, parameters TEXT NOT NULL, key_fields TEXT NOT NULL);"
        "CREATE TABLE records (study_key TEXT NOT NULL REFERENCES studies(study_key), item_key TEXT NOT NULL, "
        "record TEXT NOT NULL, PRIMARY KEY (study_key, item_key));"
    )
    connection.execute("INSERT INTO studies VALUES ('8b7273f808d762a4', '{\"study\":\"x\"}', '[\"i\"]')")
    connection.execute("INSERT INTO records VALUES ('8b7273f808d762a4', '[1]', '{\"i\":1,\"v\":2}')")
    connection.commit()
    connection.close()
    with ResultStore(path) as store:
        key = store.register({"study": "x"}, ("i",))
        assert key == "8b7273f808d762a4"
        store.add(key, [{"i": 2, "v": 3}])
        assert store.rows(key) == [{"i": 1, "v": 2}, {"i": 2, "v": 3}]
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    connection.close()


def test_the_study_refuses_a_foreign_out_file_with_one_error(tmp_path):
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreFormatError, match=r"other\.sqlite: an SQLite database that is not a result store"):
        cooperation_study([2], [0.0], 1, seed=0, workers=1, store=path, progress=False)
    assert path.read_bytes() == before
