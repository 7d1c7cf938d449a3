"""Code matching: ICD-10-CM prefixes select the same rows however the key is computed."""

from __future__ import annotations

import duckdb
import ibis.expr.types as ir

from immunocare.knowledge.topics.case_finding import icd10_key
from immunocare.population._codes import Codes, Vocabulary, code_filter, icd10_column
from immunocare.population._duckdb import duckdb_backend
from immunocare.population.sources import OmopSource

VALUES = [" j18.9 ", "J189", "J1", "j01.0", "H66.90", "H6", "A31.0", "B37.81", "", None, "J18", "L02.x"]
PREFIXES = ("J18", "J01", "H66", "A310", "B3781")


def test_icd10_prefixes_match_per_row_and_per_distinct_value_alike() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE rows (id INTEGER, concept INTEGER, value VARCHAR)")
    con.executemany("INSERT INTO rows VALUES (?, ?, ?)", [(i, 0, v) for i, v in enumerate(VALUES)])
    source = OmopSource(duckdb_backend(con), "duckdb", "codes", None, {"rows": "rows"})
    codes = Codes(icd10cm=PREFIXES)
    vocabulary = Vocabulary(source, [codes])
    table = source.table("rows")
    keyed = table.mutate(icd10=icd10_column(table.value))

    def kept(rows: ir.Table, icd10: str | None = None) -> list[int]:
        where = code_filter(
            rows, concept="concept", source="value", codes=codes, vocabulary=vocabulary, icd10=icd10
        )
        return sorted(rows.filter(where).id.to_pyarrow().to_pylist())

    expected = [i for i, v in enumerate(VALUES) if v is not None and icd10_key(v).startswith(PREFIXES)]
    assert expected == [0, 1, 3, 4, 6, 7, 10]
    assert kept(table) == expected
    assert kept(keyed, icd10="icd10") == expected
