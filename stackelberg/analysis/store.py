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
workers return records to it. Several processes may still open, register and
write the same store at once (two studies started together, or a test): the
tables are created and the study registered inside ``BEGIN IMMEDIATE``
transactions with a busy timeout of ``timeout`` seconds, so they queue instead
of failing.

**Files that are not ours are never modified.** A store is recognised by its
SQLite ``application_id`` (:data:`APPLICATION_ID`, set when the store is
created) or, for stores written before it existed, by having exactly this
module's two tables. Anything else -- a directory, a file that is not SQLite,
a truncated or corrupt database, another application's database -- raises
:class:`~stackelberg.errors.StoreFormatError` naming the file, before anything
is written (no WAL switch, no tables).

**Records are checked when read.** Each row keeps the SHA-256 of its study key,
item key and record; :meth:`ResultStore.keys` and :meth:`ResultStore.rows`
recompute it (and check the record is a JSON object holding its key fields),
so a value changed outside this module is reported as a
:class:`~stackelberg.errors.StoreFormatError`, not silently resumed from.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import StoreFormatError

__all__ = ["ResultStore", "study_key", "APPLICATION_ID", "StoreFormatError"]

#: The SQLite ``application_id`` (header bytes 68-71) of a result store: ASCII "STKB".
APPLICATION_ID = 0x53544B42

_SQLITE_MAGIC = b"SQLite format 3\x00"

