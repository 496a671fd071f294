"""A resumable SQLite store for the results of large sweeps.

A sweep (for example the SE-vs-NE cooperation study) evaluates many independent
*items* (one random game each) for a *study*: a set of parameters that fixes how
every item is computed. The store keeps one row per item, keyed by

``(study_key, item key)``

where ``study_key`` is a hash of the study's parameters (:func:`study_key`) and
the item key is the tuple of the record's ``key_fields`` (for the cooperation
study ``(n, rho, trial, game_seed)``). Records are plain dicts of JSON values
(``NaN`` included); they are written one batch per transaction, in WAL mode, so
a sweep that is killed (even with ``SIGKILL``) keeps every batch committed
before it died, and a restarted sweep skips the keys already present
(:meth:`ResultStore.keys`) and writes each key at most once.

Only one process writes (the one driving the sweep); worker processes and Dask
workers return records to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Iterable, Sequence

__all__ = ["ResultStore", "study_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    study_key TEXT PRIMARY KEY,
    parameters TEXT NOT NULL,
    key_fields TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    study_key TEXT NOT NULL REFERENCES studies(study_key),
    item_key TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (study_key, item_key)
);
"""


def study_key(parameters: dict) -> str:
    """A short stable hash of a study's parameters (JSON with sorted keys).

    Parameters
    ----------
    parameters : dict
        JSON-serialisable parameters that determine every record of the study.

    Returns
    -------
    str
        16 hexadecimal digits of the SHA-256 of the canonical JSON.

    Raises
    ------
    TypeError
        If ``parameters`` is not a dict or not JSON-serialisable.

    Examples
    --------
    >>> study_key({"seed": 1, "study": "demo"}) == study_key({"study": "demo", "seed": 1})
    True
    >>> len(study_key({"seed": 1}))
    16
    """
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict; got {type(parameters).__name__}")
    return hashlib.sha256(_canonical(parameters, "parameters").encode()).hexdigest()[:16]


