"""Leaves over the history: infections, antibiotics, age, sex, family, phenotypes, codes, drugs, genes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from immunocare.domain import (
    CodeSystem,
    Evidence,
    Finding,
    InfectionEpisode,
    ItemKind,
    Medication,
    Phenotype,
    Severity,
    Sex,
)
from immunocare.domain.ages import add_duration, age_at_least, duration_label
from immunocare.knowledge.topics._criteria import (
    Age,
    AntibioticDays,
    DiagnosisCode,
    FamilyHistory,
    GeneticVariant,
    InfectionCount,
    LabTest,
    MedicationTaken,
    PhenotypeTerm,
    SexIs,
)
from immunocare.knowledge.topics.sid_drugs import classify_medication

from ._common import MET, NOT_MET, UNDETERMINED, evidence_of, leaf_finding
from ._evaluation import Evaluation

__all__ = [
    "age",
    "antibiotic_days",
    "diagnosis",
    "family_history",
    "genetic",
    "infection_count",
    "is_or_below",
    "medication",
    "phenotype",
    "sex",
]

_SEVERITY_ORDER = list(Severity)


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def _matches(leaf: InfectionCount, episode: InfectionEpisode, evaluation: Evaluation) -> bool:
    checks = (
        not leaf.sites or episode.site in leaf.sites,
        not leaf.pathogens or episode.pathogen_class in leaf.pathogens,
        leaf.abscess is None or episode.abscess == leaf.abscess,
        leaf.hospitalised is None or episode.hospitalised == leaf.hospitalised,
        leaf.iv_antibiotics is None or episode.iv_antibiotics == leaf.iv_antibiotics,
        leaf.min_severity is None
        or _SEVERITY_ORDER.index(episode.severity) >= _SEVERITY_ORDER.index(leaf.min_severity),
        leaf.onset_age is None
        or leaf.onset_age.contains(evaluation.record.patient.birth_date, episode.onset),
    )
    return all(checks)


def _densest(episodes: Sequence[InfectionEpisode], window: object | None) -> list[InfectionEpisode]:
    """The largest run of episodes whose onsets fall within one window (all of them without one)."""
    if window is None:
        return list(episodes)
    best: list[InfectionEpisode] = []
    for index, first in enumerate(episodes):
        end = add_duration(first.onset, window)  # type: ignore[arg-type]
        run = [episode for episode in episodes[index:] if episode.onset < end]
        if len(run) > len(best):
            best = run
    return best


def infection_count(leaf: InfectionCount, evaluation: Evaluation) -> Finding:
    """At least N matching infections, within a rolling window when the leaf has one."""
    matching = sorted(
        (
            e
            for e in evaluation.record.infections
            if e.onset <= evaluation.as_of and _matches(leaf, e, evaluation)
        ),
        key=lambda e: e.onset,
    )
    run = _densest(matching, leaf.window)
    within = f" within {duration_label(leaf.window)}" if leaf.window else ""
    spanned = leaf.min_span is None or (
        len(run) > 1 and age_at_least(run[0].onset, run[-1].onset, leaf.min_span)
    )
    if len(run) >= leaf.at_least and spanned:
        period = (
            f"from {_day(run[0].onset)} to {_day(run[-1].onset)}"
            if len(run) > 1
            else f"on {_day(run[0].onset)}"
        )
        why = f"{len(run)} matching infection(s) {period}{within}; {leaf.at_least} needed"
        return leaf_finding(leaf, MET, why, evidence=evidence_of(ItemKind.INFECTIONS, run))
    if not matching:
        return leaf_finding(leaf, NOT_MET, f"no matching infection recorded up to {_day(evaluation.as_of)}")
    if len(run) >= leaf.at_least and leaf.min_span is not None:
        why = f"{len(run)} matching infections, but not spread over {duration_label(leaf.min_span)}"
    else:
        why = f"at most {len(run)} matching infection(s){within}; {leaf.at_least} needed"
    return leaf_finding(leaf, NOT_MET, why, evidence=evidence_of(ItemKind.INFECTIONS, matching))


def _course_days(
    episodes: Sequence[InfectionEpisode],
    leaf: AntibioticDays,
    evaluation: Evaluation,
    effects: tuple[object, ...],
) -> tuple[int, int, list[InfectionEpisode]]:
    """(days counted, days needed, episodes counted) for the best rolling window of courses."""
    courses = sorted(
        (
            (course, episode)
            for episode in episodes
            for course in episode.antibiotic_courses
            if course.start <= evaluation.as_of
            and course.effect in effects
            and (not leaf.routes or course.route in leaf.routes)
        ),
        key=lambda pair: pair[0].start,
    )
    best: tuple[int, int, list[InfectionEpisode]] | None = None
    for index, (first, _) in enumerate(courses):
        end = add_duration(first.start, leaf.window) if leaf.window else None
        chosen = [(c, e) for c, e in courses[index:] if end is None or c.start < end]
        days = sum(c.days(until=min(c.stop or evaluation.as_of, evaluation.as_of)) for c, _ in chosen)
        needed = (add_duration(first.start, leaf.at_least) - first.start).days
        candidate = (days, needed, list(dict.fromkeys(e for _, e in chosen)))
        if days >= needed:
            return candidate
        if best is None or days > best[0]:
            best = candidate
        if end is None:
            break
    return best or (0, 0, [])


def antibiotic_days(leaf: AntibioticDays, evaluation: Evaluation) -> Finding:
    """Antibiotic treatment with little effect adding up to at least the stated duration."""
    episodes = [e for e in evaluation.record.infections if e.onset <= evaluation.as_of]
    days, needed, counted = _course_days(episodes, leaf, evaluation, tuple(leaf.effects))
    effects = ", ".join(effect.value for effect in leaf.effects)
    if needed and days >= needed:
        span = duration_label(leaf.at_least)
        why = f"{days} days of antibiotics with effect {effects}; {span} = {needed} days"
        return leaf_finding(leaf, MET, why, evidence=evidence_of(ItemKind.INFECTIONS, counted))
    with_unknown = (*leaf.effects, "unknown")
    more, more_needed, uncertain = _course_days(episodes, leaf, evaluation, with_unknown)
    if more_needed and more >= more_needed:
        why = f"{days} days with effect {effects}; courses of unknown effect would bring it to {more} days"
        return leaf_finding(
            leaf,
            UNDETERMINED,
            why,
            evidence=evidence_of(ItemKind.INFECTIONS, uncertain),
            missing=("the effect of the antibiotic courses",),
        )
    why = f"{days} days of antibiotics with effect {effects}" + (f"; {needed} needed" if needed else "")
    return leaf_finding(leaf, NOT_MET, why, evidence=evidence_of(ItemKind.INFECTIONS, counted))


def _test_terms(evaluation: Evaluation) -> tuple[str, ...]:
    """HPO terms that record test results, which are findings, not manifestations."""
    return tuple(h for test in evaluation.kb.of(LabTest) for entry in test.phenotypes for h in entry.hpo)


def _first_manifestation(leaf: Age, evaluation: Evaluation) -> InfectionEpisode | Phenotype | None:
    """The infection (or, for a first manifestation, the observed phenotype) with the earliest onset."""
    onsets: list[tuple[date, InfectionEpisode | Phenotype]] = [
        (e.onset, e) for e in evaluation.record.infections if e.onset <= evaluation.as_of
    ]
    if leaf.at == "first_manifestation":
        tests = _test_terms(evaluation)
        onsets += [
            (p.onset, p)
            for p in evaluation.record.phenotypes
            if not p.excluded and p.onset is not None and not is_or_below(evaluation, p.hpo_id, tests, True)
        ]
    return min(onsets, key=lambda pair: pair[0])[1] if onsets else None


def age(leaf: Age, evaluation: Evaluation) -> Finding:
    """The age at evaluation, at the first manifestation or at the first infection is in a range."""
    birth = evaluation.record.patient.birth_date
    what = {
        "evaluation": "age on",
        "first_infection": "first infection on",
        "first_manifestation": "first manifestation on",
    }[leaf.at]
    evidence: tuple[Evidence, ...] = ()
    day: date | None = evaluation.as_of
    if leaf.at != "evaluation":
        first = _first_manifestation(leaf, evaluation)
        if first is None:
            need = (
                "the onset of the first infection"
                if leaf.at == "first_infection"
                else "the onset of the first symptoms"
            )
            return leaf_finding(leaf, UNDETERMINED, f"no {need} recorded", missing=(need,))
        kind = ItemKind.INFECTIONS if isinstance(first, InfectionEpisode) else ItemKind.PHENOTYPES
        day, evidence = first.onset, evidence_of(kind, [first])
    assert day is not None
    status = MET if leaf.range.contains(birth, day) else NOT_MET
    years = (day - birth).days / 365.25
    return leaf_finding(leaf, status, f"{what} {_day(day)}: {years:.1f} years of age", evidence=evidence)


def sex(leaf: SexIs, evaluation: Evaluation) -> Finding:
    """The patient's sex is one of those named."""
    actual = evaluation.record.patient.sex
    if actual in leaf.sexes:
        return leaf_finding(leaf, MET, f"recorded sex: {actual.value}")
    if actual in (Sex.UNKNOWN, Sex.OTHER):
        return leaf_finding(
            leaf, UNDETERMINED, f"recorded sex: {actual.value}", missing=("the patient's sex",)
        )
    return leaf_finding(leaf, NOT_MET, f"recorded sex: {actual.value}")


