"""The criterion language: typed, explainable rule trees shared by every rule topic.

A criterion is a tree. Inner nodes combine (``all_of``, ``any_of``, ``at_least``, ``not``); leaves
are predicates over one part of the patient record, each with an ``id`` unique in its tree, the
``text`` it has in its source (how it reads in the ESID table or the warning-sign leaflet), and an
optional ``note`` on how the wording was made computable. Every node has a ``kind`` that selects
its schema, so a tree reads from YAML or JSON and refuses anything it does not know.
``docs/knowledge/rule-language.md`` documents every kind with examples.

- :mod:`._time`: :class:`AgeRange` (lower bound included, upper bound excluded) on the
  calendar-exact ISO 8601 durations of :mod:`immunocare.domain.ages`.
- :mod:`._leaves`: the leaf predicates; each says what it reads (``needs()``), so an evaluator can
  answer *undetermined: missing X* and *order test Y*.
- :mod:`._tree`: the combinators, the :data:`Criterion` union and tree walking.
- :mod:`._items`: the items leaves point at (:class:`LabTest`, :class:`Checklist`, any
  :class:`Rule`) and :func:`reference_problems`, the cross-topic check.

>>> tree = CRITERION.validate_python({"kind": "at_least", "n": 1, "items": [
...     {"kind": "infection_count", "id": "ear", "text": "≥4 new ear infections within 1 year",
...      "sites": ["ear"], "at_least": 4, "window": "P1Y"},
...     {"kind": "lab_threshold", "id": "iga", "text": "IgA < 7 mg/dL", "analyte": "iga",
...      "relation": "below", "unit": "mg/dL", "bands": [{"value": 7}]}]})
>>> [leaf.id for leaf in leaves(tree)]
['ear', 'iga']
>>> [str(need) for need in needs(tree)]
['infections: infection history', 'labs: iga (order iga)']
"""

from ._items import (
    Checklist,
    ChecklistEntry,
    DerivedFrom,
    LabTest,
    OutcomePhenotype,
    ResultWords,
    Rule,
    analyte_problems,
    normalize_result_text,
    reference_problems,
)
from ._leaves import (
    Age,
    AntibioticDays,
    ChecklistClear,
    DataNeed,
    DiagnosisCode,
    Exclusion,
    FamilyHistory,
    GeneticVariant,
    Growth,
    InfectionCount,
    LabReference,
    LabThreshold,
    Leaf,
    MedicationTaken,
    PhenotypeTerm,
    QualitativeResult,
    RuleMet,
    SexIs,
)
from ._time import AgeBand, AgeRange, IsoDuration
from ._tree import CRITERION, AllOf, AnyOf, AtLeast, Criterion, Not, Tree, leaves, needs, nodes, tree_problems

__all__ = [
    "CRITERION",
    "Age",
    "AgeBand",
    "AgeRange",
    "AllOf",
    "AntibioticDays",
    "AnyOf",
    "AtLeast",
    "Checklist",
    "ChecklistClear",
    "ChecklistEntry",
    "Criterion",
    "DataNeed",
    "DerivedFrom",
    "DiagnosisCode",
    "Exclusion",
    "FamilyHistory",
    "GeneticVariant",
    "Growth",
    "InfectionCount",
    "IsoDuration",
    "LabReference",
    "LabTest",
    "LabThreshold",
    "Leaf",
    "MedicationTaken",
    "Not",
    "OutcomePhenotype",
    "PhenotypeTerm",
    "QualitativeResult",
    "ResultWords",
    "Rule",
    "RuleMet",
    "SexIs",
    "Tree",
    "analyte_problems",
    "leaves",
    "needs",
    "nodes",
    "normalize_result_text",
    "reference_problems",
    "tree_problems",
]
