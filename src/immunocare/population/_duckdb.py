"""Ibis's DuckDB backend on DuckDB 2: a connection wrapper that runs every statement to completion.

Ibis 12 was written for DuckDB 1: it calls ``fetch_arrow_table`` and ``fetch_record_batch`` on the
connection (removed in DuckDB 2) and leaves results of ``execute`` unread (DuckDB 2 refuses further
work on a connection with an unfinished result). :func:`connect_duckdb` gives an Ibis DuckDB
backend whose raw connection sends each statement through ``sql`` instead: statements without a
result run at once, queries come back as relations that are read in full or as a stream of
record batches, so nothing is left pending and nothing deprecated is called. Its ``drop_table``
names the table the way sqlglot 30 writes a ``DROP`` (Ibis 12 passes it where sqlglot no longer
reads it), so cached tables (``Table.cache()``) are released.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot.expressions as sge
from ibis.backends.duckdb import Backend

__all__ = ["connect_duckdb", "duckdb_backend"]


class _Result:
    """What Ibis reads from ``execute``: a DuckDB relation, or nothing for a statement.

    Ibis runs follow-up statements on it (``create_table`` inserts through the result of its
    ``CREATE``), so it runs them on its connection like :meth:`_Connection.execute`.
    """

    def __init__(
        self, relation: duckdb.DuckDBPyRelation | None, connection: duckdb.DuckDBPyConnection
    ) -> None:
        self._relation = relation
        self._connection = connection

    def execute(self, query: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None) -> _Result:
        return _Result(self._connection.sql(query, params=parameters), self._connection)

    def fetch_arrow_table(self) -> pa.Table:
        return self._relation.to_arrow_table() if self._relation is not None else pa.table({})

    def fetch_record_batch(self, rows_per_batch: int = 1_000_000) -> pa.RecordBatchReader:
        if self._relation is None:
            return pa.RecordBatchReader.from_batches(pa.schema([]), [])
        return self._relation.to_arrow_reader(rows_per_batch)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._relation.fetchall() if self._relation is not None else []

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self._relation.limit(1).fetchall() if self._relation is not None else []
        return rows[0] if rows else None

    def close(self) -> None:
        """Nothing to release: the relation holds no pending result."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._relation, name)


class _Connection:
    """A DuckDB connection whose ``execute`` leaves no pending result (see the module docstring)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection

    def execute(self, query: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None) -> _Result:
        return _Result(self._connection.sql(query, params=parameters), self._connection)

    def sql(self, query: str, **kwargs: Any) -> _Result:
        return _Result(self._connection.sql(query, **kwargs), self._connection)

    def cursor(self) -> _Connection:
        return _Connection(self._connection.cursor())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


class _Backend(Backend):  # type: ignore[misc]
    """Ibis's DuckDB backend with a ``drop_table`` that sqlglot 30 writes out in full."""

    def drop_table(
        self, name: str, /, *, database: tuple[str, str] | str | None = None, force: bool = False
    ) -> None:
        catalog, db = self._to_catalog_db_tuple(self._to_sqlglot_table(database))
        table = sge.table_(name, db=db, catalog=catalog, quoted=self.compiler.quoted)
        self.raw_sql(sge.Drop(kind="TABLE", tables=[table], exists=force))


def connect_duckdb(path: Path | None = None, *, read_only: bool = False) -> Backend:
    """An Ibis DuckDB backend on ``path`` (in memory when ``None``) that works with DuckDB 2."""
    return duckdb_backend(duckdb.connect(str(path) if path is not None else ":memory:", read_only=read_only))


def duckdb_backend(connection: duckdb.DuckDBPyConnection) -> Backend:
    """An Ibis DuckDB backend on an open DuckDB connection that works with DuckDB 2.

    DuckDB's own progress bar is turned off: the screen shows its own, which DuckDB's would garble.
    """
    connection.sql("SET enable_progress_bar = false")
    backend: Backend = _Backend.from_connection(connection)
    backend.con = _Connection(connection)
    return backend
