"""ESID Registry working definitions for the clinical diagnosis of inborn errors of immunity.

Two item types live in ``data/esid_criteria/``:

- :class:`EsidDefinition`: one clinical entity with its criteria as a tree, whether it applies
  without a genetic diagnosis, and what to consider when it is not met. ``scheme`` says which set
  of criteria it encodes: the ESID Registry working definitions (Seidel 2019) or, where only those
  were readable, the older PAGID/ESID diagnostic criteria (Conley 1999, "probable" level).
- :class:`~immunocare.knowledge.topics._criteria.Checklist`: things a definition requires to be
  ruled out, such as the secondary causes of hypogammaglobulinaemia.

An ``exclusion`` leaf with ``all_others: true`` ("does not meet any other working definition")
means every other definition of this topic except those that also carry such a leaf.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from immunocare.knowledge._base import Topic

from ._criteria import Checklist, Exclusion, Rule, Tree, leaves, reference_problems

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "EsidDefinition"]

ORDER = 60


class EsidDefinition(Rule):
    """One ESID clinical entity and its criteria."""

    type: Literal["definition"]
    entity: str = Field(min_length=1, description="The entity's name as ESID writes it.")
    scheme: Literal["esid_registry_2019", "pagid_esid_1999"]
    applies_to: Literal["without_genetic_diagnosis", "with_genetic_defect", "any"] = Field(
        description="ESID's criteria are for patients without a genetic diagnosis, except a few "
        "entities (atypical SCID, DiGeorge) that need a known genetic defect as well."
    )
    criteria: Tree
    alternative: str | None = Field(
        None, description="The source's suggestion when the criteria are not met."
    )
    consider: tuple[str, ...] = Field((), description="Definitions the alternative points to.")

    @property
    def excludes_all_others(self) -> bool:
        """Whether the definition holds only when no other definition does."""
        return any(isinstance(leaf, Exclusion) and leaf.all_others for leaf in leaves(self.criteria))


EsidItem = Annotated[EsidDefinition | Checklist, Field(discriminator="type")]


def _definition_problems(kb: KnowledgeBase) -> list[str]:
    definitions = {item.id for item in kb.of(EsidDefinition)}
    problems = []
    for definition in kb.of(EsidDefinition):
        problems.extend(reference_problems(kb, definition.id, definition.criteria))
        named = [
            ref
            for leaf in leaves(definition.criteria)
            if isinstance(leaf, Exclusion)
            for ref in leaf.definitions
        ]
        for ref in (*named, *definition.consider):
            if ref not in definitions:
                problems.append(f"{definition.id}: {ref!r} is not an ESID definition")
    for checklist in kb.of(Checklist):
        for entry in checklist.entries:
            problems.extend(reference_problems(kb, f"{checklist.id}/{entry.id}", entry.present))
    return problems


TOPIC = Topic(
    name="esid_criteria",
    title="ESID Registry working definitions for clinical diagnosis",
    item_type=EsidItem,
    cross_check=_definition_problems,
)