def _canonical(value, name: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be JSON-serialisable (plain int/float/str/bool/None, lists, dicts): {error}") from None


class ResultStore:
    """One SQLite file holding the records of any number of studies.

    Parameters
    ----------
    path : str or os.PathLike
        The database file (created with its parent directory if missing).

    Raises
    ------
    TypeError
        If ``path`` is not a path.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> with ResultStore(os.path.join(folder, "demo.sqlite")) as store:
    ...     key = store.register({"study": "demo"}, key_fields=("x",))
    ...     store.add(key, [{"x": 1, "y": 2.5}, {"x": 2, "y": float("nan")}])
    ...     store.add(key, [{"x": 1, "y": 2.5}])  # already there: skipped
    ...     sorted(store.keys(key)), store.count(key)
    2
    0
    ([(1,), (2,)], 2)
    """

    def __init__(self, path):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path (str or os.PathLike); got {type(path).__name__}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(self.path, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.executescript(_SCHEMA)

    # ------------------------------------------------------------------ studies
    def register(self, parameters: dict, key_fields: Sequence[str]) -> str:
        """Declare a study (idempotent) and return its key.

        Parameters
        ----------
        parameters : dict
            JSON-serialisable parameters that determine every record.
        key_fields : sequence of str
            The record fields whose values identify an item within the study.

        Returns
        -------
        str
            ``study_key(parameters)``.

        Raises
        ------
        TypeError
            If the parameters are not JSON-serialisable or a key field is not a string.
        ValueError
            If ``key_fields`` is empty or differs from the one registered before.
        """
        key = study_key(parameters)
        fields = list(key_fields) if not isinstance(key_fields, str) else [key_fields]
        if not fields:
            raise ValueError("key_fields must name at least one record field")
        if not all(isinstance(f, str) for f in fields):
            raise TypeError(f"key_fields must be strings; got {fields!r}")
        existing = self._connection.execute("SELECT key_fields FROM studies WHERE study_key = ?", (key,)).fetchone()
        if existing is not None:
            if json.loads(existing[0]) != fields:
                raise ValueError(f"key_fields must match the study's registered fields {json.loads(existing[0])}; got {fields}")
            return key
        with self._transaction():
            self._connection.execute(
                "INSERT INTO studies VALUES (?, ?, ?)", (key, _canonical(parameters, "parameters"), json.dumps(fields))
            )
        return key

    def studies(self) -> list[dict]:
        """Every registered study: ``study_key``, ``parameters``, ``key_fields`` and ``count``."""
        cursor = self._connection.execute(
            "SELECT s.study_key, s.parameters, s.key_fields, COUNT(r.item_key) FROM studies s "
            "LEFT JOIN records r ON r.study_key = s.study_key GROUP BY s.study_key ORDER BY s.rowid"
        )
        return [
            {"study_key": key, "parameters": json.loads(p), "key_fields": tuple(json.loads(f)), "count": count}
            for key, p, f, count in cursor
        ]

    def parameters(self, study_key: str) -> dict:
        """The parameters a study was registered with."""
        return json.loads(self._study(study_key)[0])

    # ------------------------------------------------------------------ records
    def add(self, study_key: str, records: Iterable[dict]) -> int:
        """Write a batch of records in one transaction; keys already present are skipped.

        Parameters
        ----------
        study_key : str
            A key returned by :meth:`register`.
        records : iterable of dict
            JSON-serialisable records holding every key field.

        Returns
        -------
        int
            The number of records actually inserted.

        Raises
        ------
        KeyError
            If the study is not registered.
        ValueError
            If a record lacks a key field.
        TypeError
            If a record is not a dict or not JSON-serialisable.
        """
        fields = self._key_fields(study_key)
        rows = []
        for record in records:
            if not isinstance(record, dict):
                raise TypeError(f"records must be dicts; got {type(record).__name__}")
            missing = [f for f in fields if f not in record]
            if missing:
                raise ValueError(f"every record must hold the key fields {fields}; a record lacks {missing}")
            rows.append((study_key, self._item_key(record, fields), _canonical(record, "record")))
        with self._transaction():
            before = self._connection.total_changes
            self._connection.executemany("INSERT OR IGNORE INTO records VALUES (?, ?, ?)", rows)
            return self._connection.total_changes - before

    def keys(self, study_key: str) -> set[tuple]:
        """The item keys (tuples of key-field values) already stored for a study."""
        self._key_fields(study_key)
        cursor = self._connection.execute("SELECT item_key FROM records WHERE study_key = ?", (study_key,))
        return {tuple(json.loads(item)) for (item,) in cursor}

    def rows(self, study_key: str) -> list[dict]:
        """Every record of a study, in the order they were written."""
        self._key_fields(study_key)
        cursor = self._connection.execute("SELECT record FROM records WHERE study_key = ? ORDER BY rowid", (study_key,))
        return [json.loads(record) for (record,) in cursor]

    def count(self, study_key: str) -> int:
        """The number of records stored for a study."""
        self._key_fields(study_key)
        return self._connection.execute("SELECT COUNT(*) FROM records WHERE study_key = ?", (study_key,)).fetchone()[0]

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Close the database connection."""
        self._connection.close()

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResultStore({str(self.path)!r})"

    # ------------------------------------------------------------------ helpers
    def _transaction(self):
        return _Transaction(self._connection)

    def _study(self, study_key: str):
        if not isinstance(study_key, str):
            raise TypeError(f"study_key must be a string; got {type(study_key).__name__}")
        row = self._connection.execute(
            "SELECT parameters, key_fields FROM studies WHERE study_key = ?", (study_key,)
        ).fetchone()
        if row is None:
            raise KeyError(f"study_key {study_key!r} is not registered in {self.path}")
        return row

    def _key_fields(self, study_key: str) -> list[str]:
        return json.loads(self._study(study_key)[1])

    @staticmethod
    def _item_key(record: dict, fields: list[str]) -> str:
        return _canonical([record[f] for f in fields], "record key")


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error)."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    def __enter__(self):
        self._connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *exc):
        self._connection.execute("ROLLBACK" if exc_type else "COMMIT")
