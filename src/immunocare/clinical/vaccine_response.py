"""The vaccine challenge: the antibody response to a vaccine dose, antigen by antigen.

A dose is a challenge for each antigen the knowledge base can judge after it: the pneumococcal
polysaccharide response after a vaccine with pneumococcal serotypes whose platform the
``diagnostic_vaccination`` topic does not leave out (PPSV23, not the conjugate vaccines), and the
tetanus, diphtheria and Hib antibodies after a vaccine of those groups. For every antigen the
report pairs the pre-vaccination sample (the latest on or before the day of the dose) with the
post-vaccination sample (the first inside the topic's preferred sample window, else the first after
the dose, flagged as early or late; before the next dose of the same antigen), and gives the fold
rise, whether the level is protective and, with a paired rule, the responder status.

The polysaccharide response is graded by the age at vaccination (the topic's age groups and
grades, tried in order: severe, moderate, mild, memory; ``normal`` when none holds) on the
serotypes of the challenge vaccine, leaving out those of any conjugate vaccine received first.
The derived outcomes the criterion language reads (``pneumococcal_polysaccharide_response`` and
``vaccine_antibody_response``) are mapped from a challenge's ``grade`` and each row's protection
by the tests' ``result_words`` in the knowledge base, in :mod:`immunocare.clinical.test_results`.

Bad input gives a message, not an answer: a row whose titre is in a unit that does not convert
carries a ``problem``, a challenge whose response cannot be graded says why, and a pneumococcal
analyte without a serotype in the knowledge base raises :class:`~immunocare.errors.KnowledgeBaseError`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from immunocare.domain import (
    Finding,
    FindingStatus,
    PatientRecord,
    Recommendation,
    Vaccination,
    summarize,
)
from immunocare.domain.ages import Duration, add_duration, duration_label
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, citation_ids
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.diagnostic_vaccination import (
    PolysaccharideResponse,
    ProtectiveLevel,
    SampleWindow,
)
from immunocare.knowledge.topics.vaccines import Vaccine

from ._polysaccharide import NORMAL, Serotype, age_group, first_grade, memory_limits
from ._vaccine_findings import challenge_finding
from ._vaccine_rows import (
    POLYSACCHARIDE,
    AntigenRow,
    Timing,
    antigen_row,
    fold_rise,
    protective,
    rules_for,
    window_text,
)
from .labs import LabBook

__all__ = [
    "NORMAL",
    "POLYSACCHARIDE",
    "AntigenRow",
    "Challenge",
    "Timing",
    "VaccineResponse",
    "vaccine_response",
    "window_text",
]

_UNSET = Finding(rule_id="unset", title="unset", status=FindingStatus.UNDETERMINED, explanation="")
"""The finding of a challenge still being built (replaced before it is returned)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Challenge:
    """One vaccine dose judged for one target, as a table and a finding.

    Attributes:
        vaccination: the dose.
        vaccine: the dose's vaccine in the knowledge base.
        target: ``pneumococcal_polysaccharide``, ``tetanus``, ``diphtheria`` or ``hib``.
        window: the preferred sample window for the target.
        rows: one per antigen (serotype).
        age_group: the age group graded in (polysaccharide response).
        grade: ``severe``, ``moderate``, ``mild``, ``memory`` or ``normal`` (polysaccharide response).
        problem: why the response could not be judged, if it could not.
        notes: caveats (bounds used as values, the memory phenotype not assessable …).
        finding: the challenge's finding, with a part per antigen.
        recommendations: what to do next, where the knowledge base says.
    """

    vaccination: Vaccination
    vaccine: Vaccine
    target: str
    window: SampleWindow
    rows: tuple[AntigenRow, ...]
    age_group: str | None = None
    grade: str | None = None
    problem: str | None = None
    notes: tuple[str, ...] = ()
    finding: Finding
    recommendations: tuple[Recommendation, ...] = ()

    @property
    def timing_ok(self) -> bool:
        """Whether every post sample used was drawn inside the window (or the window names a day)."""
        return all(row.timing in (Timing.IN_WINDOW, Timing.TARGET_DAY) for row in self.rows if row.judged)

    @property
    def window_text(self) -> str:
        """The sample window in words."""
        return window_text(self.window)


