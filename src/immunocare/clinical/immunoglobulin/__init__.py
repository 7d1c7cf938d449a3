"""Immunoglobulin replacement: dose calculators, the infusion schedule, eligibility and titration.

Every number is a :class:`Cited` value naming the knowledge items (``ig_dosing``,
``ig_products``) and citations it comes from; nothing here orders or prescribes.

- :mod:`._sources`: :func:`find_product`, :func:`check_weight`, :class:`Cited`, :class:`Source`.
- :mod:`._dosing`: the dose-determining weight (actual and adjusted), label and regimen doses,
  SCIG from an IVIG dose, the facilitated SCIG ramp-up, the measles-exposure dose.
- :mod:`._vials`: a dose in whole vials, the nearest totals below and above.
- :mod:`._schedule`: infusion rate steps (IV per kg, SC per site), volume per site, sites.
- :mod:`._plan`: all of the above for one patient and product (``immunocare ig plan``).
- :mod:`._eligibility`: indicated PID diagnoses, and SID per the EU 2019 criteria, as Findings.
- :mod:`._titration`: trough targets by diagnosis (bronchiectasis detectors as a hook), the
  keep / raise / lower suggestion and the time to steady state.
- :mod:`._section`: the assessment's "Immunoglobulin replacement" section.
"""

from ._dosing import (
    DoseWeights,
    dose_weights,
    fscig_ramp_up,
    label_doses,
    measles_exposure_dose,
    scig_from_ivig,
)
from ._eligibility import active_diagnoses, diagnosis_ids, pid_indication, sid_eligibility
from ._plan import IgPlan, PlanRequest, ig_plan
from ._schedule import InfusionSchedule, infusion_schedules
from ._section import immunoglobulin_section
from ._sources import Cited, Source, check_weight, find_product
from ._titration import (
    BRONCHIECTASIS_DETECTORS,
    BronchiectasisDetector,
    Titration,
    bronchiectasis_evidence,
    infusions_given,
    titrate,
    trough_targets,
)
from ._vials import Containers, VialRounding, round_to_presentations

__all__ = [
    "BRONCHIECTASIS_DETECTORS",
    "BronchiectasisDetector",
    "Cited",
    "Containers",
    "DoseWeights",
    "IgPlan",
    "InfusionSchedule",
    "PlanRequest",
    "Source",
    "Titration",
    "VialRounding",
    "active_diagnoses",
    "bronchiectasis_evidence",
    "check_weight",
    "diagnosis_ids",
    "dose_weights",
    "find_product",
    "fscig_ramp_up",
    "ig_plan",
    "immunoglobulin_section",
    "infusion_schedules",
    "infusions_given",
    "label_doses",
    "measles_exposure_dose",
    "pid_indication",
    "round_to_presentations",
    "scig_from_ivig",
    "sid_eligibility",
    "titrate",
    "trough_targets",
]
