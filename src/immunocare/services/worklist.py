"""The worklist: patients whose warning signs suggest an immunodeficiency that nobody has diagnosed yet.

Every record is screened as of today: a patient is listed when the warning-sign list for their age
is met (enough of its signs, as the knowledge base's list says) and no immunodeficiency is known
(Recognize's ``known_immunodeficiency`` is not met). The list is sorted by the number of signs met,
then by the day of the latest evidence, newest first.

Access and audit: listing is authorized once (the ``list`` action, as for a patient search). The
records are read in batches of short transactions, so that screening never holds the database
while the rules run; then one transaction appends one audit entry for the screening (how many
records were screened and how many shown) and one ``list`` entry per patient shown, so that each
shown patient's audit trail says who saw them on the worklist and when.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.recognize import recognize
from immunocare.domain import Finding, FindingStatus, Patient, PatientRecord, item_date
from immunocare.store import PatientRepository, RecordRepository

from ._context import Actor, ServiceContext, transaction
from .authz import Action, audit, authorize

__all__ = ["Worklist", "WorklistEntry", "WorklistSign", "worklist"]

_BATCH = 200
"""How many patients are read from the store at a time."""


@dataclass(frozen=True, slots=True)
class WorklistSign:
    """A warning sign met, with the day of its latest evidence (``None`` when it has no dated item)."""

    finding: Finding
    latest: date | None


@dataclass(frozen=True, slots=True)
class WorklistEntry:
    """One patient on the worklist.

    Attributes:
        patient: the patient's demographics.
        sign_list: the warning-sign list's finding (its ``parts`` are every sign of the list).
        signs: the signs met, in the list's order.
        latest: the day of the latest evidence of any sign met.
    """

    patient: Patient
    sign_list: Finding
    signs: tuple[WorklistSign, ...]
    latest: date | None


@dataclass(frozen=True, slots=True)
class Worklist:
    """The worklist of one day."""

    as_of: date
    screened: int
    entries: tuple[WorklistEntry, ...]


def _latest(record: PatientRecord, finding: Finding) -> date | None:
    """The day of the latest dated record item among a finding's evidence."""
    days = [
        day
        for evidence in finding.evidence
        if evidence.kind is not None and evidence.item_id is not None
        for item in record.items(evidence.kind)
        if item.id == evidence.item_id and (day := item_date(item)) is not None
    ]
    return max(days, default=None)


def _entry(ctx: ServiceContext, record: PatientRecord, as_of: date) -> WorklistEntry | None:
    recognition = recognize(Evaluation(record, ctx.kb, as_of))
    signs = recognition.warning_signs
    known = recognition.known_immunodeficiency.status is FindingStatus.MET
    if signs.status is not FindingStatus.MET or known:
        return None
    met = tuple(
        WorklistSign(part, _latest(record, part)) for part in signs.parts if part.status is FindingStatus.MET
    )
    latest = max((sign.latest for sign in met if sign.latest), default=None)
    return WorklistEntry(record.patient, signs, met, latest)


def _records(ctx: ServiceContext) -> Iterator[PatientRecord]:
    """Every stored record, read a batch at a time in short transactions (the rules run outside them)."""
    offset = 0
    while True:
        with transaction(ctx) as session:
            batch = PatientRepository(session).search(limit=_BATCH, offset=offset)
            records = RecordRepository(session)
            loaded = [records.load(patient_id=p.id) for p in batch if p.id is not None]
        if not batch:
            return
        yield from loaded
        offset += len(batch)


def _order(entry: WorklistEntry) -> tuple[int, int, str]:
    latest = -entry.latest.toordinal() if entry.latest else 0
    return -len(entry.signs), latest, entry.patient.family_name


def worklist(ctx: ServiceContext, *, actor: Actor | None) -> Worklist:
    """Patients with enough warning signs and no known immunodeficiency, as of today."""
    actor = authorize(ctx, actor, Action.LIST)
    as_of = ctx.today()
    screened, found = 0, []
    for record in _records(ctx):
        screened += 1
        if (entry := _entry(ctx, record, as_of)) is not None:
            found.append(entry)
    found.sort(key=_order)
    with transaction(ctx) as session:
        detail = f"worklist as of {as_of.isoformat()}: {screened} records screened, {len(found)} shown"
        audit(ctx, session, actor, Action.LIST, detail=detail)
        for entry in found:
            count = f"{len(entry.signs)} warning signs met"
            audit(ctx, session, actor, Action.LIST, patient_id=entry.patient.id, detail=f"worklist: {count}")
    return Worklist(as_of, screened, tuple(found))
