"""Simulated patients drawn from the candidates' own annotations (for evaluation and the benchmark).

hpo3 carries no annotation frequencies, so each case samples a number of the disease's phenotype
terms uniformly, moves some to a parent (imprecision), and adds unrelated terms (noise), as in the
simulations of the HPO literature. The cases come from the same annotations the method ranks on,
so the figures are an upper bound for real patients, not an estimate of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from immunocare.clinical.differential import DifferentialModel, PhenotypeQuery
from immunocare.clinical.differential._terms import term_id
from immunocare.domain import Sex

TERMS_PER_CASE = (3, 8)
TO_PARENT = 0.3
NOISE_TERMS = (0, 2)


@dataclass(frozen=True)
class SimulatedCase:
    query: PhenotypeQuery
    truth: int


def _parent(model: DifferentialModel, term: int, rng: random.Random) -> int:
    parents = sorted(int(p) for p in model.ontology.get_hpo_object(term).parents)
    return rng.choice(parents) if parents else term


def simulate(model: DifferentialModel, *, per_disease: int, seed: int) -> list[SimulatedCase]:
    """``per_disease`` cases for every candidate with at least one phenotype annotation."""
    rng = random.Random(seed)
    pool = sorted({t for c in model.candidates for t in c.annotations})
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
                id=f"{candidate.id}#{number}",
            )
            cases.append(SimulatedCase(query, index))
    return cases
