"""OMOP CDM sources: one way to open a DuckDB file, a Parquet or CSV folder, PostgreSQL or Spark tables.

:func:`open_source` turns a spec into an :class:`OmopSource` whose :meth:`~OmopSource.table` hands
out Ibis tables in one shape whatever the origin: lower-case OMOP table and column names, person
and concept ids as integers, ``*_date`` columns as DATE. Nothing is loaded at open time; files are
scanned by the engine when a query runs (DuckDB views over the files, or Spark ``read``), so a
source larger than memory works. The spec forms:

- ``/data/omop.duckdb`` (or ``.db``): a DuckDB database file, opened read-only;
- ``/data/omop/``: a folder with one Parquet or CSV file, or one sub-folder of them, per table
  (file name = table name, any case: ``PERSON.csv``, ``person.parquet``, ``person/part-0.parquet``);
- ``postgresql://user@host:5432/db?schema=cdm``: a PostgreSQL schema, queried on the server
  through Ibis's PostgreSQL backend (the password may come from ``PGPASSWORD``);
- ``spark:DATABASE``: the tables of a database in an existing SparkSession's catalog.

With ``engine="spark"`` a folder is read by Spark (the given SparkSession, or a ``local[*]`` one).
:func:`require_columns` checks that the tables and columns a computation needs are there, and
:class:`SourceError` names each missing ``omop.<table>.<column>``.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs, unquote, urlsplit

import ibis
import ibis.expr.datatypes as dt
from ibis import BaseBackend

from immunocare._types import MEMORY_AMOUNT
from immunocare.errors import FieldIssue, ValidationError

from ._codes import Omop
from ._duckdb import connect_duckdb

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "REQUIRED",
    "SUPPORTED_CDM_VERSIONS",
    "Engine",
    "OmopSource",
    "SourceError",
    "open_source",
    "require_columns",
    "spark_session",
]

Engine = Literal["duckdb", "spark", "postgres"]
"""Where the queries run: DuckDB in process, Spark, or the PostgreSQL server itself."""

SUPPORTED_CDM_VERSIONS = ("5.3", "5.4")
"""The OMOP CDM major.minor versions whose table shapes immunocare reads."""

REQUIRED: Mapping[str, tuple[str, ...]] = {
    "person": ("person_id", "year_of_birth"),
    "condition_occurrence": ("person_id", "condition_concept_id", "condition_start_date"),
    "drug_exposure": ("person_id", "drug_concept_id", "drug_exposure_start_date"),
}
"""The tables (and their columns) every OMOP source must have; other tables are optional."""

_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)")
_DATA_SUFFIXES = {".parquet": "parquet", ".csv": "csv"}
_TEXT_SUFFIXES = ("_source_value", "concept_code")


class SourceError(ValidationError):
    """An OMOP source that cannot be read: each issue names ``omop.<table>[.<column>]`` or ``omop``."""


@dataclass(frozen=True)
class OmopSource:
    """An opened OMOP CDM database; tables come out with lower-case names and DATE dates.

    Attributes:
        backend: the Ibis backend the queries run on.
        engine: ``duckdb``, ``spark`` or ``postgres``.
        description: where the data are, for reports (never a password).
        cdm_version: ``5.3`` or ``5.4`` from ``cdm_source.cdm_version``; ``None`` when not recorded.
        names: lower-case OMOP table name → the backend's own table name.
        database: the backend database (schema) holding the tables, when not the default one.
    """

    backend: BaseBackend
    engine: Engine
    description: str
    cdm_version: str | None
    names: Mapping[str, str] = field(default_factory=dict, repr=False)
    database: str | None = field(default=None, repr=False)
    _tables: dict[str, ibis.Table] = field(default_factory=dict, init=False, repr=False, compare=False)

    def has(self, name: str) -> bool:
        """Whether the source holds the OMOP table ``name`` (lower case)."""
        return name in self.names

    def table(self, name: str) -> ibis.Table:
        """The OMOP table ``name`` with lower-case columns, integer ids and DATE ``*_date`` columns.

        Raises:
            SourceError: the source has no such table.
        """
        if name not in self.names:
            raise SourceError.single(f"omop.{name}", f"the source has no {name} table ({self.description})")
        if name not in self._tables:  # asking the backend binds the table again (Parquet: its metadata)
            self._tables[name] = _normalised(self.backend.table(self.names[name], database=self.database))
        return self._tables[name]


def _normalised(raw: ibis.Table) -> ibis.Table:
    """Lower-case column names; ids as int64, ``*_date`` as date, ``*_datetime`` as timestamp."""
    lowered = {column.lower(): column for column in raw.columns}
    table = raw.rename({new: old for new, old in lowered.items() if new != old})
    casts = {}
    for column, dtype in table.schema().items():
        wanted = _wanted_type(column)
        if wanted is not None and not _same_kind(dtype, wanted):
            casts[column] = table[column].cast(wanted)
    return table.mutate(**casts) if casts else table


def _is_text(column: str) -> bool:
    """Columns holding codes, which stay text even when every value looks like a number."""
    return column.lower().endswith(_TEXT_SUFFIXES)


def _wanted_type(column: str) -> dt.DataType | None:
    if _is_text(column):
        return dt.string
    if column.endswith("_datetime"):
        return dt.timestamp
    if column.endswith("_date"):
        return dt.date
    if column == "person_id" or column.endswith("_concept_id"):
        return dt.int64
    return None


def _same_kind(actual: dt.DataType, wanted: dt.DataType) -> bool:
    if wanted.is_int64():
        return bool(actual.is_integer())
    return type(actual) is type(wanted)


def open_source(
    spec: str,
    *,
    engine: Literal["duckdb", "spark"] = "duckdb",
    spark: SparkSession | None = None,
    memory_limit: str | None = None,
) -> OmopSource:
    """Open an OMOP CDM source and check its required tables, columns and CDM version.

    Args:
        spec: a DuckDB file, a folder of Parquet/CSV files, a ``postgresql://`` URL or ``spark:DB``.
        engine: the engine that reads a folder; DuckDB files run on DuckDB, PostgreSQL on its
            server and ``spark:`` sources on Spark whatever this says.
        spark: the SparkSession to use (``spark:`` specs and ``engine="spark"``); for files a
            ``local[*]`` session is started when none is given.
        memory_limit: on DuckDB, the most memory the screen's queries may hold ("2GB", "512MiB");
            beyond it DuckDB spills to a private temporary folder. ``None``: DuckDB's own limit
            (80 % of the machine's memory). Spark's memory is Spark's configuration.

    Raises:
        SourceError: the spec names nothing readable, a required table or column is missing, the
            CDM version is not 5.3 or 5.4, or the memory limit is not an amount of memory.
    """
    if engine not in ("duckdb", "spark"):
        raise SourceError.single("engine", f"unknown engine {engine!r}: use duckdb or spark")
    if memory_limit is not None and not MEMORY_AMOUNT.fullmatch(memory_limit):
        raise SourceError.single(
            "memory_limit", f"{memory_limit!r} is not an amount of memory: write it as 2GB or 512MiB"
        )
    source = _opened(spec.strip(), engine, spark)
    if source.engine == "duckdb":
        _spill_privately(source, memory_limit)
    require_columns(source, REQUIRED)
    return source


def _spill_privately(source: OmopSource, memory_limit: str | None) -> None:
    """DuckDB spills to a folder of its own (not the working directory), within the memory limit.

    DuckDB makes the folder only if it spills, and removes what it made when the source closes.
    """
    con = source.backend.con
    parent = Path(tempfile.gettempdir()) / "immunocare-duckdb"
    parent.mkdir(mode=0o700, exist_ok=True)
    con.sql(f"SET temp_directory = '{parent / secrets.token_hex(8)}'")
    if memory_limit is not None:
        con.sql(f"SET memory_limit = '{memory_limit.strip()}'")


def _opened(spec: str, engine: str, spark: SparkSession | None) -> OmopSource:
    if spec.startswith("spark:"):
        return _spark_catalog(spec.removeprefix("spark:"), spark)
    if spec.startswith(("postgresql://", "postgres://")):
        return _postgres(spec)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() in (".duckdb", ".db"):
        return _duckdb_file(path)
    if path.is_dir():
        files = _table_files(path)
        if engine == "spark":
            return _spark_files(path, files, spark)
        return _duckdb_files(path, files)
    if not path.exists():
        raise SourceError.single("omop", f"{spec} does not exist")
    raise SourceError.single(
        "omop",
        f"{spec} is not an OMOP source: give a .duckdb file, a folder of Parquet or CSV files, "
        "a postgresql:// URL or spark:DATABASE",
    )


def _finished(
    backend: BaseBackend,
    engine: Engine,
    description: str,
    names: Mapping[str, str],
    database: str | None = None,
) -> OmopSource:
    """A source with its CDM version read from ``cdm_source`` (checked to be 5.3 or 5.4)."""
    source = OmopSource(backend, engine, description, None, names, database)
    version = _cdm_version(source)
    return OmopSource(backend, engine, description, version, names, database)


def _cdm_version(source: OmopSource) -> str | None:
    if not source.has("cdm_source") or "cdm_version" not in source.table("cdm_source").columns:
        return None
    column = source.table("cdm_source").cdm_version.cast("string")
    values = column.name("v").as_table().filter(column.notnull()).limit(1).v.to_pyarrow().to_pylist()
    if not values:
        return None
    found = _VERSION.match(str(values[0]))
    version = f"{found.group(1)}.{found.group(2)}" if found else None
    if version not in SUPPORTED_CDM_VERSIONS:
        raise SourceError.single(
            "omop.cdm_source.cdm_version",
            f"CDM version {values[0]!r} is not supported: immunocare reads OMOP CDM "
            f"{' and '.join(SUPPORTED_CDM_VERSIONS)}",
        )
    return version


def _lowered(names: Iterable[str]) -> dict[str, str]:
    return {name.lower(): name for name in names}


def _duckdb_file(path: Path) -> OmopSource:
    try:
        backend = connect_duckdb(path, read_only=True)
    except Exception as error:  # duckdb raises its own IOException / InvalidInputException
        raise SourceError.single("omop", f"{path} cannot be opened as a DuckDB database: {error}") from None
    return _finished(backend, "duckdb", f"DuckDB file {path}", _lowered(backend.list_tables()))


def _table_files(folder: Path) -> dict[str, tuple[str, list[Path]]]:
    """Table name → (format, files) for each table file or table sub-folder of ``folder``."""
    tables: dict[str, tuple[str, list[Path]]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix.lower() in _DATA_SUFFIXES:
            tables[entry.stem.lower()] = (_DATA_SUFFIXES[entry.suffix.lower()], [entry])
        elif entry.is_dir():
            for suffix, kind in _DATA_SUFFIXES.items():
                parts = sorted(p for p in entry.rglob(f"*{suffix}") if not p.name.startswith((".", "_")))
                if parts:
                    tables[entry.name.lower()] = (kind, parts)
                    break
    if not tables:
        raise SourceError.single("omop", f"{folder} holds no Parquet or CSV table files")
    return tables


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def _duckdb_files(folder: Path, files: Mapping[str, tuple[str, list[Path]]]) -> OmopSource:
    """DuckDB views over the files: nothing is loaded until a query scans them."""
    backend = connect_duckdb()
    for name, (kind, paths) in files.items():
        sources = [str(p) for p in paths]
        if kind == "parquet":
            backend.read_parquet(sources, table_name=name)
        else:
            text = {column: "VARCHAR" for column in _csv_header(paths[0]) if _is_text(column)}
            backend.read_csv(sources, table_name=name, types=text)
    kinds = "/".join(sorted({kind for kind, _ in files.values()}))
    return _finished(backend, "duckdb", f"{kinds} folder {folder}", {n: n for n in files})


def spark_session(master: str = "local[*]", config: Mapping[str, str] | None = None) -> SparkSession:
    """A SparkSession on ``master`` (``local[*]``, ``spark://host:7077``) for screens.

    Spark's console progress bars are off (the screen shows its own); ``config`` adds settings.
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("immunocare")
    for key, value in {"spark.ui.showConsoleProgress": "false", **(config or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _spark_session(spark: SparkSession | None) -> SparkSession:
    return spark if spark is not None else spark_session()


def _spark_files(
    folder: Path, files: Mapping[str, tuple[str, list[Path]]], spark: SparkSession | None
) -> OmopSource:
    """Spark temporary views over the files, named with a prefix unique to this source."""
    session = _spark_session(spark)
    prefix = f"omop_{secrets.token_hex(4)}_"
    for name, (kind, paths) in files.items():
        sources = [str(p) for p in paths]
        frame = session.read.parquet(*sources) if kind == "parquet" else _spark_csv(session, sources)
        frame.createOrReplaceTempView(prefix + name)
    backend = ibis.pyspark.connect(session)
    kinds = "/".join(sorted({kind for kind, _ in files.values()}))
    return _finished(backend, "spark", f"{kinds} folder {folder} (Spark)", {n: prefix + n for n in files})


def _spark_csv(session: SparkSession, paths: list[str]) -> DataFrame:
    """CSV read by Spark with inferred types, except that code columns stay text."""
    from pyspark.sql.types import StringType, StructField, StructType

    inferred = session.read.csv(paths, header=True, inferSchema=True).schema
    schema = StructType(
        [StructField(f.name, StringType()) if _is_text(f.name) else f for f in inferred.fields]
    )
    return session.read.csv(paths, header=True, schema=schema)


def _spark_catalog(database: str, spark: SparkSession | None) -> OmopSource:
    if not database:
        raise SourceError.single("omop", "spark: needs a database name, e.g. spark:cdm")
    session = _spark_session(spark)
    if not session.catalog.databaseExists(database):
        raise SourceError.single("omop", f"the Spark catalog has no database {database!r}")
    names = _lowered(t.name for t in session.catalog.listTables(database))
    backend = ibis.pyspark.connect(session)
    return _finished(backend, "spark", f"Spark database {database}", names, database)


def _postgres(spec: str) -> OmopSource:
    """A PostgreSQL schema through Ibis's PostgreSQL backend: the queries run on the server."""
    url = urlsplit(spec)
    schema = parse_qs(url.query).get("schema", ["public"])[0]
    database = url.path.lstrip("/")
    if not database:
        raise SourceError.single("omop", "the postgresql:// URL names no database (…/DATABASE?schema=cdm)")
    try:
        backend = ibis.postgres.connect(
            host=url.hostname or "localhost",
            port=url.port or 5432,
            user=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else os.environ.get("PGPASSWORD"),
            database=database,
        )
    except Exception as error:  # psycopg.OperationalError and friends, with the server's reason
        reason = str(error).replace(url.password or "\0", "***")
        raise SourceError.single("omop", f"cannot connect to PostgreSQL: {reason}") from None
    names = _lowered(backend.list_tables(database=schema))
    where = f"PostgreSQL {url.hostname}:{url.port or 5432}/{database} schema {schema}"
    return _finished(backend, "postgres", where, names, schema)


def require_columns(source: Omop, needs: Mapping[str, Collection[str]]) -> None:
    """Check that each needed table has the needed columns (lower-case names).

    Raises:
        SourceError: one issue per missing ``omop.<table>`` or ``omop.<table>.<column>``.
    """
    issues = []
    for name, columns in needs.items():
        if not source.has(name):
            issues.append(FieldIssue(f"omop.{name}", f"the required table {name} is missing"))
            continue
        present = set(source.table(name).columns)
        issues += [
            FieldIssue(f"omop.{name}.{column}", f"the required column {column} is missing from {name}")
            for column in columns
            if column not in present
        ]
    if issues:
        raise SourceError(issues)
