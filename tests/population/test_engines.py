"""DuckDB and Spark run the same rule expressions and give identical results on the same data."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from immunocare.cli import app
from immunocare.knowledge import KnowledgeBase
from immunocare.population import screen
from immunocare.population.sources import open_source

from .conftest import AS_OF, SPARK_SOCKETS


@pytest.mark.filterwarnings(SPARK_SOCKETS)
@pytest.mark.parametrize(
    ("folder", "as_of", "ranked"),
    [("tiny_folder", AS_OF, 3), ("gibleed_folder", date(2020, 1, 1), 2690)],
    ids=["tiny-set", "gibleed"],
)
def test_duckdb_and_spark_agree_exactly(
    request: pytest.FixtureRequest, folder: str, as_of: date, ranked: int, spark: Any, kb: KnowledgeBase
) -> None:
    files: Path = request.getfixturevalue(folder)
    on_duckdb = screen(open_source(str(files)), kb, as_of=as_of)
    on_spark = screen(open_source(str(files), engine="spark", spark=spark), kb, as_of=as_of)

    assert (on_spark.engine, on_duckdb.engine) == ("spark", "duckdb")
    assert len(on_duckdb.ranked) == ranked  # the comparison is not of two empty frames
    pd.testing.assert_frame_equal(on_spark.ranked, on_duckdb.ranked)
    pd.testing.assert_frame_equal(on_spark.already_coded, on_duckdb.already_coded)
    pd.testing.assert_frame_equal(on_spark.surveillance_gap, on_duckdb.surveillance_gap)
    assert (on_spark.persons_screened, on_spark.notices) == (on_duckdb.persons_screened, on_duckdb.notices)


@pytest.mark.filterwarnings(SPARK_SOCKETS)
def test_the_screen_command_runs_on_spark(tiny_folder: Path, tmp_path: Path, spark: Any) -> None:
    env = {"IMMUNOCARE_ENVIRONMENT": "test", "IMMUNOCARE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    out = tmp_path / "ranked.csv"
    args = [
        "screen",
        "--omop",
        str(tiny_folder),
        "--engine",
        "spark",
        "--out",
        str(out),
        "--as-of",
        "2024-01-01",
    ]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "spark)" in result.output and pd.read_csv(out)["person_id"].tolist() == [6, 1, 7]
