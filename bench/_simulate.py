"""Simulated patients drawn from the candidates' own annotations (for evaluation and the benchmark).

hpo3 carries no annotation frequencies, so each case samples a number of the disease's phenotype
terms uniformly, moves some to a parent (imprecision), and adds unrelated terms (noise), as in the
simulations of the HPO literature. With ``ages``, a case's age is drawn uniformly within the
disease's earliest annotated onset class (an open class up to OPEN_ONSET_SPAN later), or, for a
disease with none, within that of another candidate drawn at random. The cases come from the same
annotations the method ranks on, so the figures are an upper bound for real patients, not an
estimate of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from immunocare.clinical.differential import Candidate, DifferentialModel, PhenotypeQuery
from immunocare.clinical.differential._terms import term_id
from immunocare.domain import Sex
from immunocare.domain.ages import Duration

TERMS_PER_CASE = (3, 8)
TO_PARENT = 0.3
NOISE_TERMS = (0, 2)
OPEN_ONSET_SPAN = Duration(years=20)


@dataclass(frozen=True)
class SimulatedCase:
    query: PhenotypeQuery
    truth: int


def _parent(model: DifferentialModel, term: int, rng: random.Random) -> int:
    parents = sorted(int(p) for p in model.ontology.get_hpo_object(term).parents)
    return rng.choice(parents) if parents else term


def _age(candidate: Candidate, with_onset: list[Candidate], rng: random.Random) -> Duration:
    onset = candidate.onset or rng.choice(with_onset).onset
    assert onset is not None
    start = onset.starts.span_in_days()[0]
    end = onset.ends.span_in_days()[0] if onset.ends else start + OPEN_ONSET_SPAN.span_in_days()[0]
    return Duration(days=rng.randint(start, max(start, end - 1)))


def simulate(
    model: DifferentialModel, *, per_disease: int, seed: int, ages: bool = True
) -> list[SimulatedCase]:
    """``per_disease`` cases for every candidate with at least one phenotype annotation."""
    rng = random.Random(seed)
    age_rng = random.Random(seed + 1)  # its own stream: the same cases with or without ages
    pool = sorted({t for c in model.candidates for t in c.annotations})
    with_onset = [c for c in model.candidates if c.onset]
    cases = []
    for index, candidate in enumerate(model.candidates):
        if not candidate.annotations:
            continue
        for number in range(per_disease):
            size = min(len(candidate.annotations), rng.randint(*TERMS_PER_CASE))
            terms = rng.sample(candidate.annotations, size)
            terms = [_parent(model, t, rng) if rng.random() < TO_PARENT else t for t in terms]
            terms += rng.sample(pool, rng.randint(*NOISE_TERMS))
            sex = Sex.MALE if candidate.x_linked_recessive else rng.choice((Sex.MALE, Sex.FEMALE))
            query = PhenotypeQuery(
                observed=tuple(dict.fromkeys(term_id(t) for t in terms)),
                sex=sex,
                age=_age(candidate, with_onset, age_rng) if ages else None,
                id=f"{candidate.id}#{number}",
            )
            cases.append(SimulatedCase(query, index))
    return cases
