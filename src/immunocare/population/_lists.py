"""The two lists beside the ranking: immunodeficiency already coded, and the surveillance gap.

Both are one query each over the same code matching as the signs (:mod:`._codes`): persons whose
conditions carry a :class:`CodedImmunodeficiency` code, with the first date and the codes; persons
exposed to a :class:`SurveillanceGap` drug or diagnosis who never had one of its measurements. A
gap's drugs are its OMOP concepts and the codes of its ``sid_drugs`` classes
(:func:`._codes.drug_class_codes`: ATC codes through ``concept``, names and ATC codes in
``drug_source_value``); its measurements are the LOINC codes of its analytes and its concepts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from immunocare.knowledge.topics.case_finding import CodedImmunodeficiency, SurveillanceGap

from ._codes import (
    Codes,
    Omop,
    SourceColumn,
    Vocabulary,
    analyte_codes,
    code_filter,
    concept_codes,
    drug_class_codes,
)
from .rules import Events, Selection, shown_code

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = [
    "already_coded",
    "condition_selections",
    "drug_selections",
    "measurement_codes",
    "surveillance_gap",
]

_MEASURED: SourceColumn = ("measurement", "measurement_source_value")


def _coded_codes(kb: KnowledgeBase) -> Codes:
    codes = Codes()
    for item in kb.of(CodedImmunodeficiency):
        codes += concept_codes(item.codes)
    return codes


def _measurement_codes(kb: KnowledgeBase, gap: SurveillanceGap) -> Codes:
    return analyte_codes(kb, gap.measurement_analytes) + concept_codes(gap.measurements)


def _drug_codes(kb: KnowledgeBase, gap: SurveillanceGap) -> Codes:
    return concept_codes(gap.drugs) + drug_class_codes(kb, gap.drug_classes)


def condition_selections(kb: KnowledgeBase) -> list[Selection]:
    """The conditions the two lists read (for reading the condition rows once), of every person."""
    codes = [_coded_codes(kb), *(concept_codes(gap.diagnoses) for gap in kb.of(SurveillanceGap))]
    return [Selection(c) for c in codes]


def drug_selections(kb: KnowledgeBase) -> list[Selection]:
    """The drug exposures the surveillance gap reads, of every person."""
    return [Selection(_drug_codes(kb, gap)) for gap in kb.of(SurveillanceGap)]


def measurement_codes(kb: KnowledgeBase) -> list[Codes]:
    """The measurement codes of the surveillance gap."""
    return [_measurement_codes(kb, gap) for gap in kb.of(SurveillanceGap)]


def already_coded(events: Events, kb: KnowledgeBase) -> ir.Table | None:
    """``person_id, first_date, codes`` of the persons coded with an immunodeficiency."""
    rows = events.conditions_for(Selection(_coded_codes(kb)))
    if rows is None:
        return None
    return rows.group_by("person_id").agg(
        first_date=rows.day.min(), codes=shown_code(rows).collect(distinct=True)
    )


def _exposed(events: Events, kb: KnowledgeBase, gap: SurveillanceGap) -> list[ir.Table]:
    parts = [
        events.conditions_for(Selection(concept_codes(gap.diagnoses))),
        events.drugs_for(Selection(_drug_codes(kb, gap))),
    ]
    return [part.mutate(exposure=ibis.literal(gap.exposure)) for part in parts if part is not None]


def _measured(
    source: Omop, kb: KnowledgeBase, gap: SurveillanceGap, vocabulary: Vocabulary
) -> ir.Table | None:
    if not source.has("measurement"):
        return None
    t = source.table("measurement")
    where = code_filter(t, _measurement_codes(kb, gap), vocabulary, concept="measurement_concept_id",
                        value="measurement_source_value", source=_MEASURED)  # fmt: skip
    return None if where is None else t.filter(where).select(person_id=t.person_id.cast("int64"))


def surveillance_gap(source: Omop, kb: KnowledgeBase, events: Events) -> ir.Table | None:
    """``person_id, exposure, first_date, codes``: persons exposed and never measured."""
    parts = []
    for gap in kb.of(SurveillanceGap):
        exposed = _exposed(events, kb, gap)
        if not exposed:
            continue
        rows = ibis.union(*exposed)
        measured = _measured(source, kb, gap, events.vocabulary)
        parts.append(rows if measured is None else rows.anti_join(measured, "person_id"))
    if not parts:
        return None
    rows = ibis.union(*parts)
    return rows.group_by("person_id", "exposure").agg(
        first_date=rows.day.min(), codes=shown_code(rows).collect(distinct=True)
    )