_TABLES = {
    "studies": ["study_key", "parameters", "key_fields"],
    "records": ["study_key", "item_key", "record"],
}

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS studies (
    study_key TEXT PRIMARY KEY,
    parameters TEXT NOT NULL,
    key_fields TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS records (
    study_key TEXT NOT NULL REFERENCES studies(study_key),
    item_key TEXT NOT NULL,
    record TEXT NOT NULL,
    digest TEXT,
    PRIMARY KEY (study_key, item_key)
)""",
)


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
    timeout : float, default 60
        Seconds to wait for another process's transaction on the same file before giving up.

    Raises
    ------
    TypeError
        If ``path`` is not a path.
    StoreFormatError
        (a ``ValueError``) naming the file, if it is a directory, not an SQLite database, truncated or corrupt,
        or another application's database (which is left untouched).

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

    def __init__(self, path, *, timeout: float = 60.0):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path (str or os.PathLike); got {type(path).__name__}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds; got {timeout!r}")
        self.path = Path(path)
        self._timeout = float(timeout)
        self._connection = None
        self._check_file()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreFormatError(f"{self.path}: cannot create the store's folder ({error})") from None
        try:
            self._connection = sqlite3.connect(self.path, isolation_level=None, timeout=self._timeout)
            self._create_or_check()
            self._retry(lambda: self._connection.execute("PRAGMA journal_mode=WAL").fetchone())
            self._connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as error:
            self.close()
            raise StoreFormatError(f"{self.path}: not a usable result store ({error})") from None
        except BaseException:
            self.close()
            raise

    def _check_file(self) -> None:
        """Refuse, without writing anything, a path that is not (or cannot become) one of our stores."""
        if self.path.is_dir():
            raise StoreFormatError(f"{self.path}: is a directory, not a result store file")
        if not self.path.exists():
            return
        if not self.path.is_file():
            raise StoreFormatError(f"{self.path}: is not a regular file")
        size = self.path.stat().st_size
        if size == 0:
            return  # an empty file is an empty database: SQLite writes nothing into it before our tables
        with open(self.path, "rb") as handle:
            header = handle.read(100)
        if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
            raise StoreFormatError(f"{self.path}: not a result store (not an SQLite database: no SQLite header)")
        application = int.from_bytes(header[68:72], "big")
        if application not in (0, APPLICATION_ID):
            raise StoreFormatError(f"{self.path}: an SQLite database of another application (application_id "
                                   f"{application:#x}); left untouched")
        if application == 0:
            self._check_foreign_tables()

    def _check_length(self) -> None:
        """Under the write lock: a file shorter than its page count says was truncated (WAL pages aside)."""
        pages = self._connection.execute("PRAGMA page_count").fetchone()[0]
        page_size = self._connection.execute("PRAGMA page_size").fetchone()[0]
        size = self.path.stat().st_size
        if size < pages * page_size and not Path(f"{self.path}-wal").exists():
            raise StoreFormatError(f"{self.path}: truncated result store ({size} bytes; it has {pages} pages of "
                                   f"{page_size} bytes)")

    def _check_foreign_tables(self) -> None:
        """An SQLite file without our application_id is ours only if it has exactly our tables (older stores)."""
        try:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            with sqlite3.connect(uri, uri=True, timeout=self._timeout) as probe:
                tables = _tables(probe)
            probe.close()
        except sqlite3.DatabaseError as error:
            raise StoreFormatError(f"{self.path}: not a usable result store ({error})") from None
        if not _is_our_layout(tables):
            names = sorted(tables) if tables else "none"
            raise StoreFormatError(f"{self.path}: an SQLite database that is not a result store (tables: {names}); "
                                   "left untouched")

    def _create_or_check(self) -> None:
        """Create the tables and set the application_id in one transaction, or check an existing store."""
        def create():
            with self._transaction():
                tables = _tables(self._connection)
                application = self._connection.execute("PRAGMA application_id").fetchone()[0]
                if not tables:
                    if application not in (0, APPLICATION_ID):
                        raise StoreFormatError(f"{self.path}: an SQLite database of another application; left untouched")
                    for statement in _SCHEMA:
                        self._connection.execute(statement)
                    self._connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    return
                if application != APPLICATION_ID and not _is_our_layout(tables):
                    raise StoreFormatError(f"{self.path}: an SQLite database that is not a result store (tables: "
                                           f"{sorted(tables)}); left untouched")
                self._check_length()
                if "digest" not in tables["records"]:  # a store from before checksums: ours, add the column
                    self._connection.execute("ALTER TABLE records ADD COLUMN digest TEXT")
                if application != APPLICATION_ID:
                    self._connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")

        self._retry(create)

    def _retry(self, action):
        """Run ``action``, retrying while another process holds the lock (up to ``timeout`` seconds)."""
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                return action()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

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
        text = _canonical(parameters, "parameters")

        def insert():
            with self._transaction():
                self._connection.execute("INSERT OR IGNORE INTO studies VALUES (?, ?, ?)", (key, text, json.dumps(fields)))
                return self._connection.execute(
                    "SELECT parameters, key_fields FROM studies WHERE study_key = ?", (key,)).fetchone()

        stored, stored_fields = self._guard(lambda: self._retry(insert))
        if self._json(stored_fields, f"key fields of study {key}") != fields:
            raise ValueError(f"key_fields must match the study's registered fields {json.loads(stored_fields)}; "
                             f"got {fields}")
        if stored != text:
            raise StoreFormatError(f"{self.path}: study {key} is registered with other parameters than those it is "
                                   "the hash of (the store was changed outside stackelberg)")
        return key

    def studies(self) -> list[dict]:
        """Every registered study: ``study_key``, ``parameters``, ``key_fields`` and ``count``."""
        cursor = self._guard(lambda: self._connection.execute(
            "SELECT s.study_key, s.parameters, s.key_fields, COUNT(r.item_key) FROM studies s "
            "LEFT JOIN records r ON r.study_key = s.study_key GROUP BY s.study_key ORDER BY s.rowid"
        ).fetchall())
        return [
            {"study_key": key, "parameters": self._parameters(key, p), "key_fields": tuple(self._fields(key, f)),
             "count": count}
            for key, p, f, count in cursor
        ]

    def parameters(self, study_key: str) -> dict:
        """The parameters a study was registered with."""
        return self._parameters(study_key, self._study(study_key)[0])

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
            item, text = self._item_key(record, fields), _canonical(record, "record")
            rows.append((study_key, item, text, _digest(study_key, item, text)))

        def insert():
            with self._transaction():
                before = self._connection.total_changes
                self._connection.executemany("INSERT OR IGNORE INTO records VALUES (?, ?, ?, ?)", rows)
                return self._connection.total_changes - before

        return self._guard(lambda: self._retry(insert))

    def keys(self, study_key: str) -> set[tuple]:
        """The item keys (tuples of key-field values) already stored for a study, every record checked.

        Raises
        ------
        StoreFormatError
            If a record was changed outside this module (see :meth:`rows`).
        """
        return {tuple(item) for item, _ in self._checked_records(study_key)}

    def rows(self, study_key: str) -> list[dict]:
        """Every record of a study, in the order they were written.

        Raises
        ------
        StoreFormatError
            Naming the file, study and item, if a record is not a JSON object holding its key fields, its key
            fields disagree with its item key, or its checksum does not match (a value changed outside this
            module); records of stores written before checksums existed get the structural checks only.
        """
        return [record for _, record in self._checked_records(study_key)]

    def count(self, study_key: str) -> int:
        """The number of records stored for a study."""
        self._key_fields(study_key)
        return self._guard(lambda: self._connection.execute(
            "SELECT COUNT(*) FROM records WHERE study_key = ?", (study_key,)).fetchone()[0])

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Close the database connection."""
        if self._connection is not None:
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
        row = self._guard(lambda: self._connection.execute(
            "SELECT parameters, key_fields FROM studies WHERE study_key = ?", (study_key,)
        ).fetchone())
        if row is None:
            raise KeyError(f"study_key {study_key!r} is not registered in {self.path}")
        return row

    def _key_fields(self, study_key: str) -> list[str]:
        return self._fields(study_key, self._study(study_key)[1])

    def _fields(self, study_key: str, text) -> list[str]:
        fields = self._json(text, f"key fields of study {study_key}")
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
            raise StoreFormatError(f"{self.path}: the key fields of study {study_key} are not a list of names")
        return fields

    def _parameters(self, study_key: str, text) -> dict:
        parameters = self._json(text, f"parameters of study {study_key}")
        if not isinstance(parameters, dict) or globals()["study_key"](parameters) != study_key:
            raise StoreFormatError(f"{self.path}: the parameters of study {study_key} do not hash to its key "
                                   "(changed outside stackelberg)")
        return parameters

    def _json(self, text, what: str):
        try:
            return json.loads(text)
        except (TypeError, ValueError, RecursionError):
            raise StoreFormatError(f"{self.path}: {what}: not valid JSON (changed outside stackelberg)") from None

    def _checked_records(self, study_key: str):
        """``(item key, record)`` pairs of a study, each checked against its item key and checksum."""
        fields = self._key_fields(study_key)
        rows = self._guard(lambda: self._connection.execute(
            "SELECT item_key, record, digest FROM records WHERE study_key = ? ORDER BY rowid", (study_key,)
        ).fetchall())
        out = []
        for item, text, digest in rows:
            where = f"record {str(item)[:80]} of study {study_key}"
            if not isinstance(item, str) or not isinstance(text, str):
                raise StoreFormatError(f"{self.path}: {where} is not text (changed outside stackelberg)")
            if digest is not None and digest != _digest(study_key, item, text):
                raise StoreFormatError(f"{self.path}: {where} does not match its checksum (changed outside "
                                       "stackelberg); delete the row or the store to recompute it")
            record = self._json(text, where)
            key = self._json(item, f"key of {where}")
            if not isinstance(record, dict) or not isinstance(key, list) or any(f not in record for f in fields) \
                    or self._item_key(record, fields) != item:
                raise StoreFormatError(f"{self.path}: {where} does not hold its key fields {fields} (changed outside "
                                       "stackelberg)")
            out.append((key, record))
        return out

    def _guard(self, action):
        """Run a query, turning SQLite's corruption errors into a StoreFormatError naming the file."""
        try:
            return action()
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise
            raise StoreFormatError(f"{self.path}: not a usable result store ({error})") from None
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as error:
            raise StoreFormatError(f"{self.path}: corrupt result store ({error})") from None

    @staticmethod
    def _item_key(record: dict, fields: list[str]) -> str:
        return _canonical([record[f] for f in fields], "record key")


def _digest(study_key: str, item_key: str, record: str) -> str:
    return hashlib.sha256("\x1f".join((study_key, item_key, record)).encode()).hexdigest()


def _tables(connection) -> dict:
    """``{table: [column, ...]}`` of an SQLite database (internal ``sqlite_`` tables left out)."""
    names = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {name: [row[1] for row in connection.execute(f"PRAGMA table_info({json.dumps(name)})")] for name in names}


def _is_our_layout(tables: dict) -> bool:
    """True when the tables are exactly a result store's (the records' digest column is optional: older stores)."""
    if set(tables) != set(_TABLES):
        return False
    records = [c for c in tables["records"] if c != "digest"]
    return tables["studies"] == _TABLES["studies"] and records == _TABLES["records"]


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error)."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    def __enter__(self):
        self._connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *exc):
        self._connection.execute("ROLLBACK" if exc_type else "COMMIT")
