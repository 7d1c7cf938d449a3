"""Vaccination safety: each vaccine's status for the patient's immunodeficiency, treatments and age.

The patient's state (:func:`vaccination_state`) is the knowledge base's immunodeficiency
categories the record maps to (a diagnosis' IUIS category, a met ESID working definition, a
confirmed gene) and the treatments it shows (medications by drug class, high-dose courses judged
against the class's threshold, immunoglobulin infusions). Every rule of the ``vaccination_rules``
topic that holds for that state on a day — its window, ages and conditions — is applied to the
vaccines it selects; a vaccine's decision is the most restrictive status among the rules that hold
without a condition left to confirm, and every applicable rule is listed with its reason and source.
"""

from ._after import HouseholdAdvice, ReinforcementStep
from ._decide import Decision, PastDose, RuleUse, VaccinationPlan, decide, vaccination_plan
from ._section import vaccination_section
from ._state import Exposure, VaccinationState, vaccination_state

__all__ = [
    "Decision",
    "Exposure",
    "HouseholdAdvice",
    "PastDose",
    "ReinforcementStep",
    "RuleUse",
    "VaccinationPlan",
    "VaccinationState",
    "decide",
    "vaccination_plan",
    "vaccination_section",
    "vaccination_state",
]
