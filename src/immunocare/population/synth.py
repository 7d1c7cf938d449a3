"""Synthetic OMOP CDM 5.4 populations with planted immunodeficiency patients, for recall and speed.

:func:`synthesize` writes one Parquet file per table (person, observation_period,
visit_occurrence, condition_occurrence, drug_exposure, measurement, cdm_source, concept,
concept_ancestor) and ``planted.csv`` (person_id, profile). The background population has
ordinary infections and antibiotic courses at rates that depend on age; the planted persons
(see ``_synth_profiles``) have typical histories of an undiagnosed immunodeficiency, of a B-cell
depletion never followed by an IgG measurement, or of an immunodeficiency already coded.

The rates in :class:`SynthRates` are **simulation parameters, not clinical knowledge**: they
shape a plausible load for benchmarks and recall tests, and nothing clinical reads them. Every
code written comes from the loaded knowledge base (``_synth_vocabulary``). Persons are made in
chunks with numpy and written as Parquet row groups, so memory stays bounded by the chunk size
whatever the population size; the same seed gives the same files.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.progress import track

from immunocare.domain import InfectionSite, PathogenClass
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base

from ._synth_profiles import PROFILES, History, Profile
from ._synth_vocabulary import Code, Vocabulary

__all__ = ["SynthRates", "SynthSummary", "synthesize"]

# OMOP vocabulary ids of the record's types (not clinical values): gender, visit, route, type.
_MALE, _FEMALE = 8507, 8532
_OUTPATIENT, _INPATIENT = 9202, 9201
_ORAL, _INTRAVENOUS = 4132161, 4171047
_EHR = 32817
_DAY = np.timedelta64(1, "D")


V = TypeVar("V")


def _frozen(values: Mapping[str, V]) -> Mapping[str, V]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class SynthRates:
    """The simulation's parameters: orders of magnitude for a plausible load, not clinical data.

    The infection rates are per person-year in four age bands (0–5, 6–17, 18–64, 65+ years at the
    middle of the observed history). They were chosen by the developers to give a primary-care-like
    mix (colds most often, ear infections mostly in small children, pneumonia and sepsis rare) and
    about 30 condition and 10 drug rows per person over ten years; they were not taken from a source.

    Attributes:
        history_years: how far back each person's record goes (from birth for younger persons).
        max_age_years: background ages are uniform from 0 to this.
        band_edges: the ages (years) where the next age band starts.
        infections_per_year: event kind → rate per person-year in each band.
        antibiotic_share: event kind → share of episodes with an antibiotic course.
        intravenous_share: event kind → share of those courses given intravenously.
        oral_antibiotics: generic names of the oral courses (looked up in the knowledge base).
        intravenous_antibiotic: generic name of the intravenous courses.
        course_days: shortest and longest course, days.
        igg_tested_share: share of background persons with one IgG measurement.
        igg_mean_sd: mean and standard deviation of those IgG values (g/L).
        planted_per_person: planted persons of each profile per background person.
        chunk_persons: persons generated and written per Parquet row group.
    """

    history_years: int = 10
    max_age_years: int = 90
    band_edges: tuple[int, ...] = (6, 18, 65)
    infections_per_year: Mapping[str, tuple[float, ...]] = field(
        default_factory=lambda: _frozen(
            {
                "uri": (5.5, 3.2, 2.8, 2.4),
                "ear": (0.9, 0.25, 0.03, 0.02),
                "sinus": (0.05, 0.12, 0.14, 0.1),
                "pneumonia": (0.03, 0.01, 0.01, 0.03),
                "sepsis": (0.002, 0.0005, 0.001, 0.005),
                "skin_abscess": (0.01, 0.01, 0.02, 0.02),
            }
        )
    )
    antibiotic_share: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {"uri": 0.3, "ear": 0.75, "sinus": 0.6, "pneumonia": 0.9, "sepsis": 1.0, "skin_abscess": 0.5}
        )
    )
    intravenous_share: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"pneumonia": 0.3, "sepsis": 0.9})
    )
    oral_antibiotics: tuple[str, ...] = ("azithromycin", "clarithromycin", "trimethoprim", "levofloxacin")
    intravenous_antibiotic: str = "ceftriaxone"
    course_days: tuple[int, int] = (5, 10)
    igg_tested_share: float = 0.01
    igg_mean_sd: tuple[float, float] = (10.0, 2.5)
    planted_per_person: float = 0.0005
    chunk_persons: int = 100_000


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`synthesize` wrote.

    Attributes:
        out: the folder.
        persons: persons written, planted ones included.
        planted: profile → planted persons.
        rows: table → rows written.
        files: every file written.
    """

    out: Path
    persons: int
    planted: Mapping[str, int]
    rows: Mapping[str, int]
    files: tuple[Path, ...]


