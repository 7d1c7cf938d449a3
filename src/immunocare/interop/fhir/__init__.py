"""FHIR R4 in: resources parsed with fhir.resources (its R4B package) and mapped to the record.

- :func:`read_resource`, :func:`read_search`: JSON to validated resources (a Bundle of search
  results, or one resource); every problem is a :class:`~immunocare.errors.ValidationError`
  naming its path, and a resource about another patient is refused. Resources the mapping will
  not use (:func:`unused_encounter`, :func:`unused_observation`: outpatient visits, vital signs
  other than growth) are checked for their type and patient only, and counted, not validated.
- :func:`record_from_fhir`: Patient, Conditions, Encounters, MedicationRequests and Observations
  to one :class:`~immunocare.domain.PatientRecord` (a :class:`FhirRecord`, with what was read
  and what was passed over, and why). Pure: no I/O, no clock.

FHIR R4 out: :func:`care_plan_resource`, the care plan and its decisions as a CarePlan.

Which condition codes are infections, and which drugs antibiotics, is knowledge-base data (topic
``coded_conditions``); the mapping rules are in the modules' docstrings and docs/cds-hooks.md.
"""

from ._careplan import care_plan_resource
from ._observations import unused_observation
from ._read import Search, Unused, read_resource, read_search, referenced_id
from ._record import record_from_fhir, unused_encounter
from ._report import FhirRecord, Skipped, Sourced

__all__ = [
    "FhirRecord",
    "Search",
    "Skipped",
    "Sourced",
    "Unused",
    "care_plan_resource",
    "read_resource",
    "read_search",
    "record_from_fhir",
    "referenced_id",
    "unused_encounter",
    "unused_observation",
]