@dataclass(frozen=True, slots=True)
class VaccineResponse:
    """Every vaccine challenge of a record."""

    challenges: tuple[Challenge, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        """One finding per challenge."""
        return tuple(challenge.finding for challenge in self.challenges)

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        """Every challenge's next steps."""
        return tuple(r for challenge in self.challenges for r in challenge.recommendations)


def vaccine_response(record: PatientRecord, kb: KnowledgeBase, as_of: date) -> VaccineResponse:
    """Every vaccine challenge of ``record`` up to ``as_of``: each dose with a sample before or after it."""
    context = _Context.of(record, kb, as_of)
    challenges = [
        challenge
        for vaccination, vaccine in context.doses
        for target in context.targets(vaccine)
        if (challenge := _challenge(context, vaccination, vaccine, target)) is not None
    ]
    return VaccineResponse(tuple(challenges))


@dataclass(frozen=True)
class _Context:
    record: PatientRecord
    kb: KnowledgeBase
    as_of: date
    book: LabBook
    doses: tuple[tuple[Vaccination, Vaccine], ...]
    polysaccharide: PolysaccharideResponse | None

    @classmethod
    def of(cls, record: PatientRecord, kb: KnowledgeBase, as_of: date) -> _Context:
        by_cvx = {vaccine.cvx: vaccine for vaccine in kb.of(Vaccine)}
        given = sorted((v for v in record.vaccinations if v.given_on <= as_of), key=lambda v: v.given_on)
        doses = tuple((v, by_cvx[v.cvx]) for v in given if v.cvx in by_cvx)
        responses = kb.of(PolysaccharideResponse)
        return cls(record, kb, as_of, LabBook.of(record, kb), doses, responses[0] if responses else None)

    def protein_levels(self) -> dict[str, ProtectiveLevel]:
        """The protective level of each protein or conjugate target (tetanus, diphtheria, Hib)."""
        return {
            level.target: level for level in self.kb.of(ProtectiveLevel) if level.target != POLYSACCHARIDE
        }

    def targets(self, vaccine: Vaccine) -> list[str]:
        found = [target for target in self.protein_levels() if target in vaccine.groups]
        response = self.polysaccharide
        if (
            response is not None
            and vaccine.pneumococcal_serotypes
            and vaccine.platform not in response.exclude_serotypes_of_platforms
        ):
            found.append(POLYSACCHARIDE)
        return found

    def next_dose(self, vaccination: Vaccination, target: str) -> date | None:
        """The day of the next dose that challenges the same target, if any."""
        later = (v.given_on for v, vaccine in self.doses if target in self.targets(vaccine))
        return next((day for day in later if day > vaccination.given_on), None)

    def window(self, target: str) -> SampleWindow:
        found = [w for w in self.kb.of(SampleWindow) if target in w.preferred_for]
        if not found:
            raise KnowledgeBaseError(f"diagnostic_vaccination: no preferred sample window for {target}")
        return found[0]


def _analytes(context: _Context, vaccine: Vaccine, target: str) -> list[Analyte]:
    if target != POLYSACCHARIDE:
        protein = context.protein_levels()[target]
        return [a for a in (context.kb.get(i) for i in protein.analytes) if isinstance(a, Analyte)]
    assert context.polysaccharide is not None
    level = context.kb.get(context.polysaccharide.protective_level)
    assert isinstance(level, ProtectiveLevel)
    analytes = [a for a in (context.kb.get(i) for i in level.analytes) if isinstance(a, Analyte)]
    missing = [a.id for a in analytes if a.serotype is None]
    if missing:
        raise KnowledgeBaseError(
            f"{level.id}: pneumococcal analytes without a serotype: {', '.join(missing)}"
        )
    return [a for a in analytes if a.serotype in vaccine.pneumococcal_serotypes]


def _challenge(
    context: _Context, vaccination: Vaccination, vaccine: Vaccine, target: str
) -> Challenge | None:
    window = context.window(target)
    until = context.next_dose(vaccination, target)
    rows = [
        antigen_row(
            context.book.of_analyte(analyte.id, until=context.as_of),
            vaccination,
            analyte,
            window,
            rules_for(context.kb, analyte.id),
            until,
        )
        for analyte in _analytes(context, vaccine, target)
    ]
    if not any(row.post or row.pre for row in rows):
        return None
    awaited = _awaited(context, vaccination, window, rows)
    problem = None
    if target == POLYSACCHARIDE:
        rows, problem = _leave_out_conjugate_serotypes(context, vaccination, vaccine, rows)
    challenge = Challenge(
        vaccination=vaccination,
        vaccine=vaccine,
        target=target,
        window=window,
        rows=tuple(rows),
        problem=problem,
        notes=tuple(f"{row.antigen}: a bound was used as the value" for row in rows if row.approximate),
        finding=_UNSET,
        recommendations=(awaited,) if awaited else (),
    )
    if target == POLYSACCHARIDE:
        challenge = _graded(context, challenge, until)
    return replace(challenge, finding=challenge_finding(context.kb, challenge, context.polysaccharide))


def _leave_out_conjugate_serotypes(
    context: _Context, vaccination: Vaccination, vaccine: Vaccine, rows: list[AntigenRow]
) -> tuple[list[AntigenRow], str | None]:
    """Rows of serotypes a conjugate vaccine given by the last post sample covered, marked as left out."""
    assert context.polysaccharide is not None
    platforms = context.polysaccharide.exclude_serotypes_of_platforms
    end = max((row.post.day for row in rows if row.post), default=context.as_of)
    excluded: dict[str, str] = {}
    for dose, other in context.doses:
        if dose is vaccination or dose.given_on > end:
            continue
        named = f"{other.abbreviation or other.title} (CVX {other.cvx}) on {dose.given_on.isoformat()}"
        if other.formulation_unspecified and set(other.groups) & set(vaccine.groups):
            return rows, f"{named} is of unknown formulation, so which serotypes to leave out is unknown"
        if other.platform in platforms:
            excluded.update(dict.fromkeys(other.pneumococcal_serotypes, f"covered by {named}"))
    serotype_of = {a.id: a.serotype for a in context.kb.of(Analyte)}
    return [replace(row, excluded=excluded.get(serotype_of.get(row.analyte) or "")) for row in rows], None


def _awaited(
    context: _Context, vaccination: Vaccination, window: SampleWindow, rows: list[AntigenRow]
) -> Recommendation | None:
    """Advice to draw the post sample, when a pre sample was drawn and the window has not passed."""
    if any(row.post for row in rows) or not any(row.pre for row in rows):
        return None
    dose_day = vaccination.given_on
    bounds = [add_duration(dose_day, d) for d in (window.earliest, window.latest, window.target) if d]
    if context.as_of > max(bounds):
        return None
    when = window_text(window)
    return Recommendation(
        action="draw_post_vaccination_sample",
        text=f"Draw the post-vaccination sample {when} ({', '.join(d.isoformat() for d in bounds)}).",
        rationale=f"A pre-vaccination sample was drawn before {summarize(vaccination)} on {dose_day}.",
        based_on=(window.id,),
        citations=citation_ids(window),
        verified=window.verified,
    )


def _graded(context: _Context, challenge: Challenge, until: date | None) -> Challenge:
    """The challenge with its polysaccharide grade, or the reason it has none."""
    response = context.polysaccharide
    assert response is not None
    dose_day = challenge.vaccination.given_on
    group = age_group(response, context.record.patient.birth_date, dose_day)
    if group is None:
        return replace(challenge, problem=challenge.problem or "no age group of the grading covers this age")
    challenge = replace(challenge, age_group=group.label)
    unread = [
        f"{row.antigen}: {row.problem}" for row in challenge.rows if row.excluded is None and row.problem
    ]
    judged = [row for row in challenge.rows if row.judged]
    problem = challenge.problem or "; ".join(unread) or (None if judged else _nothing_after(challenge))
    if problem:
        return replace(challenge, problem=problem)
    later, notes = _later(context, challenge, group.label, memory_limits(group), judged, until)
    grade = first_grade(group.grades, [(row.protective, row.fold_rise) for row in judged], later)
    if grade is None:
        reason = (
            "a phenotype cannot be judged: a bound was used as a value or a pre-vaccination sample is missing"
        )
        return replace(challenge, problem=reason, notes=challenge.notes + notes)
    challenge = replace(challenge, grade=grade, notes=challenge.notes + notes)
    return replace(challenge, recommendations=challenge.recommendations + _repeat(response, challenge))


def _nothing_after(challenge: Challenge) -> str:
    before = max((row.pre.day for row in challenge.rows if row.pre), default=None)
    dated = f"; the latest results, on {before.isoformat()}, are dated before it" if before else ""
    return f"no serotype-specific IgG result after the vaccination on {challenge.vaccination.given_on}{dated}"


def _later(
    context: _Context,
    challenge: Challenge,
    group: str,
    limits: tuple[Duration, Duration] | None,
    judged: list[AntigenRow],
    until: date | None,
) -> tuple[list[Serotype], tuple[str, ...]]:
    """Each judged serotype's latest result after its post sample, within the memory phenotype's limit."""
    if limits is None:
        return [], ()
    within, upper = limits
    end = min(add_duration(challenge.vaccination.given_on, upper), context.as_of)
    later: list[Serotype] = []
    for row in judged:
        assert row.post is not None
        found = [
            r
            for r in context.book.of_analyte(row.analyte, until=end)
            if r.day > row.post.day and (until is None or r.day < until) and r.value and not r.problem
        ]
        if found and (level := rules_for(context.kb, row.analyte)[0]) is not None:
            later.append((protective(level, found[-1]), fold_rise(found[-1], row.pre)))
    if not later:
        return [], (f"Memory phenotype ({group}) not assessed: no result after the post sample by {end}.",)
    limit = duration_label(upper) + ("" if upper == within else f" (the source's {duration_label(within)})")
    return later, (f"Memory phenotype judged on results up to {limit} after vaccination.",)


def _repeat(response: PolysaccharideResponse, challenge: Challenge) -> tuple[Recommendation, ...]:
    if (
        challenge.grade in (None, NORMAL)
        or response.repeat_challenge_after is None
        or not challenge.timing_ok
    ):
        return ()
    vaccine = challenge.vaccine.abbreviation or challenge.vaccine.title
    after = response.repeat_challenge_after
    day = add_duration(challenge.vaccination.given_on, after)
    return (
        Recommendation(
            action="repeat_vaccine_challenge",
            text=f"If the response is judged inadequate, a second {vaccine} dose can be given from "
            f"{day.isoformat()} ({duration_label(after)} after this one).",
            rationale=f"{challenge.grade.capitalize()} impaired response to {vaccine} given on "
            f"{challenge.vaccination.given_on.isoformat()}.",
            based_on=(response.id,),
            citations=citation_ids(response),
            verified=response.verified,
        ),
    )
