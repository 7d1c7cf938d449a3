"""Age- and sex-specific reference intervals: one table per analyte and source.

A table lists bands of age written as ISO 8601 durations, half-open ``[age_from, age_to)``
(``age_to`` empty = open-ended), each for ``any`` sex or for ``female`` / ``male``. For every
sex the bands run on without gap or overlap from birth (``P0D``) or from the table's declared
``minimum_age``. Exactly one built-in table per analyte is ``preferred`` (the default); a
preferred table from the site overlay takes its place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, Protocol

from pydantic import Field, PlainSerializer, PlainValidator, WithJsonSchema, field_validator, model_validator

from immunocare.domain.ages import Duration, age_at_least
from immunocare.domain.units import UNITS
from immunocare.knowledge._base import KBItem, KBModel, Topic

from .analytes import analyte_problem

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "AgeDuration",
    "Band",
    "ReferenceTable",
    "contiguity_problems",
    "preferred_table",
]

ORDER = 20

_BIRTH = Duration()


def _as_duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        return Duration.parse(value)
    raise ValueError("an age must be an ISO 8601 duration such as P3M or P1Y6M")


AgeDuration = Annotated[
    Duration,
    PlainValidator(_as_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$"}),
]
"""A duration field written in files as ISO 8601 text (``P3M``); see :mod:`immunocare.domain.ages`."""


class AgeSpan(Protocol):
    """Anything covering ``[age_from, age_to)``."""

    @property
    def age_from(self) -> Duration: ...

    @property
    def age_to(self) -> Duration | None: ...


def contiguity_problems(spans: Sequence[AgeSpan], start: Duration) -> list[str]:
    """What keeps ``spans`` from running on from ``start`` without gap or overlap, in the order given."""
    problems: list[str] = []
    expected: Duration | None = start
    for index, span in enumerate(spans):
        if expected is None:
            problems.append(f"band {index} (from {span.age_from}) follows an open-ended band")
            break
        if span.age_from != expected:
            if expected.always_shorter_than(span.age_from):
                kind = "a gap"
            elif span.age_from.always_shorter_than(expected):
                kind = "an overlap"
            else:
                kind = "no clean join"
            problems.append(f"band {index} starts at {span.age_from} but should start at {expected} ({kind})")
        expected = span.age_to
    return problems


class Band(KBModel):
    """One age band of a reference table, half-open: ``[age_from, age_to)``.

    Attributes:
        age_from: the age the band starts at (included).
        age_to: the age the band ends at (excluded); empty for an open-ended last band.
        sex: ``any``, or ``female`` / ``male`` for a band that applies to one sex only.
        low: the lower reference limit, in the table's unit; empty when the source gives none.
        high: the upper reference limit; empty when the source gives none.
        label: the age band as printed in the source (``0-2 months``).
        verified: false for a band that could not be read as printed; say why in the table's note.
    """

    age_from: AgeDuration
    age_to: AgeDuration | None = None
    sex: Literal["any", "female", "male"] = "any"
    low: float | None = Field(None, ge=0)
    high: float | None = Field(None, ge=0)
    label: str | None = None
    verified: bool = True

    @model_validator(mode="after")
    def _limits_and_ages(self) -> Band:
        if self.low is None and self.high is None:
            raise ValueError("a band needs a low or a high limit")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        if self.age_to is not None and not self.age_from.always_shorter_than(self.age_to):
            raise ValueError(f"age_to {self.age_to} is not always later than age_from {self.age_from}")
        return self

    def contains(self, birth_date: date, on: date) -> bool:
        """Whether someone born on ``birth_date`` falls in this band on the day ``on``."""
        if not age_at_least(birth_date, on, self.age_from):
            return False
        return self.age_to is None or not age_at_least(birth_date, on, self.age_to)


def _chains(bands: Sequence[Band]) -> dict[str, list[Band]]:
    if all(band.sex == "any" for band in bands):
        return {"any": list(bands)}
    return {sex: [band for band in bands if band.sex in ("any", sex)] for sex in ("female", "male")}


class ReferenceTable(KBItem):
    """A reference-interval table for one analyte from one source.

    Attributes:
        analyte: the analyte id (topic ``analytes``).
        unit: the UCUM unit of the limits, as the source prints them.
        source_population: who the intervals were derived from.
        method: the measuring method or platform.
        interval_definition: the percentiles or other definition of the limits
            ("not stated in the source read" when so).
        preferred: the default table for its analyte (exactly one built-in table each).
        minimum_age: the age the first band starts at when the table does not start at birth.
        bands: the age bands, youngest first (per sex when split).
    """

    analyte: str
    unit: str
    source_population: str = Field(min_length=1)
    method: str = Field(min_length=1)
    interval_definition: str = Field(min_length=1)
    preferred: bool = False
    minimum_age: AgeDuration | None = None
    bands: tuple[Band, ...] = Field(min_length=1)

    @field_validator("unit")
    @classmethod
    def _ucum(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"{unit!r} is not a UCUM unit immunocare knows")
        return unit

    @model_validator(mode="after")
    def _contiguous(self) -> ReferenceTable:
        start = self.minimum_age or _BIRTH
        chains = _chains(self.bands)
        problems = [f"no {sex} bands" for sex, chain in chains.items() if not chain]
        problems += [
            f"{'' if sex == 'any' else f'{sex} bands: '}{problem}"
            for sex, chain in chains.items()
            for problem in contiguity_problems(chain, start)
        ]
        if len({chain[-1].age_to for chain in chains.values() if chain}) > 1:
            problems.append("the female and male bands end at different ages")
        if problems:
            raise ValueError("; ".join(problems))
        if self.verified and not all(band.verified for band in self.bands):
            raise ValueError("a table with an unverified band must itself be unverified")
        return self

    def band_for(self, birth_date: date, on: date, sex: str) -> Band | None:
        """The band for someone born on ``birth_date``, on the day ``on``, of ``sex``.

        ``sex`` is ``female``, ``male`` or anything else (``other``, ``unknown``), which matches
        only bands for any sex. ``None`` when the age is outside the table, or when the table is
        split by sex at that age and the sex is neither female nor male.
        """
        for band in self.bands:
            if band.sex in ("any", sex) and band.contains(birth_date, on):
                return band
        return None


def preferred_table(kb: KnowledgeBase, analyte: str) -> ReferenceTable | None:
    """The default table for ``analyte``: the site's preferred one if any, else the built-in one."""
    preferred = [table for table in kb.of(ReferenceTable) if table.analyte == analyte and table.preferred]
    preferred.sort(key=lambda table: not table.local)
    return preferred[0] if preferred else None


def _cross_check(kb: KnowledgeBase) -> list[str]:
    problems: list[str] = []
    preferred: dict[tuple[str, bool], list[str]] = defaultdict(list)
    covered: set[str] = set()
    for table in kb.of(ReferenceTable):
        problem = analyte_problem(kb, table.analyte, table.unit)
        if problem:
            problems.append(f"{table.id}: {problem}")
        covered.add(table.analyte)
        if table.preferred:
            preferred[(table.analyte, table.local)].append(table.id)
    for (analyte, local), ids in sorted(preferred.items()):
        if len(ids) > 1:
            origin = "site" if local else "built-in"
            problems.append(f"{analyte}: {len(ids)} preferred {origin} tables ({', '.join(ids)}); mark one")
    for analyte in sorted(covered - {analyte for analyte, _ in preferred}):
        problems.append(f"{analyte}: no table is marked preferred")
    return problems


TOPIC = Topic(
    name="reference_intervals",
    title="Reference intervals by age and sex",
    item_type=ReferenceTable,
    cross_check=_cross_check,
)