_SCHEMAS: dict[str, pa.Schema] = {
    "person": pa.schema(
        [
            ("person_id", pa.int64()),
            ("gender_concept_id", pa.int64()),
            ("year_of_birth", pa.int64()),
            ("month_of_birth", pa.int64()),
            ("day_of_birth", pa.int64()),
            ("birth_datetime", pa.timestamp("s")),
            ("race_concept_id", pa.int64()),
            ("ethnicity_concept_id", pa.int64()),
            ("person_source_value", pa.string()),
        ]
    ),
    "observation_period": pa.schema(
        [
            ("observation_period_id", pa.int64()),
            ("person_id", pa.int64()),
            ("observation_period_start_date", pa.date32()),
            ("observation_period_end_date", pa.date32()),
            ("period_type_concept_id", pa.int64()),
        ]
    ),
    "visit_occurrence": pa.schema(
        [
            ("visit_occurrence_id", pa.int64()),
            ("person_id", pa.int64()),
            ("visit_concept_id", pa.int64()),
            ("visit_start_date", pa.date32()),
            ("visit_end_date", pa.date32()),
            ("visit_type_concept_id", pa.int64()),
        ]
    ),
    "condition_occurrence": pa.schema(
        [
            ("condition_occurrence_id", pa.int64()),
            ("person_id", pa.int64()),
            ("condition_concept_id", pa.int64()),
            ("condition_start_date", pa.date32()),
            ("condition_end_date", pa.date32()),
            ("condition_type_concept_id", pa.int64()),
            ("visit_occurrence_id", pa.int64()),
            ("condition_source_value", pa.string()),
            ("condition_source_concept_id", pa.int64()),
        ]
    ),
    "drug_exposure": pa.schema(
        [
            ("drug_exposure_id", pa.int64()),
            ("person_id", pa.int64()),
            ("drug_concept_id", pa.int64()),
            ("drug_exposure_start_date", pa.date32()),
            ("drug_exposure_end_date", pa.date32()),
            ("drug_type_concept_id", pa.int64()),
            ("days_supply", pa.int64()),
            ("route_concept_id", pa.int64()),
            ("visit_occurrence_id", pa.int64()),
            ("drug_source_value", pa.string()),
            ("drug_source_concept_id", pa.int64()),
        ]
    ),
    "measurement": pa.schema(
        [
            ("measurement_id", pa.int64()),
            ("person_id", pa.int64()),
            ("measurement_concept_id", pa.int64()),
            ("measurement_date", pa.date32()),
            ("measurement_type_concept_id", pa.int64()),
            ("value_as_number", pa.float64()),
            ("unit_source_value", pa.string()),
            ("measurement_source_value", pa.string()),
            ("measurement_source_concept_id", pa.int64()),
        ]
    ),
}


