"""Genetic confirmation: a patient's variants read against the IUIS classification.

For each gene with a reported variant, :func:`interpret_genetics` reads the variants against the
gene's IUIS entries (knowledge topic ``iuis``) with the rules of topic ``genetics``:

- the ACMG/AMP class: pathogenic and likely pathogenic variants can confirm, a variant of uncertain
  significance cannot on its own, likely benign and benign ones explain nothing;
- the inheritance: biallelic (homozygous, or two heterozygous variants read as compound
  heterozygous) for AR, hemizygous in a male for XL, heterozygous for AD and gain of function; a
  heterozygous variant in an AR gene, or in an XL gene in a female, makes a carrier;
- the phenotype: the entry's IUIS laboratory columns against the latest results (immunoglobulins
  only before the first infusion), and its HPO terms against those observed (imaging included).

The verdict is "genetically confirmed: DISEASE (IUIS table)", "variant of uncertain significance —
consistent / inconsistent with the phenotype", carrier, or "does not explain the phenotype", each
as a :class:`~immunocare.domain.Finding` with the reasoning and the sources. A confirmed diagnosis
exposes its IUIS category (:attr:`GeneticInterpretation.iuis_category`) for rules by category, and
takes precedence over ESID's clinical definitions (see :mod:`immunocare.clinical.criteria`).
:func:`family_testing` recommends testing first-degree relatives of a confirmed patient.
"""

from ._family import OFFER_FAMILY_TESTING, family_testing
from ._fit import Fit, PhenotypeFit
from ._interpret import GeneticInterpretation, Verdict, interpret_genetics

__all__ = [
    "OFFER_FAMILY_TESTING",
    "Fit",
    "GeneticInterpretation",
    "PhenotypeFit",
    "Verdict",
    "family_testing",
    "interpret_genetics",
]
