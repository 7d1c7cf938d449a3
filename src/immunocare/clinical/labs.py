"""Laboratory results against their reference for the patient's age and sex at collection.

Each result is read as a :class:`LabReading`: its analyte (by LOINC code), its value in the unit
the knowledge base reasons in, the reference used — the reporting laboratory's own interval when the
result carries one, otherwise the knowledge base's preferred table for the analyte, at the band for
the age and sex on the sampling day — its flag, and how far it lies from the limit it crosses. A
percentage of lymphocytes with a lymphocyte count from the same sample also gives the absolute
count. Age-banded tables come from the knowledge base only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from immunocare.domain import Comparator, Evidence, ItemKind, LabResult, PatientRecord, Quantity, summarize
from immunocare.domain.units import UNITS, absolute_from_percent
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.reference_intervals import preferred_table

__all__ = ["Flag", "LabBook", "LabReading", "Reference", "Trend", "read_labs", "trend"]

_PERCENT_UNIT = "%"
_BELOW = (Comparator.LT, Comparator.LE)
_ABOVE = (Comparator.GT, Comparator.GE)


class Flag(StrEnum):
    """Where a result lies against its reference."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reference:
    """The reference a result was read against, and where it comes from."""

    unit: str
    low: float | None
    high: float | None
    source: str
    table_id: str | None = None
    band: str | None = None
    citations: tuple[str, ...] = ()
    verified: bool = True
    local: bool = False

    @property
    def from_laboratory(self) -> bool:
        """Whether the reporting laboratory sent it with the result."""
        return self.table_id is None

    def __str__(self) -> str:
        unit = UNITS[self.unit].display
        limits = (
            f"{self.low:g}–{self.high:g}"
            if self.low is not None and self.high is not None
            else (f"≥ {self.low:g}" if self.low is not None else f"≤ {self.high:g}")
        )
        where = self.source + (f", {self.band}" if self.band else "")
        return f"{limits} {unit} ({where})"


@dataclass(frozen=True, slots=True)
class LabReading:
    """One result (or one count derived from a percentage) read against its reference.

    Attributes:
        result: the record's result; ``None`` for a derived count.
        analyte: the knowledge base's analyte, when the LOINC code is known to it.
        collected_at: when the sample was taken.
        value: the value in the analyte's unit (the result's own unit for an unknown analyte).
        comparator: set when the result is a bound ("< 0.07").
        reference: the reference used, if any.
        flag: low, normal, high, or unknown (no reference, no value, or a bound that cannot tell).
        ratio: the value as a fraction of the limit it crosses (0.56 = 56 % of the lower limit).
        derived_from: the results a derived count was computed from.
        problem: why the result could not be read, if it could not.
    """

    result: LabResult | None
    analyte: Analyte | None
    collected_at: datetime
    value: Quantity | None
    comparator: Comparator | None
    reference: Reference | None
    flag: Flag
    ratio: float | None = None
    derived_from: tuple[LabResult, ...] = ()
    problem: str | None = None

    @property
    def day(self) -> date:
        """The sampling day."""
        return self.collected_at.date()

    @property
    def analyte_id(self) -> str | None:
        """The analyte's knowledge-base id."""
        return self.analyte.id if self.analyte else None

    @property
    def name(self) -> str:
        """The analyte as people read it."""
        if self.analyte is not None:
            return self.analyte.title
        return self.result.analyte if self.result else "result"

    @property
    def shown(self) -> str:
        """The value as a chart shows it (``< 0.07 g/L``)."""
        if self.value is None:
            return self.result.display_value if self.result else ""
        return (f"{self.comparator.value} " if self.comparator else "") + str(self.value)

    @property
    def distance(self) -> str | None:
        """How far outside its reference the value is, in words."""
        if self.ratio is None or self.reference is None:
            return None
        if self.flag is Flag.LOW and self.reference.low is not None:
            return f"{self.ratio:.0%} of the lower limit ({self.reference.low:g})"
        if self.flag is Flag.HIGH and self.reference.high is not None:
            return f"{self.ratio:.0%} of the upper limit ({self.reference.high:g})"
        return None

    def evidence(self) -> tuple[Evidence, ...]:
        """The record items this reading rests on."""
        items = (self.result,) if self.result is not None else self.derived_from
        return tuple(Evidence(summary=_summary(item), kind=ItemKind.LABS, item_id=item.id) for item in items)

    def describe(self) -> str:
        """The reading in one line: value, flag and reference."""
        text = f"{self.name} {self.shown} on {self.day.isoformat()}"
        if self.derived_from:
            text += " (computed from the percentage and the lymphocyte count of the same sample)"
        if self.reference is None:
            return text + ", no reference for the age"
        if self.flag is Flag.NORMAL:
            return f"{text}: within the reference {self.reference}"
        words = {Flag.LOW: "below", Flag.HIGH: "above", Flag.UNKNOWN: "not comparable with"}[self.flag]
        return f"{text}: {words} the reference {self.reference}"