@dataclass
class _Codes:
    """The codes of every event kind and drug, looked up once in the knowledge base."""

    vocabulary: Vocabulary
    events: dict[str, Code]
    drugs: dict[str, Code]
    igg: Code

    @classmethod
    def of(cls, kb: KnowledgeBase, rates: SynthRates) -> _Codes:
        v = Vocabulary(kb)
        events = {
            "uri": v.infection(InfectionSite.UPPER_RESPIRATORY, PathogenClass.UNKNOWN),
            "ear": v.infection(InfectionSite.EAR),
            "sinus": v.infection(InfectionSite.SINUS),
            "pneumonia": v.infection(InfectionSite.LUNG, PathogenClass.BACTERIAL),
            "viral_pneumonia": v.infection(InfectionSite.LUNG, PathogenClass.VIRAL),
            "aspergillus": v.infection(InfectionSite.LUNG, PathogenClass.FUNGAL),
            "sepsis": v.infection(InfectionSite.BLOOD, PathogenClass.BACTERIAL),
            "skin_abscess": v.infection(InfectionSite.SKIN, abscess=True),
            "deep_abscess": v.infection(InfectionSite.DEEP_ORGAN, abscess=True),
            "thrush": v.infection(InfectionSite.ORAL_FUNGAL),
            "failure_to_thrive": v.sign_code("cf_children_failure_to_thrive"),
            "cvid": v.diagnosis("cvid"),
        }
        names = {*rates.oral_antibiotics, rates.intravenous_antibiotic, "azithromycin", "clarithromycin"}
        drugs = {name: v.antibiotic(name) for name in sorted(names)}
        drugs["rituximab"] = v.drug_of_class("sid_anti_cd20", "rituximab")
        return cls(v, events, drugs, v.analyte("igg"))


class _Writer:
    """One Parquet file per table, with running ids.

    Rows are written in row groups of at least ``GROUP_ROWS`` (the last one excepted): the planted
    persons, written one by one, would otherwise each leave a row group of a few rows, which no
    database export does and which every reader then pays for in metadata.
    """

    GROUP_ROWS = 100_000

    def __init__(self, out: Path) -> None:
        self.out = out
        self.rows = dict.fromkeys(_SCHEMAS, 0)
        self._writers = {
            name: pq.ParquetWriter(out / f"{name}.parquet", schema) for name, schema in _SCHEMAS.items()
        }
        self._waiting: dict[str, list[pa.Table]] = {name: [] for name in _SCHEMAS}
        self._waiting_rows = dict.fromkeys(_SCHEMAS, 0)

    def next_ids(self, table: str, count: int) -> np.ndarray:
        return np.arange(self.rows[table] + 1, self.rows[table] + count + 1, dtype=np.int64)

    def write(self, table: str, columns: Mapping[str, object]) -> None:
        batch = pa.table(dict(columns), schema=_SCHEMAS[table])
        self._waiting[table].append(batch)
        self._waiting_rows[table] += batch.num_rows
        self.rows[table] += batch.num_rows
        if self._waiting_rows[table] >= self.GROUP_ROWS:
            self._flush(table)

    def _flush(self, table: str) -> None:
        if self._waiting[table]:
            self._writers[table].write_table(pa.concat_tables(self._waiting[table]))
            self._waiting[table], self._waiting_rows[table] = [], 0

    def close(self) -> None:
        for table, writer in self._writers.items():
            self._flush(table)
            writer.close()


