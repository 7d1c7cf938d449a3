"""Code matching: source values are selected on the column's distinct values, rows by their raw value."""

from __future__ import annotations

import duckdb
import pytest

from immunocare.knowledge.topics.case_finding import icd10_key
from immunocare.population._codes import Codes, Vocabulary, code_filter
from immunocare.population._duckdb import duckdb_backend
from immunocare.population.sources import OmopSource

VALUES = [
    " j18.9 ", "J189", "J1", "j01.0", "H66.90", "H6", "A31.0", "B37.81", "", None, "J18", "L02.x",
    "RITUXIMAB 500 MG/50 ML", "Rituximab-abbs", "rituximabum", " L01FA01 ", "L01FA011",
]  # fmt: skip
PREFIXES = ("J18", "J01", "H66", "A310", "B3781")


@pytest.fixture
def source() -> OmopSource:
    con = duckdb.connect()
    con.execute("CREATE TABLE rows (id INTEGER, concept INTEGER, value VARCHAR)")
    rows = [(i, 7 if i == 2 else 0, v) for i, v in enumerate(VALUES)]
    con.executemany("INSERT INTO rows VALUES (?, ?, ?)", rows)
    return OmopSource(duckdb_backend(con), "duckdb", "codes", None, {"rows": "rows"})


def kept(source: OmopSource, codes: Codes) -> list[int]:
    vocabulary = Vocabulary(source, [codes])
    rows = source.table("rows")
    where = code_filter(rows, codes, vocabulary, concept="concept", value="value", source=("rows", "value"))
    return [] if where is None else sorted(rows.filter(where).id.to_pyarrow().to_pylist())


def test_icd10_prefixes_match_trimmed_upper_case_values_without_the_dot(source: OmopSource) -> None:
    expected = [i for i, v in enumerate(VALUES) if v is not None and icd10_key(v).startswith(PREFIXES)]
    assert expected == [0, 1, 3, 4, 6, 7, 10]
    assert kept(source, Codes(icd10cm=PREFIXES)) == expected


def test_names_match_as_a_word_in_any_case(source: OmopSource) -> None:
    assert kept(source, Codes(names=("rituximab",))) == [12, 13]


def test_source_values_match_trimmed_and_exactly(source: OmopSource) -> None:
    assert kept(source, Codes(source_values=("L01FA01",))) == [15]


def test_concept_ids_and_source_values_select_together(source: OmopSource) -> None:
    assert kept(source, Codes(omop=(7,), source_values=("L01FA01",))) == [2, 15]


def test_codes_that_cannot_match_select_nothing(source: OmopSource) -> None:
    assert kept(source, Codes(source_values=("Z99",))) == []
    assert kept(source, Codes()) == []
