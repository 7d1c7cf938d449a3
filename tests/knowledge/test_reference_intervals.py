"""Reference-interval tables: contiguous age bands, UCUM units, one preferred table, lookups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pydantic
import pytest

from immunocare.domain.ages import add_duration
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.reference_intervals import TOPIC, ReferenceTable, preferred_table

from .test_analytes import load_overlay, raw_item

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(TOPIC.item_type)

Change = Callable[[dict[str, Any]], object]


def mayo_igg() -> dict[str, Any]:
    return raw_item("reference_intervals", "ri.igg.mayo")


def split_by_sex(*adult_bands: dict[str, Any]) -> dict[str, Any]:
    """A synthetic table: one band for children, then the given adult bands (test data only)."""
    return {
        "id": "ri.test.split",
        "title": "Synthetic table split by sex in adults",
        "analyte": "cd4_abs",
        "unit": "/uL",
        "source_population": "synthetic",
        "method": "synthetic",
        "interval_definition": "synthetic",
        "citations": [{"source": "loinc", "where": "test"}],
        "verified": True,
        "bands": [{"age_from": "P0D", "age_to": "P18Y", "low": 1, "high": 2}, *adult_bands],
    }


FEMALE = {"age_from": "P18Y", "sex": "female", "low": 3, "high": 4}
MALE = {"age_from": "P18Y", "sex": "male", "low": 5, "high": 6}


def band(index: int, **changes: Any) -> Change:
    return lambda table: table["bands"][index].update(changes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            band(1, age_from="P6M"), "band 1 starts at P6M but should start at P5M \\(a gap\\)", id="gap"
        ),
        pytest.param(
            band(1, age_from="P4M"),
            "band 1 starts at P4M but should start at P5M \\(an overlap\\)",
            id="overlap",
        ),
        pytest.param(
            band(0, age_from="P1M"), "band 0 starts at P1M but should start at P0D", id="not-from-birth"
        ),
        pytest.param(
            lambda table: table["bands"].append({"age_from": "P20Y", "low": 1, "high": 2}),
            "follows an open-ended band",
            id="band-after-open-ended-band",
        ),
        pytest.param(lambda table: table.update(unit="mg/dl"), "not a UCUM unit", id="unit-not-ucum"),
        pytest.param(band(0, low=400), "low 400 is above high 334", id="low-above-high"),
        pytest.param(band(0, low=None, high=None), "needs a low or a high limit", id="no-limits"),
        pytest.param(band(0, low=-1), "greater than or equal to 0", id="negative-limit"),
        pytest.param(band(0, age_to="5 months"), "is not an age", id="age-not-iso-8601"),
        pytest.param(band(0, age_to="P0D"), "is not always later than age_from", id="empty-band"),
        pytest.param(
            band(0, verified=False), "must itself be unverified", id="unverified-band-verified-table"
        ),
        pytest.param(
            lambda table: table.update(interval_definition=""), "at least 1 character", id="no-definition"
        ),
        pytest.param(lambda table: table.update(bands=[]), "at least 1 item", id="no-bands"),
    ],
)
def test_schema_rejects_a_corrupted_copy_of_the_mayo_igg_table(change: Change, message: str) -> None:
    table = mayo_igg()
    change(table)
    with pytest.raises(pydantic.ValidationError, match=message):
        ADAPTER.validate_python(table)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param(
            split_by_sex(FEMALE), "no male bands|female and male bands end", id="male-adults-missing"
        ),
        pytest.param(
            split_by_sex(FEMALE, FEMALE, MALE), "female bands: .*follows an open-ended", id="female-twice"
        ),
        pytest.param(
            split_by_sex(FEMALE | {"age_to": "P60Y"}, MALE),
            "female and male bands end at different ages",
            id="sexes-end-apart",
        ),
        pytest.param(
            split_by_sex(FEMALE | {"age_from": "P19Y"}, MALE),
            "female bands: band 1 starts at P19Y but should start at P18Y \\(a gap\\)",
            id="gap-for-women-only",
        ),
    ],
)
def test_schema_checks_each_sex_on_its_own(table: dict[str, Any], message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        ADAPTER.validate_python(table)


def test_a_table_may_declare_a_later_first_age() -> None:
    table = mayo_igg()
    table["bands"] = table["bands"][4:]
    with pytest.raises(pydantic.ValidationError, match="should start at P0D"):
        ADAPTER.validate_python(table)
    assert ADAPTER.validate_python(table | {"minimum_age": "P2Y"}).bands[0].label == "2-<4 years"


@pytest.mark.parametrize(
    ("on", "sex", "expected"),
    [
        pytest.param(date(2018, 2, 27), "female", (1, 2), id="woman-day-before-18th-birthday"),
        pytest.param(date(2018, 2, 28), "female", (3, 4), id="woman-on-18th-birthday"),
        pytest.param(date(2018, 2, 27), "male", (1, 2), id="man-day-before-18th-birthday"),
        pytest.param(date(2018, 2, 28), "male", (5, 6), id="man-on-18th-birthday"),
        pytest.param(date(2018, 2, 27), "unknown", (1, 2), id="sex-unknown-child"),
        pytest.param(date(2018, 2, 28), "unknown", None, id="sex-unknown-adult-cannot-choose"),
    ],
)
def test_band_for_picks_the_band_of_each_sex_at_the_birthday(
    on: date, sex: str, expected: tuple[int, int] | None
) -> None:
    table = ADAPTER.validate_python(split_by_sex(FEMALE, MALE))
    born_on_leap_day = date(2000, 2, 29)
    found = table.band_for(born_on_leap_day, on, sex)
    assert (None if found is None else (found.low, found.high)) == expected


@pytest.mark.parametrize(
    ("table_id", "birth", "on", "label"),
    [
        pytest.param(
            "ri.igg.mayo", date(2020, 3, 15), date(2020, 8, 14), "0-<5 months", id="igg-day-before-5-months"
        ),
        pytest.param(
            "ri.igg.mayo", date(2020, 3, 15), date(2020, 8, 15), "5-<9 months", id="igg-on-5-months"
        ),
        pytest.param(
            "ri.igg.mayo", date(2020, 3, 15), date(2038, 3, 14), "16-<18 years", id="igg-day-before-18"
        ),
        pytest.param(
            "ri.igg.mayo", date(2020, 3, 15), date(2038, 3, 15), "≥18 years", id="igg-on-18th-birthday"
        ),
        pytest.param(
            "ri.cd4_abs.mayo_shearer",
            date(2020, 11, 30),
            date(2021, 2, 27),
            "0-2 months",
            id="cd4-month-end-day-before",
        ),
        pytest.param(
            "ri.cd4_abs.mayo_shearer",
            date(2020, 11, 30),
            date(2021, 2, 28),
            "3-5 months",
            id="cd4-month-end-3-months",
        ),
        pytest.param(
            "ri.cd4_abs.mayo_shearer", date(1960, 6, 1), date(2016, 5, 31), "18-55 years", id="cd4-aged-55"
        ),
        pytest.param(
            "ri.cd4_abs.mayo_shearer", date(1960, 6, 1), date(2016, 6, 1), ">55 years", id="cd4-aged-56"
        ),
        pytest.param(
            "ri.iga.labplus", date(2024, 1, 31), date(2025, 1, 30), "Newborn to <1 year", id="iga-under-1"
        ),
        pytest.param(
            "ri.iga.labplus",
            date(2024, 1, 31),
            date(2025, 1, 31),
            ">=1 year to <3 years",
            id="iga-first-birthday",
        ),
        pytest.param("ri.igm.nwl", date(2024, 1, 1), date(2024, 1, 14), "Less than 2 weeks", id="igm-day-13"),
        pytest.param("ri.igm.nwl", date(2024, 1, 1), date(2024, 1, 15), "2-6 weeks", id="igm-day-14"),
        pytest.param(
            "ri.cd3_pct.lhsc",
            date(1900, 1, 1),
            date(2023, 12, 31),
            "18.00 YEARS-124.00 YEARS",
            id="cd3-aged-123",
        ),
        pytest.param("ri.cd3_pct.lhsc", date(1900, 1, 1), date(2024, 1, 1), None, id="cd3-beyond-the-table"),
        pytest.param("ri.cd4_pct.lhsc", date(2000, 1, 1), date(2018, 1, 1), None, id="cd4-pct-ends-at-18"),
        pytest.param("ri.igg.mayo", date(2020, 3, 15), date(2020, 3, 14), None, id="before-birth"),
    ],
)
def test_band_for_at_the_edges_of_real_tables(
    kb: KnowledgeBase, table_id: str, birth: date, on: date, label: str | None
) -> None:
    table = kb.get(table_id)
    assert isinstance(table, ReferenceTable)
    found = table.band_for(birth, on, "female")
    assert (None if found is None else found.label) == label


def test_every_band_of_every_table_is_found_from_its_first_day(kb: KnowledgeBase) -> None:
    birth = date(2000, 1, 31)
    for table in kb.of(ReferenceTable):
        previous = None
        for band in table.bands:
            first_day = add_duration(birth, band.age_from)
            assert table.band_for(birth, first_day, "female") == band, (table.id, band.label)
            assert table.band_for(birth, first_day - timedelta(days=1), "female") == previous, (
                table.id,
                band.label,
            )
            previous = band


PREFERRED = {
    "igg": "ri.igg.mayo",
    "iga": "ri.iga.labplus",
    "igm": "ri.igm.medscape",
    "ige": "ri.ige.mayo",
    "igg1": "ri.igg1.mayo",
    "igg2": "ri.igg2.mayo",
    "igg3": "ri.igg3.labplus",
    "igg4": "ri.igg4.mayo",
    "cd3_abs": "ri.cd3_abs.lhsc",
    "cd3_pct": "ri.cd3_pct.lhsc",
    "cd4_abs": "ri.cd4_abs.mayo_shearer",
    "cd4_pct": "ri.cd4_pct.lhsc",
    "cd8_abs": "ri.cd8_abs.mayo_shearer",
    "cd19_abs": "ri.cd19_abs.mayo_shearer",
    "cd19_pct": "ri.cd19_pct.lhsc",
    "nk_abs": "ri.nk_abs.mayo_shearer",
}


@pytest.mark.parametrize(("analyte", "table_id"), PREFERRED.items())
def test_each_analyte_has_its_chosen_verified_preferred_table(
    kb: KnowledgeBase, analyte: str, table_id: str
) -> None:
    table = preferred_table(kb, analyte)
    assert table is not None
    assert (table.id, table.verified) == (table_id, True)


def test_every_analyte_with_tables_has_exactly_one_preferred_table(kb: KnowledgeBase) -> None:
    tables = kb.of(ReferenceTable)
    for analyte in {table.analyte for table in tables}:
        assert [table.id for table in tables if table.analyte == analyte and table.preferred] == [
            PREFERRED[analyte]
        ]


def _site_igg(table_id: str, **changes: Any) -> dict[str, Any]:
    return mayo_igg() | {"id": table_id} | changes


@pytest.mark.parametrize(
    ("items", "message"),
    [
        pytest.param(
            [_site_igg("ri.igx.site", analyte="igx", preferred=False)],
            "ri.igx.site: unknown analyte 'igx'",
            id="unknown-analyte",
        ),
        pytest.param(
            [_site_igg("ri.igg.site", unit="/uL", preferred=False)],
            "ri.igg.site: unit '/uL' does not measure what analyte 'igg'",
            id="unit-of-another-dimension",
        ),
        pytest.param(
            [_site_igg("ri.igg.site1"), _site_igg("ri.igg.site2")],
            "igg: 2 preferred site tables \\(ri.igg.site1, ri.igg.site2\\)",
            id="two-preferred-tables-for-one-analyte",
        ),
        pytest.param(
            [raw_item("reference_intervals", "ri.ige.mayo") | {"preferred": False}],
            "ige: no table is marked preferred",
            id="no-preferred-table-left",
        ),
        pytest.param(
            [_site_igg("ri.igg.site", bands=mayo_igg()["bands"][1:])],
            "reference_intervals/site.yaml#0: .*band 0 starts at P5M but should start at P0D \\(a gap\\)",
            id="site-table-with-a-gap",
        ),
    ],
)
def test_loader_rejects_a_bad_site_table(tmp_path: Path, items: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        load_overlay(tmp_path, "reference_intervals", *items)


def test_a_site_preferred_table_takes_the_place_of_the_built_in_one(tmp_path: Path) -> None:
    kb = load_overlay(tmp_path, "reference_intervals", _site_igg("ri.igg.site"))
    table = preferred_table(kb, "igg")
    assert table is not None
    assert (table.id, table.local) == ("ri.igg.site", True)
