"""The individualized care plan: goals, therapies, monitoring, the infection action plan, the team.

- :mod:`._plan`: :func:`care_plan` and its parts (:class:`CarePlan`, :class:`PlanItem`,
  :class:`TeamMember`), and :data:`PLAN_SECTIONS`, the section builders whose recommendations
  become the plan's therapies.
"""

from ._plan import PLAN_SECTIONS, CarePlan, PlanItem, PlanItemKind, TeamMember, care_plan

__all__ = ["PLAN_SECTIONS", "CarePlan", "PlanItem", "PlanItemKind", "TeamMember", "care_plan"]
