"""Laboratory analytes: which LOINC codes measure what, and in which unit immunocare reasons."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from immunocare.domain.codes import loinc_problem
from immunocare.domain.units import UNITS
from immunocare.knowledge._base import KBItem, Topic

__all__ = ["ORDER", "TOPIC", "Analyte"]

ORDER = 10


class Analyte(KBItem):
    """One measured quantity (e.g. serum IgG) and the LOINC codes that report it."""

    loinc: tuple[str, ...] = Field(min_length=1, description="LOINC codes reporting this analyte.")
    unit: str = Field(description="The UCUM unit rules use for this analyte.")
    group: Literal[
        "immunoglobulin",
        "igg_subclass",
        "lymphocyte_subset",
        "blood_count",
        "vaccine_antibody",
        "chemistry",
        "other",
    ]

    @field_validator("loinc")
    @classmethod
    def _loinc_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            problem = loinc_problem(code)
            if problem:
                raise ValueError(f"{code}: {problem}")
        return codes

    @field_validator("unit")
    @classmethod
    def _ucum(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"{unit!r} is not a UCUM unit immunocare knows")
        return unit


TOPIC = Topic(name="analytes", title="Laboratory analytes (LOINC)", item_type=Analyte)
