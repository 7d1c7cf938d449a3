"""The individualized care plan: goals, therapies, monitoring, the infection action plan, the team.

- :mod:`._plan`: :func:`care_plan` and its parts (:class:`CarePlan`, :class:`PlanItem`,
  :class:`TeamMember`), :data:`PLAN_SECTIONS`, the section builders whose recommendations
  become the plan's therapies, and :func:`care_plan_section`, the assessment's section.
- :mod:`._decisions`: the clinician's :class:`PlanDecision` on an item (accept, edit, reject)
  and :func:`decided_items`, each item with its latest decision.
"""

from ._decisions import DecidedItem, Decision, PlanDecision, decided_items
from ._plan import PLAN_SECTIONS, CarePlan, PlanItem, PlanItemKind, TeamMember, care_plan, care_plan_section

__all__ = [
    "PLAN_SECTIONS",
    "CarePlan",
    "DecidedItem",
    "Decision",
    "PlanDecision",
    "PlanItem",
    "PlanItemKind",
    "TeamMember",
    "care_plan",
    "care_plan_section",
    "decided_items",
]
