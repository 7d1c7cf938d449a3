"""Two months of antibiotics: stretches of short back-to-back or overlapping courses are found
whatever day they start (the persons skipped before the stretches are computed never hold one)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from immunocare.knowledge import KnowledgeBase
from immunocare.population import screen
from immunocare.population.sources import open_source

from .conftest import write_parquet_folder

AS_OF = date(2024, 1, 1)
AZITHROMYCIN = 1734104
SIGN = "cf_children_antibiotic_days"


def _courses(person: int, start: date, courses: int, days: int, step: int) -> list[tuple[object, ...]]:
    """``courses`` courses of ``days`` days, each starting ``step`` days after the one before."""
    rows = []
    for n in range(courses):
        first = start + timedelta(days=n * step)
        rows.append((person, AZITHROMYCIN, first, first + timedelta(days=days - 1), 0, "azithromycin"))
    return rows


def test_stretches_of_short_courses_reach_two_months_from_any_start_day(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    drugs, reach, short = [], set(), set()
    for offset in range(70):  # every position of a stretch against any grid of days
        start = date(2022, 1, 1) + timedelta(days=offset)
        reach.add(person := 1000 + offset)  # 7 courses of 9 days back to back: 63 days
        drugs += _courses(person, start, 7, 9, 9)
        reach.add(person := 2000 + offset)  # 9 overlapping courses of 10 days, one every 7: 66 days
        drugs += _courses(person, start, 9, 10, 7)
        short.add(person := 3000 + offset)  # 6 back to back: 54 days, less than two months
        drugs += _courses(person, start, 6, 9, 9)
        short.add(person := 4000 + offset)  # 7 with a two-day gap after the third: 27 + 36 days
        drugs += _courses(person, start, 3, 9, 9) + _courses(person, start + timedelta(days=29), 4, 9, 9)
    people = sorted(reach | short)
    condition = {"person_id": [people[0]], "condition_concept_id": [0],
                 "condition_start_date": [date(2022, 1, 1)], "condition_source_value": ["J00"]}  # fmt: skip
    columns = ["person_id", "drug_concept_id", "drug_exposure_start_date", "drug_exposure_end_date",
               "route_concept_id", "drug_source_value"]  # fmt: skip
    tables = {
        "person": pd.DataFrame({"person_id": people, "year_of_birth": [2015] * len(people)}),
        "condition_occurrence": pd.DataFrame(condition),
        "drug_exposure": pd.DataFrame(drugs, columns=columns),
    }
    result = screen(open_source(str(write_parquet_folder(tmp_path, tables))), kb, as_of=AS_OF)
    met = {
        int(row.person_id)
        for row in result.ranked.itertuples()
        if any(sign["sign"] == SIGN for sign in json.loads(row.signs))
    }
    assert met == reach
