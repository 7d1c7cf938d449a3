"""DuckDB and Spark run the same rule expressions and give identical results on the same data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped, unused-ignore]

from immunocare.knowledge import KnowledgeBase
from immunocare.population import screen

from .conftest import AS_OF, Source, parquet_folder_spark


def test_duckdb_and_spark_agree_exactly(
    tiny: Source, tiny_folder: Path, spark: Any, kb: KnowledgeBase
) -> None:
    on_duckdb = screen(tiny, kb, as_of=AS_OF)
    on_spark = screen(parquet_folder_spark(spark, tiny_folder), kb, as_of=AS_OF)

    assert on_spark.engine == "spark" and on_duckdb.engine == "duckdb"
    assert len(on_duckdb.ranked) == 3  # the comparison is not of two empty frames
    pd.testing.assert_frame_equal(on_spark.ranked, on_duckdb.ranked)
    pd.testing.assert_frame_equal(on_spark.already_coded, on_duckdb.already_coded)
    pd.testing.assert_frame_equal(on_spark.surveillance_gap, on_duckdb.surveillance_gap)
    assert (on_spark.persons_screened, on_spark.notices) == (on_duckdb.persons_screened, on_duckdb.notices)