def family_history(leaf: FamilyHistory, evaluation: Evaluation) -> Finding:
    """A relative matching the filters has an immunodeficiency (of the coded kind, if codes are given)."""
    candidates = [
        entry
        for entry in evaluation.record.family_history
        if (not leaf.relations or entry.relation in leaf.relations)
        and (leaf.first_degree is None or entry.relation.first_degree == leaf.first_degree)
        and (leaf.maternal is None or entry.relation.maternal == leaf.maternal)
    ]
    if leaf.code_prefixes:
        coded = [e for e in candidates if e.code and e.code.startswith(leaf.code_prefixes)]
        if coded:
            return leaf_finding(
                leaf,
                MET,
                "affected relative(s) recorded",
                evidence=evidence_of(ItemKind.FAMILY_HISTORY, coded),
            )
        uncoded = [e for e in candidates if e.immunodeficiency and not e.code]
        if uncoded:
            codes = ", ".join(leaf.code_prefixes)
            why = f"affected relative(s) recorded without a diagnosis code (needed: {codes})"
            return leaf_finding(
                leaf,
                UNDETERMINED,
                why,
                evidence=evidence_of(ItemKind.FAMILY_HISTORY, uncoded),
                missing=("the relative's diagnosis code",),
            )
        return leaf_finding(leaf, NOT_MET, "no matching affected relative recorded")
    affected = [e for e in candidates if e.immunodeficiency]
    if affected:
        return leaf_finding(
            leaf,
            MET,
            "affected relative(s) recorded",
            evidence=evidence_of(ItemKind.FAMILY_HISTORY, affected),
        )
    return leaf_finding(leaf, NOT_MET, "no matching relative with an immunodeficiency recorded")


