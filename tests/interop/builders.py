"""Builders of synthetic FHIR R4 resources and CDS Hooks requests (JSON, as an EHR sends them).

The default story: a synthetic boy born on 14 March 2021 with four ear infections in 2025, two
pneumonias (one treated in hospital with intravenous ceftriaxone), and a low IgG. All made up.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

__all__ = [
    "ATC",
    "HPO",
    "ICD10CM",
    "PATIENT_ID",
    "SNOMED",
    "bundle",
    "cds_request",
    "condition",
    "encounter",
    "healthy_prefetch",
    "medication_request",
    "observation",
    "patient",
    "prefetch",
    "sick_prefetch",
]

PATIENT_ID = "synthetic-child-1"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"
HPO = "http://human-phenotype-ontology.org"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
_ids = count(1)

Json = dict[str, Any]


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _subject(patient_id: str) -> Json:
    return {"reference": f"Patient/{patient_id}"}


def patient(
    *, birth: str = "2021-03-14", gender: str = "male", patient_id: str = PATIENT_ID, **extra: Any
) -> Json:
    """A Patient resource (by default without a name, like the specification's example)."""
    return {"resourceType": "Patient", "id": patient_id, "gender": gender, "birthDate": birth, **extra}


def condition(
    code: str,
    onset: str,
    *,
    system: str = ICD10CM,
    display: str | None = None,
    severity: str | None = None,
    verification: str | None = None,
    encounter_id: str | None = None,
    resource_id: str | None = None,
    patient_id: str = PATIENT_ID,
    **extra: Any,
) -> Json:
    """A Condition coded in one system, with an onset dateTime."""
    resource: Json = {
        "resourceType": "Condition",
        "id": resource_id or _id("cond"),
        "subject": _subject(patient_id),
        "code": {"coding": [{"system": system, "code": code, **({"display": display} if display else {})}]},
        "onsetDateTime": onset,
        **extra,
    }
    if severity:
        resource["severity"] = {"coding": [{"system": SNOMED, "code": severity}]}
    if verification:
        system_uri = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
        resource["verificationStatus"] = {"coding": [{"system": system_uri, "code": verification}]}
    if encounter_id:
        resource["encounter"] = {"reference": f"Encounter/{encounter_id}"}
    return resource


def encounter(
    start: str, end: str, *, klass: str = "IMP", resource_id: str | None = None, **extra: Any
) -> Json:
    """A finished Encounter of an HL7 v3 ActCode class (inpatient by default)."""
    return {
        "resourceType": "Encounter",
        "id": resource_id or _id("enc"),
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": klass},
        "subject": _subject(PATIENT_ID),
        "period": {"start": start, "end": end},
        **extra,
    }


def medication_request(
    text: str,
    start: str,
    days: int,
    *,
    atc: str | None = None,
    route: str | None = None,
    status: str = "completed",
    reason_id: str | None = None,
    **extra: Any,
) -> Json:
    """A MedicationRequest for ``days`` days from ``start``; ``route`` is a SNOMED CT route code."""
    end = (date.fromisoformat(start) + timedelta(days=days - 1)).isoformat()
    dosage: Json = {"timing": {"repeat": {"boundsPeriod": {"start": start, "end": end}}}}
    if route:
        dosage["route"] = {"coding": [{"system": SNOMED, "code": route}]}
    drug: Json = {"text": text}
    if atc:
        drug["coding"] = [{"system": ATC, "code": atc, "display": text}]
    resource: Json = {
        "resourceType": "MedicationRequest",
        "id": _id("medrx"),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": drug,
        "subject": _subject(PATIENT_ID),
        "authoredOn": start,
        "dosageInstruction": [dosage],
        **extra,
    }
    if reason_id:
        resource["reasonReference"] = [{"reference": f"Condition/{reason_id}"}]
    return resource


def observation(
    loinc: str,
    value: float,
    unit: str,
    effective: str,
    *,
    display: str | None = None,
    category: str = "laboratory",
    status: str = "final",
    **extra: Any,
) -> Json:
    """A LOINC-coded Observation with a UCUM quantity."""
    category_system = "http://terminology.hl7.org/CodeSystem/observation-category"
    return {
        "resourceType": "Observation",
        "id": _id("obs"),
        "status": status,
        "category": [{"coding": [{"system": category_system, "code": category}]}],
        "code": {"coding": [{"system": LOINC, "code": loinc, **({"display": display} if display else {})}]},
        "subject": _subject(PATIENT_ID),
        "effectiveDateTime": effective,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        **extra,
    }


def bundle(*resources: Json) -> Json | None:
    """A searchset Bundle of the resources, or ``null`` (no data) when there are none."""
    if not resources:
        return None
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}