def _summary(item: LabResult) -> str:
    return f"{summarize(item)} on {item.collected_at.date().isoformat()}"


@dataclass
class _AnalyteIndex:
    by_loinc: dict[str, Analyte]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> _AnalyteIndex:
        return cls({code: analyte for analyte in kb.of(Analyte) for code in analyte.loinc})


def _laboratory_reference(result: LabResult, unit: str) -> Reference | None:
    interval = result.reference_interval
    if interval is None:
        return None
    try:
        converted = interval.in_unit(unit)
    except ValidationError:
        return None
    source = (
        f"{result.laboratory}'s reference" if result.laboratory else "the reporting laboratory's reference"
    )
    return Reference(unit=unit, low=converted.low, high=converted.high, source=source, band=interval.text)


def _table_reference(
    kb: KnowledgeBase, analyte: Analyte, record: PatientRecord, day: date
) -> Reference | None:
    table = preferred_table(kb, analyte.id)
    if table is None:
        return None
    patient = record.patient
    band = table.band_for(patient.birth_date, day, patient.sex.value)
    if band is None:
        return None

    def limit(value: float | None) -> float | None:
        return None if value is None else Quantity(value, table.unit).value_in(analyte.unit)

    return Reference(
        unit=analyte.unit,
        low=limit(band.low),
        high=limit(band.high),
        source=table.title,
        table_id=table.id,
        band=band.label,
        citations=tuple(ref.source for ref in table.citations),
        verified=table.verified and band.verified,
        local=table.local,
    )


def _flag(
    value: Quantity | None, comparator: Comparator | None, reference: Reference | None
) -> tuple[Flag, float | None]:
    if value is None or reference is None:
        return Flag.UNKNOWN, None
    number = value.value
    low, high = reference.low, reference.high
    below_low = low is not None and (
        (comparator not in _ABOVE and number < low) or (comparator in _BELOW and number <= low)
    )
    above_high = high is not None and (
        (comparator not in _BELOW and number > high) or (comparator in _ABOVE and number >= high)
    )
    if below_low and low:
        return Flag.LOW, number / low
    if above_high and high:
        return Flag.HIGH, number / high
    if comparator is not None:
        return Flag.UNKNOWN, None
    return Flag.NORMAL, None


def _read(result: LabResult, index: _AnalyteIndex, kb: KnowledgeBase, record: PatientRecord) -> LabReading:
    analyte = index.by_loinc.get(result.loinc)
    value, problem = result.value, None
    if analyte is not None and value is not None:
        try:
            value = value.to(analyte.unit)
        except ValidationError as error:
            value, problem = (
                None,
                f"{result.value} cannot be read as {analyte.title}: {error.issues[0].message}",
            )
    unit = analyte.unit if analyte else (value.unit if value else None)
    reference = None
    if unit is not None:
        reference = _laboratory_reference(result, unit)
        if reference is None and analyte is not None:
            reference = _table_reference(kb, analyte, record, result.collected_at.date())
    flag, ratio = _flag(value, result.comparator, reference)
    return LabReading(
        result,
        analyte,
        result.collected_at,
        value,
        result.comparator,
        reference,
        flag,
        ratio,
        problem=problem,
    )


