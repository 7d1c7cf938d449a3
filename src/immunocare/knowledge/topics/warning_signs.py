"""Warning signs of primary immunodeficiency (Jeffrey Modell Foundation), as criteria.

Two item types live in ``data/warning_signs/``:

- :class:`WarningSignList`: one version of a list (children, current; children, 2003–2004; adults):
  the population it is for, and how many of its signs suggest an immunodeficiency.
- :class:`WarningSign`: one numbered sign of a list: its wording as read and its criterion.

A list is met when at least ``signs_to_suspect`` of its signs are met for a patient in its
population; ``referral`` rules name lists through ``rule`` leaves.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from immunocare.knowledge._base import Topic

from ._criteria import AgeRange, Rule, Tree, reference_problems

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "WarningSign", "WarningSignList"]

ORDER = 50


class WarningSignList(Rule):
    """One version of a warning-sign list and its threshold."""

    type: Literal["sign_list"]
    version: str = Field(min_length=1, description="Which version of the list, e.g. 'children, current'.")
    population: AgeRange = Field(description="The ages the list is for.")
    signs_to_suspect: int = Field(ge=1, description="How many signs suggest an immunodeficiency.")
    advice: str = Field(min_length=1, description="What the source advises when the threshold is reached.")
    superseded: bool = Field(False, description="An older version, evaluated only when asked for by name.")


class WarningSign(Rule):
    """One sign of a list, in the source's words and as a criterion."""

    type: Literal["sign"]
    sign_list: str = Field(description="The id of its WarningSignList.")
    number: int = Field(ge=1, description="Its place in the list.")
    wording: str = Field(min_length=1, description="The sign as the copy read words it.")
    criterion: Tree


WarningSignItem = Annotated[WarningSignList | WarningSign, Field(discriminator="type")]


def _list_problems(kb: KnowledgeBase) -> list[str]:
    lists = {item.id: item for item in kb.of(WarningSignList)}
    numbers: dict[str, list[int]] = defaultdict(list)
    problems = []
    for sign in kb.of(WarningSign):
        if sign.sign_list not in lists:
            problems.append(f"{sign.id}: unknown warning-sign list {sign.sign_list!r}")
        numbers[sign.sign_list].append(sign.number)
        problems.extend(reference_problems(kb, sign.id, sign.criterion))
    for list_id, signs in lists.items():
        found = sorted(numbers[list_id])
        if found != list(range(1, len(found) + 1)):
            problems.append(f"{list_id}: signs must be numbered 1 to {len(found)} once each, not {found}")
        if signs.signs_to_suspect > len(found):
            problems.append(f"{list_id}: threshold {signs.signs_to_suspect} exceeds its {len(found)} signs")
    return problems


TOPIC = Topic(
    name="warning_signs",
    title="Warning signs of primary immunodeficiency",
    item_type=WarningSignItem,
    cross_check=_list_problems,
)
