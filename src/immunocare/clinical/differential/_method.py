"""The tuning parameters of the scoring method, in one place.

These are parameters of a statistical method (how much a matching, missing or contradicted term
moves the likelihood ratio), not clinical values: no source states them, and they were chosen by
the simulated evaluation in docs/differential.md. Changing one changes every ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AUTOSOMAL_INHERITANCE",
    "DEFAULT_PARAMETERS",
    "PHENOTYPIC_ABNORMALITY",
    "X_LINKED_RECESSIVE",
    "ScoringParameters",
]


@dataclass(frozen=True, slots=True)
class ScoringParameters:
    """The likelihood-ratio model's parameters.

    Attributes:
        annotated_frequency: the probability that a patient with the disease shows an annotated
            feature (hpo3 carries no annotation frequencies, so one value stands for all).
        unexplained_term_probability: the likelihood ratio of an observed term that the disease
            does not explain at all (a noise term, or a feature of another disease).
        contradicted_term_ratio: the likelihood ratio of a laboratory term that the disease's
            IUIS laboratory column contradicts (e.g. decreased B cells against "normal").
        x_linked_in_female_ratio: the likelihood ratio of an X-linked recessive disease in a
            female patient (skewed X inactivation makes it rare, not impossible).
        onset_before_annotated_ratio: the likelihood ratio of a disease whose earliest annotated HPO
            onset class begins after the patient's age (annotated onsets are typical, not limits).
        shown_absent_features: how many expected-but-unobserved features an explanation lists.
        min_linked_annotations: the fewest annotations a disease needs before it is linked to a gene
            whose hpo3 annotations contain all of the disease's (hpo3 has no gene–disease table;
            HPO derives gene annotations from the diseases of the gene).
    """

    annotated_frequency: float = 0.9
    unexplained_term_probability: float = 0.05
    contradicted_term_ratio: float = 0.02
    x_linked_in_female_ratio: float = 0.02
    onset_before_annotated_ratio: float = 0.2
    shown_absent_features: int = 5
    min_linked_annotations: int = 3


DEFAULT_PARAMETERS = ScoringParameters()

# HPO vocabulary the method reads (ontology structure, not clinical values): the root of the
# phenotype subontology, and the modes of inheritance that decide "X-linked recessive only".
PHENOTYPIC_ABNORMALITY = 118
X_LINKED_RECESSIVE = 1419
AUTOSOMAL_INHERITANCE = (6, 7)