def is_or_below(evaluation: Evaluation, term: str, targets: tuple[str, ...], descendants: bool) -> bool:
    """Whether ``term`` is one of ``targets`` or, with ``descendants``, more specific than one."""
    if term in targets:
        return True
    if not descendants:
        return False
    ontology = evaluation.kb.hpo.ontology
    try:
        recorded = ontology.get_hpo_object(term)
        return any(recorded.child_of(ontology.get_hpo_object(target)) for target in targets)
    except (RuntimeError, KeyError, ValueError):
        return False


def phenotype(leaf: PhenotypeTerm, evaluation: Evaluation) -> Finding:
    """One of the HPO terms (or a more specific one) is recorded as observed, or as excluded.

    Terms observed on imaging (:func:`~immunocare.clinical.imaging.imaging_phenotypes`) count as
    observed, with the study as their evidence.
    """
    excluded = leaf.state == "excluded"
    found: list[Phenotype] = [
        p
        for p in evaluation.record.phenotypes
        if p.excluded == excluded and is_or_below(evaluation, p.hpo_id, leaf.hpo, leaf.descendants)
    ]
    imaged = [
        term
        for term in (() if excluded else evaluation.imaging_terms)
        if is_or_below(evaluation, term.hpo_id, leaf.hpo, leaf.descendants)
    ]
    state = "excluded" if excluded else "observed"
    if found or imaged:
        return leaf_finding(
            leaf,
            MET,
            f"recorded as {state}: "
            + ", ".join([p.label for p in found] + [f"{t.label} (imaging)" for t in imaged]),
            evidence=evidence_of(ItemKind.PHENOTYPES, found) + tuple(term.evidence for term in imaged),
            verified=all(term.verified for term in imaged),
        )
    return leaf_finding(leaf, NOT_MET, f"none of {', '.join(leaf.hpo)} recorded as {state}")


