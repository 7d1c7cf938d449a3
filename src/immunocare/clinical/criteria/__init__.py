"""The evaluator of the knowledge base's criterion language, and ESID classification.

A criterion tree (docs/knowledge/rule-language.md) is evaluated for one patient on one day into a
:class:`~immunocare.domain.Finding` whose ``parts`` mirror the tree: every criterion with its
status (met / not met / undetermined), the record items it rests on, and — when the record cannot
tell — what is missing and which test would supply it.

>>> from datetime import date
>>> from immunocare.domain import PatientRecord, Patient, Sex
>>> from immunocare.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> record = PatientRecord(patient=Patient(mrn="X", family_name="Doe", given_names="Jo",
...                                        birth_date=date(2020, 1, 1), sex=Sex.FEMALE))
>>> evaluation = Evaluation(record, kb, date(2026, 1, 1))
>>> evaluation.rule("jmf_children").status.value
'not_met'
"""

from ._evaluate import evaluate
from ._evaluation import Evaluation
from ._history import is_or_below
from ._rules import evaluate_rule, signs_of
from .classify import classify

__all__ = ["Evaluation", "classify", "evaluate", "evaluate_rule", "is_or_below", "signs_of"]