def _same_sample(a: LabReading, b: LabReading) -> bool:
    specimen_a = a.result.specimen if a.result else None
    specimen_b = b.result.specimen if b.result else None
    if specimen_a and specimen_b:
        return specimen_a == specimen_b
    return a.collected_at == b.collected_at


def _derived(readings: list[LabReading], kb: KnowledgeBase, record: PatientRecord) -> Iterator[LabReading]:
    """Absolute counts from percentages and a total count of the same sample, where none was reported."""
    for percent in readings:
        analyte = percent.analyte
        if analyte is None or not (analyte.percent_of and analyte.absolute) or percent.value is None:
            continue
        if percent.value.unit != _PERCENT_UNIT or percent.comparator is not None or percent.result is None:
            continue
        absolute = kb.get(analyte.absolute)
        if not isinstance(absolute, Analyte):
            continue
        if any(r.analyte_id == absolute.id and _same_sample(r, percent) for r in readings):
            continue
        totals = [r for r in readings if r.analyte_id == analyte.percent_of and _same_sample(r, percent)]
        if (
            not totals
            or totals[0].value is None
            or totals[0].result is None
            or totals[0].comparator is not None
        ):
            continue
        count = absolute_from_percent(percent.value, lymphocytes=totals[0].value).to(absolute.unit)
        reference = _table_reference(kb, absolute, record, percent.day)
        flag, ratio = _flag(count, None, reference)
        yield LabReading(
            None,
            absolute,
            percent.collected_at,
            count,
            None,
            reference,
            flag,
            ratio,
            derived_from=(percent.result, totals[0].result),
        )


def read_labs(record: PatientRecord, kb: KnowledgeBase) -> tuple[LabReading, ...]:
    """Every result of the record read against its reference, with derived counts, oldest first."""
    index = _AnalyteIndex.of(kb)
    readings = [_read(result, index, kb, record) for result in record.labs]
    readings += list(_derived(readings, kb, record))
    return tuple(sorted(readings, key=lambda r: r.collected_at))


@dataclass
class LabBook:
    """A patient's readings by analyte, for rules that ask "IgG below … on two separate days"."""

    readings: tuple[LabReading, ...]
    _by_analyte: dict[str, list[LabReading]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[LabReading]] = defaultdict(list)
        for reading in self.readings:
            if reading.analyte_id is not None:
                grouped[reading.analyte_id].append(reading)
        self._by_analyte = dict(grouped)

    @classmethod
    def of(cls, record: PatientRecord, kb: KnowledgeBase) -> LabBook:
        """The book of one record."""
        return cls(read_labs(record, kb))

    def of_analyte(self, analyte_id: str, *, until: date | None = None) -> list[LabReading]:
        """An analyte's readings, oldest first, optionally only those sampled by ``until``."""
        found = self._by_analyte.get(analyte_id, [])
        return [r for r in found if until is None or r.day <= until]

    def analytes(self) -> Iterable[str]:
        """The analytes with at least one reading."""
        return self._by_analyte.keys()


@dataclass(frozen=True, slots=True)
class Trend:
    """How an analyte moved between its first and latest reading."""

    first: LabReading
    latest: LabReading
    change_per_year: float

    @property
    def direction(self) -> str:
        """``rising``, ``falling`` or ``unchanged``."""
        if self.change_per_year > 0:
            return "rising"
        return "falling" if self.change_per_year < 0 else "unchanged"

    def describe(self) -> str:
        """The trend in words, with its unit."""
        unit = UNITS[self.latest.value.unit].display if self.latest.value else ""
        since = self.first.day.isoformat()
        return f"{self.direction}: {self.change_per_year:+.2g} {unit} a year since {since}"


def trend(readings: Iterable[LabReading]) -> Trend | None:
    """The trend of an analyte's exact readings (not bounds), or ``None`` with fewer than two days.

    >>> trend([]) is None
    True
    """
    exact = [r for r in readings if r.value is not None and r.comparator is None]
    if len({r.day for r in exact}) <= 1:
        return None
    first, latest = exact[0], exact[-1]
    assert first.value is not None and latest.value is not None
    years = (latest.day - first.day).days / 365.25
    return Trend(first, latest, (latest.value.value - first.value.value) / years)