def diagnosis(leaf: DiagnosisCode, evaluation: Evaluation) -> Finding:
    """A coded diagnosis of the named kind and status."""
    found = [
        d
        for d in evaluation.record.diagnoses
        if d.system == CodeSystem(leaf.system)
        and d.code.startswith(leaf.code_prefixes)
        and d.status in leaf.statuses
        and (d.diagnosed_on is None or d.diagnosed_on <= evaluation.as_of)
    ]
    if found:
        return leaf_finding(
            leaf,
            MET,
            "recorded: " + "; ".join(d.display for d in found),
            evidence=evidence_of(ItemKind.DIAGNOSES, found),
        )
    return leaf_finding(leaf, NOT_MET, f"no {leaf.system} diagnosis {', '.join(leaf.code_prefixes)} recorded")


def _taken_within(medication: Medication, leaf: MedicationTaken, evaluation: Evaluation) -> bool:
    if medication.start > evaluation.as_of:
        return False
    if leaf.within is None or medication.stop is None or medication.stop >= evaluation.as_of:
        return True
    return not age_at_least(medication.stop, evaluation.as_of, leaf.within)


def _is_named(medication: Medication, leaf: MedicationTaken, evaluation: Evaluation) -> bool:
    if medication.name.casefold() in {name.casefold() for name in leaf.names}:
        return True
    atc = medication.code if medication.code_system is CodeSystem.ATC else None
    classes = classify_medication(evaluation.kb, name=medication.name, atc=atc)
    return any(drug_class.id in leaf.drug_classes for drug_class in classes)


def medication(leaf: MedicationTaken, evaluation: Evaluation) -> Finding:
    """A drug of the named classes or names was taken (within the stated time, if any)."""
    found = [
        m
        for m in evaluation.record.medications
        if _taken_within(m, leaf, evaluation) and _is_named(m, leaf, evaluation)
    ]
    when = f" within {duration_label(leaf.within)}" if leaf.within else ""
    if found:
        return leaf_finding(
            leaf,
            MET,
            f"taken{when}: " + ", ".join(m.name for m in found),
            evidence=evidence_of(ItemKind.MEDICATIONS, found),
        )
    return leaf_finding(leaf, NOT_MET, f"no such drug recorded{when}")


def genetic(leaf: GeneticVariant, evaluation: Evaluation) -> Finding:
    """A reported variant in one of the genes, of one of the ACMG classes."""
    found = [
        g
        for g in evaluation.record.genetic_findings
        if g.gene in leaf.genes
        and g.acmg_class in leaf.classes
        and (g.reported_on is None or g.reported_on <= evaluation.as_of)
    ]
    if found:
        return leaf_finding(
            leaf,
            MET,
            "reported: " + "; ".join(f"{g.gene} {g.hgvs}" for g in found),
            evidence=evidence_of(ItemKind.GENETIC_FINDINGS, found),
        )
    if not evaluation.record.genetic_findings:
        return leaf_finding(
            leaf,
            UNDETERMINED,
            "no genetic test result recorded",
            missing=("genetic testing",),
            orders=("genetic_testing",),
        )
    return leaf_finding(leaf, NOT_MET, f"no qualifying variant in {', '.join(leaf.genes)} reported")