def synthesize(
    persons: int,
    out: Path,
    *,
    seed: int = 0,
    as_of: date,
    rates: SynthRates | None = None,
    kb: KnowledgeBase | None = None,
    progress: bool = False,
) -> SynthSummary:
    """Write a synthetic OMOP CDM 5.4 population of ``persons`` persons as Parquet into ``out``.

    Args:
        persons: persons in all, planted ones included.
        out: the folder (created; existing table files are replaced).
        seed: the random seed; the same seed, size and rates give the same files.
        as_of: the last day of every record.
        rates: the simulation parameters (defaults: :class:`SynthRates`).
        kb: the knowledge base whose codes are used (default: the built-in one).
        progress: show a progress bar over the chunks while they are written.

    Raises:
        ValidationError: too few persons to plant every profile.
    """
    rates = rates or SynthRates()
    if persons < 2 * len(PROFILES):
        raise ValidationError.single("persons", f"give at least {2 * len(PROFILES)} persons")
    codes = _Codes.of(kb or load_knowledge_base(), rates)
    rng = np.random.default_rng(seed)
    per_profile = max(1, round(persons * rates.planted_per_person))
    planted_ids = rng.choice(np.arange(1, persons + 1), size=per_profile * len(PROFILES), replace=False)
    profile_of = {int(pid): PROFILES[i // per_profile] for i, pid in enumerate(planted_ids)}
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    anchor = np.datetime64(as_of, "D")
    try:
        chunks = range(1, persons + 1, rates.chunk_persons)
        for first in track(chunks, description="Synthesizing", disable=not progress, transient=True):
            ids = np.arange(first, min(first + rates.chunk_persons, persons + 1), dtype=np.int64)
            planted_here = [pid for pid in ids.tolist() if pid in profile_of]
            background = ids[~np.isin(ids, planted_here)]
            _write_background(writer, codes, rates, rng, background, anchor)
            for pid in planted_here:
                _write_history(writer, codes, rates, pid, profile_of[pid].draw(rng), anchor)
    finally:
        writer.close()
    files = [out / f"{name}.parquet" for name in _SCHEMAS]
    files += _write_small_tables(out, codes, as_of)
    files.append(_write_planted(out, profile_of))
    planted = {p.name: per_profile for p in PROFILES}
    return SynthSummary(out, persons, planted, dict(writer.rows), tuple(files))


def _write_background(
    writer: _Writer,
    codes: _Codes,
    rates: SynthRates,
    rng: np.random.Generator,
    ids: np.ndarray,
    anchor: np.datetime64,
) -> None:
    """Persons, observation periods and the ordinary infections and courses of one chunk."""
    age_days = rng.integers(0, (rates.max_age_years + 1) * 365, size=len(ids))
    birth = anchor - age_days * _DAY
    span = np.minimum(age_days, rates.history_years * 365)
    _write_persons(writer, rng, ids, birth, anchor - span * _DAY, anchor)
    middle_age = (age_days - span // 2) / 365
    band = np.searchsorted(np.asarray(rates.band_edges), middle_age, side="right")
    kinds, rows, days = [], [], []
    for kind, per_year in rates.infections_per_year.items():
        count = rng.poisson(np.asarray(per_year)[band] * span / 365)
        who = np.repeat(np.arange(len(ids)), count)
        kinds.append(np.full(len(who), list(rates.infections_per_year).index(kind)))
        rows.append(who)
        days.append((rng.random(len(who)) * (span[who] + 1)).astype(np.int64))
    kind_index, who, before = np.concatenate(kinds), np.concatenate(rows), np.concatenate(days)
    order = np.lexsort((-before, who))
    kind_index, who, before = kind_index[order], who[order], before[order]
    kind_names = list(rates.infections_per_year)
    start = anchor - before * _DAY
    visit_ids = _write_conditions(writer, ids[who], [codes.events[k] for k in kind_names], kind_index, start)
    treated = rng.random(len(who)) < np.asarray([rates.antibiotic_share[k] for k in kind_names])[kind_index]
    iv_share = np.asarray([rates.intravenous_share.get(k, 0.0) for k in kind_names])
    intravenous = treated & (rng.random(len(who)) < iv_share[kind_index])
    oral = rng.integers(0, len(rates.oral_antibiotics), size=len(who))
    drug_names = [*rates.oral_antibiotics, rates.intravenous_antibiotic]
    drug_index = np.where(intravenous, len(rates.oral_antibiotics), oral)[treated]
    supply = rng.integers(rates.course_days[0], rates.course_days[1] + 1, size=len(drug_index))
    _write_drugs(
        writer,
        ids[who][treated],
        [codes.drugs[n] for n in drug_names],
        drug_index,
        start[treated],
        supply,
        np.where(intravenous[treated], _INTRAVENOUS, _ORAL),
        visit_ids[treated],
    )
    tested = rng.random(len(ids)) < rates.igg_tested_share
    values = np.round(rng.normal(*rates.igg_mean_sd, size=int(tested.sum())), 1)
    when = anchor - (rng.random(len(values)) * (span[tested] + 1)).astype(np.int64) * _DAY
    _write_igg(writer, codes.igg, ids[tested], when, np.abs(values))


def _write_persons(
    writer: _Writer,
    rng: np.random.Generator,
    ids: np.ndarray,
    birth: np.ndarray,
    observed_from: np.ndarray,
    anchor: np.datetime64,
) -> None:
    years = birth.astype("datetime64[Y]")
    months = birth.astype("datetime64[M]")
    writer.write(
        "person",
        {
            "person_id": ids,
            "gender_concept_id": np.asarray([_MALE, _FEMALE])[rng.integers(0, 2, size=len(ids))],
            "year_of_birth": years.astype(np.int64) + 1970,
            "month_of_birth": (months - years).astype(np.int64) + 1,
            "day_of_birth": (birth - months).astype(np.int64) + 1,
            "birth_datetime": birth.astype("datetime64[s]"),
            "race_concept_id": np.zeros(len(ids), np.int64),
            "ethnicity_concept_id": np.zeros(len(ids), np.int64),
            "person_source_value": [f"synthetic-{pid}" for pid in ids.tolist()],
        },
    )
    writer.write(
        "observation_period",
        {
            "observation_period_id": writer.next_ids("observation_period", len(ids)),
            "person_id": ids,
            "observation_period_start_date": observed_from,
            "observation_period_end_date": np.full(len(ids), anchor),
            "period_type_concept_id": np.full(len(ids), _EHR),
        },
    )


def _coded(values: list[Code], index: np.ndarray, attribute: str) -> np.ndarray:
    picked: np.ndarray = np.asarray([getattr(code, attribute) for code in values], dtype=np.int64)[index]
    return picked


def _texts(values: list[Code], index: np.ndarray) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(index, pa.int32()), pa.array([code.source_value for code in values])
    ).cast(pa.string())


def _write_conditions(
    writer: _Writer, person: np.ndarray, values: list[Code], index: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """Condition rows and one visit each; returns the visit ids."""
    ids = writer.next_ids("condition_occurrence", len(person))
    visits = writer.next_ids("visit_occurrence", len(person))
    writer.write(
        "visit_occurrence",
        {
            "visit_occurrence_id": visits,
            "person_id": person,
            "visit_concept_id": np.full(len(person), _OUTPATIENT),
            "visit_start_date": start,
            "visit_end_date": start,
            "visit_type_concept_id": np.full(len(person), _EHR),
        },
    )
    writer.write(
        "condition_occurrence",
        {
            "condition_occurrence_id": ids,
            "person_id": person,
            "condition_concept_id": _coded(values, index, "concept_id"),
            "condition_start_date": start,
            "condition_end_date": start,
            "condition_type_concept_id": np.full(len(person), _EHR),
            "visit_occurrence_id": visits,
            "condition_source_value": _texts(values, index),
            "condition_source_concept_id": _coded(values, index, "source_concept_id"),
        },
    )
    return visits


def _write_drugs(
    writer: _Writer,
    person: np.ndarray,
    values: list[Code],
    index: np.ndarray,
    start: np.ndarray,
    supply: np.ndarray,
    route: np.ndarray,
    visits: np.ndarray,
) -> None:
    writer.write(
        "drug_exposure",
        {
            "drug_exposure_id": writer.next_ids("drug_exposure", len(person)),
            "person_id": person,
            "drug_concept_id": _coded(values, index, "concept_id"),
            "drug_exposure_start_date": start,
            "drug_exposure_end_date": start + (supply - 1) * _DAY,
            "drug_type_concept_id": np.full(len(person), _EHR),
            "days_supply": supply,
            "route_concept_id": route,
            "visit_occurrence_id": visits,
            "drug_source_value": _texts(values, index),
            "drug_source_concept_id": _coded(values, index, "source_concept_id"),
        },
    )


def _write_igg(writer: _Writer, igg: Code, person: np.ndarray, when: np.ndarray, values: np.ndarray) -> None:
    writer.write(
        "measurement",
        {
            "measurement_id": writer.next_ids("measurement", len(person)),
            "person_id": person,
            "measurement_concept_id": np.full(len(person), igg.concept_id),
            "measurement_date": when,
            "measurement_type_concept_id": np.full(len(person), _EHR),
            "value_as_number": values,
            "unit_source_value": ["g/L"] * len(person),
            "measurement_source_value": [igg.source_value] * len(person),
            "measurement_source_concept_id": np.full(len(person), igg.concept_id),
        },
    )


def _write_history(
    writer: _Writer, codes: _Codes, rates: SynthRates, pid: int, history: History, anchor: np.datetime64
) -> None:
    """One planted person: their person row and the coded history the profile drew."""
    ids = np.asarray([pid], np.int64)
    birth = anchor - np.asarray([history.age_days]) * _DAY
    _write_persons(writer, np.random.default_rng(pid), ids, birth, birth, anchor)
    kinds = sorted({kind for kind, _ in history.conditions})
    index = np.asarray([kinds.index(kind) for kind, _ in history.conditions], np.int64)
    days = [day for _, day in history.conditions]
    start = anchor - np.asarray(days, np.int64) * _DAY
    visits = _write_conditions(
        writer, np.full(len(index), pid), [codes.events[k] for k in kinds], index, start
    )
    if history.drugs:
        visit_of_day = dict(zip(days, visits.tolist(), strict=True))
        names = sorted({name for name, _, _ in history.drugs})
        route = [_ORAL if name in rates.oral_antibiotics else _INTRAVENOUS for name, _, _ in history.drugs]
        _write_drugs(
            writer,
            np.full(len(history.drugs), pid),
            [codes.drugs[n] for n in names],
            np.asarray([names.index(name) for name, _, _ in history.drugs], np.int64),
            anchor - np.asarray([day for _, day, _ in history.drugs], np.int64) * _DAY,
            np.asarray([supply for _, _, supply in history.drugs], np.int64),
            np.asarray(route, np.int64),
            np.asarray([visit_of_day.get(day, 0) for _, day, _ in history.drugs], np.int64),
        )
    if history.igg:
        when = anchor - np.asarray([d for d, _ in history.igg], np.int64) * _DAY
        _write_igg(writer, codes.igg, np.full(len(when), pid), when, np.asarray([v for _, v in history.igg]))


def _write_small_tables(out: Path, codes: _Codes, as_of: date) -> list[Path]:
    """cdm_source, concept and concept_ancestor."""
    tables = codes.vocabulary.tables()
    tables["cdm_source"] = pa.table(
        {
            "cdm_source_name": ["immunocare synthetic population"],
            "cdm_source_abbreviation": ["immunocare-synth"],
            "cdm_holder": ["immunocare"],
            "source_description": [
                "Synthetic persons with planted immunodeficiency histories (no real data)"
            ],
            "source_release_date": pa.array([as_of], pa.date32()),
            "cdm_release_date": pa.array([as_of], pa.date32()),
            "cdm_version": ["v5.4"],
            "vocabulary_version": ["immunocare local concepts from the knowledge base"],
        }
    )
    paths = []
    for name, table in tables.items():
        pq.write_table(table, out / f"{name}.parquet")
        paths.append(out / f"{name}.parquet")
    return paths


def _write_planted(out: Path, profile_of: Mapping[int, Profile]) -> Path:
    path = out / "planted.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["person_id", "profile"])
        rows.writerows((pid, profile_of[pid].name) for pid in sorted(profile_of))
    return path
