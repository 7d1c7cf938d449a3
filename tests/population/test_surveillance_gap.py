"""The surveillance gap finds its persons: drugs by the sid_drugs classes' ATC codes and names,
CLL and myeloma by ICD-10-CM source values, source concepts and concepts, IgG by LOINC through
``concept`` or in ``measurement_source_value``; on a hand-built set (DuckDB and Spark) and on a
synthetic population."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from immunocare.knowledge import KnowledgeBase
from immunocare.population import ScreenResult, screen
from immunocare.population.sources import open_source
from immunocare.population.synth import SynthRates, synthesize

from .conftest import AS_OF, SPARK_SOCKETS, write_parquet_folder

B_CELL, CAR_T = "B-cell-depleting therapy", "CAR-T cell therapy"
CLL, MYELOMA = "chronic lymphocytic leukaemia", "multiple myeloma"

# Local concepts: ATC classes, the drug concepts below them, and the IgG LOINC concept.
ATC_RITUXIMAB, ATC_CD20_GROUP, ATC_NATALIZUMAB, LOINC_IGG = 800001, 800002, 800003, 800010
RITUXIMAB_VIAL, OBINUTUZUMAB_VIAL, NATALIZUMAB_VIAL = 900001, 900002, 900003

DRUGS = [  # person, drug concept, start, source value
    (11, RITUXIMAB_VIAL, "2023-02-01", "1234567"),  # ATC-coded rituximab, never an IgG: in the gap
    (12, RITUXIMAB_VIAL, "2022-03-01", "1234567"),  # the same, IgG by its LOINC concept: not in the gap
    (13, 0, "2023-04-01", "Rituximab"),  # only the name in drug_source_value: in the gap
    (14, 0, "2023-05-01", "L01XL04"),  # tisagenlecleucel by its ATC code as the source value
    (15, OBINUTUZUMAB_VIAL, "2023-06-01", "7654321"),  # below the ATC group L01FA only
    (16, NATALIZUMAB_VIAL, "2023-07-01", "natalizumab"),  # L04AG03 is not B-cell depleting
    (17, RITUXIMAB_VIAL, "2024-06-01", "1234567"),  # after as_of: not counted
    (21, 0, "2023-08-01", "RITUXIMAB 500 MG/50 ML"),  # the name as a word of a dosed label: in the gap
    (22, 0, "2023-08-01", "hydroxychloroquine 200 mg"),  # a name not of the classes
]
ICD10CM_MYELOMA, ICD10CM_CML = 700001, 700002
CONDITIONS = [  # person, condition concept, start, source value, source concept
    (18, 0, "2021-01-01", "C91.10", 0),  # CLL by ICD-10-CM, never an IgG: in the gap
    (19, 437233, "2021-01-01", "", 0),  # myeloma by its concept, IgG in measurement_source_value
    (20, 0, "2021-01-01", "C92.10", 0),  # chronic myeloid leukaemia: not an exposure
    (23, 0, "2021-03-01", "LOCAL 42", ICD10CM_MYELOMA),  # myeloma by its ICD-10-CM source concept only
    (24, 0, "2021-04-01", "", ICD10CM_MYELOMA),  # the same with no source value: shown by that concept
    (25, 0, "2021-05-01", "LOCAL 43", ICD10CM_CML),  # chronic myeloid leukaemia's source concept
]
MEASUREMENTS = [(12, LOINC_IGG, "2022-02-01", "IgG serum"), (19, 0, "2021-02-01", "2465-3")]


def _frame(rows: list[tuple[Any, ...]], columns: list[str], dates: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        frame[column] = [date.fromisoformat(day) for day in frame[column]]
    return frame


def gap_tables() -> dict[str, pd.DataFrame]:
    """The hand-built OMOP set: fifteen adults, each with one exposure (or none) and maybe an IgG."""
    persons = sorted({row[0] for row in (*DRUGS, *CONDITIONS)})
    drug = _frame(DRUGS, ["person_id", "drug_concept_id", "drug_exposure_start_date", "drug_source_value"],
                  ("drug_exposure_start_date",))  # fmt: skip
    drug["drug_exposure_end_date"] = drug["drug_exposure_start_date"]
    drug["route_concept_id"] = 0
    concept = [
        (ATC_RITUXIMAB, "rituximab", "ATC", "L01FA01"),
        (ATC_CD20_GROUP, "CD20 (Clusters of Differentiation 20) inhibitors", "ATC", "L01FA"),
        (ATC_NATALIZUMAB, "natalizumab", "ATC", "L04AG03"),
        (LOINC_IGG, "IgG [Mass/volume] in Serum or Plasma", "LOINC", "2465-3"),
        (ICD10CM_MYELOMA, "Multiple myeloma not having achieved remission", "ICD10CM", "C90.00"),
        (ICD10CM_CML, "Chronic myeloid leukemia, BCR/ABL-positive", "ICD10CM", "C92.10"),
    ]
    ancestor = [
        (ATC_RITUXIMAB, RITUXIMAB_VIAL),
        (ATC_CD20_GROUP, ATC_RITUXIMAB),
        (ATC_CD20_GROUP, RITUXIMAB_VIAL),
        (ATC_CD20_GROUP, OBINUTUZUMAB_VIAL),
        (ATC_NATALIZUMAB, NATALIZUMAB_VIAL),
    ]
    return {
        "person": pd.DataFrame({"person_id": persons, "year_of_birth": [1960] * len(persons)}),
        "condition_occurrence": _frame(
            CONDITIONS,
            [
                "person_id",
                "condition_concept_id",
                "condition_start_date",
                "condition_source_value",
                "condition_source_concept_id",
            ],
            ("condition_start_date",),
        ),
        "drug_exposure": drug,
        "measurement": _frame(
            MEASUREMENTS,
            ["person_id", "measurement_concept_id", "measurement_date", "measurement_source_value"],
            ("measurement_date",),
        ),
        "concept": pd.DataFrame(
            concept, columns=["concept_id", "concept_name", "vocabulary_id", "concept_code"]
        ),
        "concept_ancestor": pd.DataFrame(ancestor, columns=["ancestor_concept_id", "descendant_concept_id"]),
    }


EXPECTED = {
    (11, B_CELL, date(2023, 2, 1), "1234567"),
    (13, B_CELL, date(2023, 4, 1), "Rituximab"),
    (14, CAR_T, date(2023, 5, 1), "L01XL04"),
    (15, B_CELL, date(2023, 6, 1), "7654321"),
    (18, CLL, date(2021, 1, 1), "C91.10"),
    (21, B_CELL, date(2023, 8, 1), "RITUXIMAB 500 MG/50 ML"),
    (23, MYELOMA, date(2021, 3, 1), "LOCAL 42"),
    (24, MYELOMA, date(2021, 4, 1), str(ICD10CM_MYELOMA)),
}


@pytest.fixture(scope="module")
def gap_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_parquet_folder(tmp_path_factory.mktemp("gap_omop"), gap_tables())


def gap_rows(result: ScreenResult) -> set[tuple[Any, ...]]:
    return set(
        result.surveillance_gap[["person_id", "exposure", "first_date", "codes"]].itertuples(
            index=False, name=None
        )
    )


def test_the_gap_matches_atc_codes_names_and_icd10cm_and_leaves_out_the_measured(
    gap_folder: Path, kb: KnowledgeBase
) -> None:
    result = screen(open_source(str(gap_folder)), kb, as_of=AS_OF)
    assert gap_rows(result) == EXPECTED
    # 12 (IgG by LOINC concept) and 19 (IgG by source value) were measured; 16 took natalizumab,
    # 17 rituximab after as_of, 20 and 25 have chronic myeloid leukaemia
    assert result.surveillance_gap["person_id"].is_unique


@pytest.mark.filterwarnings(SPARK_SOCKETS)
def test_the_gap_is_the_same_on_spark(gap_folder: Path, kb: KnowledgeBase, spark: Any) -> None:
    result = screen(open_source(str(gap_folder), engine="spark", spark=spark), kb, as_of=AS_OF)
    assert gap_rows(result) == EXPECTED


def test_the_synthetic_population_s_planted_gap_persons_are_found(tmp_path: Path, kb: KnowledgeBase) -> None:
    as_of = date(2026, 11, 30)
    out = tmp_path / "omop"
    synthesize(2_000, out, seed=7, as_of=as_of, rates=SynthRates(planted_per_person=0.005), kb=kb)
    with (out / "planted.csv").open(encoding="utf-8") as handle:
        planted = [(int(row["person_id"]), row["profile"]) for row in csv.DictReader(handle)]
    without = {pid for pid, profile in planted if profile == "b_cell_depletion_without_igg"}
    measured = {pid for pid, profile in planted if profile == "b_cell_depletion_with_igg"}
    result = screen(open_source(str(out)), kb, as_of=as_of)
    gap = result.surveillance_gap
    assert len(without) == len(measured) == 10
    assert set(gap["person_id"]) == without  # every planted person, no measured one, no one else
    assert set(gap["exposure"]) == {B_CELL} and set(gap["codes"]) == {"rituximab"}
