"""Laboratory analytes: which LOINC codes measure what, and in which unit immunocare reasons.

Rules name an analyte by its id (``igg``, ``cd19_abs``, ``pneumo_igg_st14``); a laboratory result
reaches an analyte through any of its LOINC codes. A percentage names the population it is a
percentage of (``percent_of``) and its absolute counterpart (``absolute``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain.codes import loinc_problem
from immunocare.domain.units import UNITS
from immunocare.knowledge._base import KBItem, Topic

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "Analyte", "analyte_problem"]

ORDER = 10


class Analyte(KBItem):
    """One measured quantity (e.g. serum IgG) and the LOINC codes that report it.

    Attributes:
        loinc: the LOINC codes reporting this analyte (serum or plasma, several methods). Empty
            only for an unverified analyte whose codes could not be checked; a site overlay adds them.
        unit: the UCUM unit rules reason in.
        group: the kind of analyte.
        percent_of: for a percentage, the analyte it is a percentage of (``lymphocytes``).
        absolute: for a percentage, the absolute count of the same cells (``cd19_abs``).
        serotype: for a pneumococcal serotype-specific antibody, the Danish serotype (``6B``).
    """

    loinc: tuple[str, ...] = Field(description="LOINC codes reporting this analyte.")
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
    percent_of: str | None = Field(None, description="For a percentage: the analyte it is a percentage of.")
    absolute: str | None = Field(None, description="For a percentage: the absolute count of the same cells.")
    serotype: str | None = Field(
        None, pattern=r"^\d{1,2}[A-Z]?$", description="Danish pneumococcal serotype."
    )

    @field_validator("loinc")
    @classmethod
    def _loinc_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            problem = loinc_problem(code)
            if problem:
                raise ValueError(f"{code}: {problem}")
        if len(set(codes)) != len(codes):
            raise ValueError("a LOINC code is listed twice")
        return codes

    @field_validator("unit")
    @classmethod
    def _ucum(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"{unit!r} is not a UCUM unit immunocare knows")
        return unit

    @model_validator(mode="after")
    def _consistent(self) -> Analyte:
        if not self.loinc and self.verified:
            raise ValueError("a verified analyte needs at least one LOINC code")
        is_percent = self.unit == "%"
        if (self.percent_of is not None or self.absolute is not None) and not is_percent:
            raise ValueError("percent_of and absolute belong to percentages (unit '%')")
        if is_percent and self.percent_of is None:
            raise ValueError("a percentage must say what it is a percentage of (percent_of)")
        return self


def analyte_problem(kb: KnowledgeBase, analyte_id: str, unit: str | None = None) -> str | None:
    """Why ``analyte_id`` cannot be used here (no such analyte, or ``unit`` of another dimension).

    Other topics call this from their ``cross_check`` to check the analytes they name.
    """
    analytes = {item.id: item for item in kb.of(Analyte)}
    analyte = analytes.get(analyte_id)
    if analyte is None:
        return f"unknown analyte {analyte_id!r}"
    if unit is not None and UNITS[unit].dimension != UNITS[analyte.unit].dimension:
        return f"unit {unit!r} does not measure what analyte {analyte_id!r} ({analyte.unit!r}) measures"
    return None


def _cross_check(kb: KnowledgeBase) -> list[str]:
    problems: list[str] = []
    codes: dict[str, str] = {}
    for analyte in kb.of(Analyte):
        for code in analyte.loinc:
            if code in codes:
                problems.append(f"{analyte.id}: LOINC {code} also reports {codes[code]!r}")
            codes[code] = analyte.id
        for field in ("percent_of", "absolute"):
            target = getattr(analyte, field)
            problem = analyte_problem(kb, target) if target else None
            if problem:
                problems.append(f"{analyte.id}: {field}: {problem}")
    return problems


TOPIC = Topic(
    name="analytes",
    title="Laboratory analytes (LOINC)",
    item_type=Analyte,
    cross_check=_cross_check,
)
