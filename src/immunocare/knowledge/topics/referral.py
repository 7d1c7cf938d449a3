"""When to refer to immunology, how urgently, and which tests to order first.

Three item types live in ``data/referral/``:

- :class:`~immunocare.knowledge.topics._criteria.LabTest`: the tests rules name (``tests.yaml``),
  with the analytes they report or, for tests without a number, their result words.
- :class:`LabPanel`: a set of tests ordered together, e.g. the first-line tests.
- :class:`ReferralRule`: a trigger (a criterion: two or more warning signs, or a red flag such as
  lymphopenia in an infant), the action, its urgency and the tests or panels to order.
- :class:`CaseDefinition`: a state of the record, such as "an immunodeficiency is already
  diagnosed", that decides whether referral advice and the worklist apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from immunocare.domain import Urgency
from immunocare.knowledge._base import KBItem, Topic

from ._criteria import LabTest, Rule, Tree, analyte_problems, reference_problems
from .analytes import Analyte

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "CaseDefinition", "LabPanel", "ReferralRule"]

ORDER = 55


class LabPanel(KBItem):
    """Tests ordered together, with what they are for."""

    type: Literal["panel"]
    purpose: str = Field(min_length=1)
    tests: tuple[str, ...] = Field(min_length=1, description="LabTest ids.")


class ReferralRule(Rule):
    """An action (refer, or order tests) the trigger calls for, and how soon."""

    type: Literal["referral"]
    trigger: Tree
    action: Literal["refer_to_immunology", "order_tests"]
    urgency: Urgency
    advice: str = Field(min_length=1, description="The recommendation as it will be shown.")
    order: tuple[str, ...] = Field((), description="LabPanel or LabTest ids to order.")


class CaseDefinition(Rule):
    """A state of the record, met when its criterion is."""

    type: Literal["case_definition"]
    criterion: Tree


ReferralItem = Annotated[LabTest | LabPanel | ReferralRule | CaseDefinition, Field(discriminator="type")]


def _orderable(kb: KnowledgeBase, owner: str, ids: tuple[str, ...], *kinds: type[KBItem]) -> list[str]:
    known = {item.id for kind in kinds for item in kb.of(kind)}
    return [
        f"{owner}: {ref!r} is not a known {' or '.join(k.__name__ for k in kinds)}"
        for ref in ids
        if ref not in known
    ]


def _loinc_problems(kb: KnowledgeBase) -> list[str]:
    """A LOINC code may report one test, and a test's code may not be an analyte's too."""
    owners: dict[str, str] = {code: analyte.id for analyte in kb.of(Analyte) for code in analyte.loinc}
    problems = []
    for test in kb.of(LabTest):
        for code in test.loinc:
            if code in owners:
                problems.append(f"{test.id}: LOINC {code} also reports {owners[code]}")
            owners[code] = test.id
    return problems


def _referral_problems(kb: KnowledgeBase) -> list[str]:
    problems: list[str] = _loinc_problems(kb)
    for test in kb.of(LabTest):
        problems.extend(analyte_problems(kb, test.id, test.analytes))
    for panel in kb.of(LabPanel):
        problems.extend(_orderable(kb, panel.id, panel.tests, LabTest))
    for rule in kb.of(ReferralRule):
        problems.extend(_orderable(kb, rule.id, rule.order, LabTest, LabPanel))
        problems.extend(reference_problems(kb, rule.id, rule.trigger))
    for case in kb.of(CaseDefinition):
        problems.extend(reference_problems(kb, case.id, case.criterion))
    return problems


TOPIC = Topic(
    name="referral",
    title="Referral to immunology and first-line tests",
    item_type=ReferralItem,
    cross_check=_referral_problems,
)