def prefetch(
    *,
    the_patient: Json | None = None,
    conditions: tuple[Json, ...] = (),
    encounters: tuple[Json, ...] = (),
    medication_requests: tuple[Json, ...] = (),
    observations: tuple[Json, ...] = (),
) -> Json:
    """The five prefetch keys of the discovery document, filled."""
    return {
        "patient": the_patient or patient(),
        "conditions": bundle(*conditions),
        "encounters": bundle(*encounters),
        "medicationRequests": bundle(*medication_requests),
        "observations": bundle(*observations),
    }


def cds_request(
    prefetched: Json | None, *, hook_instance: str = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
) -> Json:
    """A patient-view request shaped like the specification's example."""
    request: Json = {
        "hookInstance": hook_instance,
        "fhirServer": "https://ehr.example.org/fhir",
        "hook": "patient-view",
        "context": {"userId": "Practitioner/example", "patientId": PATIENT_ID},
    }
    if prefetched is not None:
        request["prefetch"] = prefetched
    return request


def sick_prefetch() -> Json:
    """Four ear infections in a year, two pneumonias (one in hospital on IV ceftriaxone), low IgG."""
    stay = encounter("2025-06-01T08:00:00Z", "2025-06-05T12:00:00Z", resource_id="stay-1")
    pneumonia = condition(
        "J18.9", "2025-06-01", display="Pneumonia", severity="24484000", resource_id="pneu-1"
    )
    return prefetch(
        conditions=(
            *(
                condition("H66.90", day, display="Otitis media")
                for day in ("2025-01-05", "2025-03-02", "2025-05-20")
            ),
            condition("H66.90", "2025-09-10", display="Otitis media"),
            pneumonia,
            condition("J18.9", "2025-11-15", display="Pneumonia"),
            condition("J45.909", "2024-02-01", display="Asthma"),
        ),
        encounters=(stay, encounter("2025-03-02", "2025-03-02", klass="AMB")),
        medication_requests=(
            medication_request("amoxicillin", "2025-01-05", 10, atc="J01CA04", route="26643006"),
            medication_request(
                "ceftriaxone", "2025-06-01", 5, atc="J01DD04", route="47625008", reason_id="pneu-1"
            ),
        ),
        observations=(
            observation(
                "2465-3", 1.9, "g/L", "2025-12-01T09:00:00Z", display="IgG [Mass/volume] in Serum or Plasma"
            ),
            observation("29463-7", 17.5, "kg", "2026-10-01", display="Body weight", category="vital-signs"),
        ),
    )


def healthy_prefetch() -> Json:
    """One ear infection treated with amoxicillin, a weight and a normal full blood count."""
    return prefetch(
        conditions=(condition("H66.90", "2025-02-01", display="Otitis media"),),
        medication_requests=(medication_request("amoxicillin", "2025-02-01", 7, atc="J01CA04"),),
        observations=(
            observation("29463-7", 18.2, "kg", "2026-10-01", display="Body weight", category="vital-signs"),
            observation("26464-8", 7.1, "10*9/L", "2026-10-01T09:00:00Z", display="Leukocytes"),
        ),
    )
