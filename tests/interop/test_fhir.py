"""FHIR R4 resources to the patient record: reading, refusing bad input, and every mapping rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient

from immunocare.domain import (
    CodeSystem,
    Comparator,
    DiagnosisStatus,
    GrowthKind,
    InfectionSite,
    ItemKind,
    PathogenClass,
    Quantity,
    Route,
    Severity,
    Sex,
)
from immunocare.errors import ValidationError
from immunocare.interop.fhir import (
    FhirRecord,
    read_resource,
    read_search,
    record_from_fhir,
    unused_encounter,
    unused_observation,
)
from immunocare.knowledge import KnowledgeBase

from .builders import (
    HPO,
    PATIENT_ID,
    SNOMED,
    bundle,
    condition,
    encounter,
    medication_request,
    observation,
    patient,
)

ZONE = ZoneInfo("Europe/Amsterdam")
Json = dict[str, Any]


def mapped(
    kb: KnowledgeBase,
    *,
    conditions: tuple[Json, ...] = (),
    encounters: tuple[Json, ...] = (),
    requests: tuple[Json, ...] = (),
    observations: tuple[Json, ...] = (),
    the_patient: Json | None = None,
) -> FhirRecord:
    """The record of raw FHIR JSON, read as the CDS Hooks door reads it."""
    stays = read_search(bundle(*encounters), Encounter, field="encounters", unused=unused_encounter)
    results = read_search(bundle(*observations), Observation, field="observations", unused=unused_observation)
    return record_from_fhir(
        read_resource(the_patient or patient(), FhirPatient, field="patient"),
        conditions=read_search(bundle(*conditions), Condition, field="conditions").resources,
        encounters=stays.resources,
        medication_requests=read_search(bundle(*requests), MedicationRequest, field="medications").resources,
        observations=results.resources,
        passed_over=(*stays.passed_over, *results.passed_over),
        kb=kb,
        zone=ZONE,
    )


# --- reading and refusing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ("not a resource", "conditions", "expected a Bundle of Condition resources"),
        (patient(), "conditions", "expected a Bundle of Condition resources, not 'Patient'"),
        (bundle(patient()), "conditions.entry.0.resource.resourceType", "expected Condition, not 'Patient'"),
        (
            bundle({"resourceType": "Nonsense", "id": "x"}),
            "conditions.entry.0.resource.resourceType",
            "expected Condition, not 'Nonsense'",
        ),
        (bundle(condition("H66.90", "2025-13-40")), "conditions.entry.0.resource.onsetDateTime", "DateTime"),
        (
            bundle(condition("H66.90", "2025-01-05", flavour="x")),
            "conditions.entry.0.resource.flavour",
            "Extra",
        ),
        (
            bundle(condition("H66.90", "2025-01-05", patient_id="someone-else")),
            "conditions.entry.0.resource.subject",
            "is Patient/someone-else, not the patient asked about",
        ),
        (
            {"resourceType": "Bundle", "type": "searchset", "entry": "all"},
            "conditions.entry",
            "must be a list",
        ),
        ({"resourceType": "Bundle", "type": "searchset", "total": "many"}, "conditions.total", "integer"),
        (
            bundle(condition("H66.90", "2025-01-05", contained=[{"resourceType": "Nonsense"}])),
            "conditions.entry.0.resource",
            "a type FHIR R4 does not define",
        ),
    ],
    ids=[
        "a-string",
        "a-patient-instead-of-a-bundle",
        "a-patient-inside-the-bundle",
        "an-unknown-resource-type",
        "an-impossible-date",
        "a-field-fhir-does-not-define",
        "another-patients-condition",
        "entries-not-a-list",
        "a-bundle-total-that-is-no-number",
        "a-contained-resource-of-no-fhir-type",
    ],
)
def test_bad_fhir_is_refused_naming_the_field(raw: Any, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        read_search(raw, Condition, field="conditions", patient_id=PATIENT_ID)

    assert any(issue.field == field and message in issue.message for issue in caught.value.issues), str(
        caught.value
    )


def test_every_bad_entry_is_reported_not_just_the_first() -> None:
    raw = bundle(condition("H66.90", "never"), condition("J18.9", "2025-01-05"), condition("J18.9", "soon"))

    with pytest.raises(ValidationError) as caught:
        read_search(raw, Condition, field="conditions")

    assert [issue.field for issue in caught.value.issues] == [
        "conditions.entry.0.resource.onsetDateTime",
        "conditions.entry.2.resource.onsetDateTime",
    ]


def test_a_search_note_is_passed_over_and_null_is_no_data() -> None:
    note = {
        "resourceType": "OperationOutcome",
        "id": "n",
        "issue": [{"severity": "information", "code": "informational"}],
    }

    assert (
        len(read_search(bundle(condition("H66.90", "2025-01-05"), note), Condition, field="c").resources) == 1
    )
    assert read_search(None, Condition, field="c").resources == ()


def test_a_resource_the_mapping_does_not_use_is_checked_for_its_patient_and_counted_unread() -> None:
    heart_rate = observation("8867-4", 96, "/min", "2025-12-01", category="vital-signs", flavour="x")
    elsewhere = {**heart_rate, "subject": {"reference": "Patient/someone-else"}}

    found = read_search(
        bundle(heart_rate), Observation, field="o", patient_id=PATIENT_ID, unused=unused_observation
    )
    with pytest.raises(ValidationError, match=r"o\.entry\.0\.resource\.subject: is Patient/someone-else"):
        read_search(
            bundle(elsewhere), Observation, field="o", patient_id=PATIENT_ID, unused=unused_observation
        )

    assert found.resources == ()
    assert [(s.resource, s.reason) for s in found.passed_over] == [
        (f"Observation/{heart_rate['id']}", "a vital sign immunocare does not use")
    ]


def test_outpatient_visits_are_counted_but_not_read(kb: KnowledgeBase) -> None:
    visit = encounter("2025-03-02", "2025-03-02", klass="AMB")

    result = mapped(kb, encounters=(visit, encounter("2025-06-01", "2025-06-05")))

    assert result.read["Encounter"] == 2
    assert [(s.resource, s.reason) for s in result.skipped] == [
        (f"Encounter/{visit['id']}", "not an inpatient stay")
    ]


def test_a_patient_without_a_full_birth_date_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(ValidationError, match="birthDate: a full birth date"):
        mapped(kb, the_patient=patient(birth="2021-03"))


@pytest.mark.parametrize(
    ("resource", "family", "given", "sex", "mrn"),
    [
        (patient(), "(not sent)", "(not sent)", Sex.MALE, f"FHIR Patient/{PATIENT_ID}"),
        (
            patient(
                gender="female",
                name=[
                    {"use": "nickname", "given": ["Jo"]},
                    {"use": "official", "family": "Doe", "given": ["Joan", "M"]},
                ],
                identifier=[{"system": "urn:mrn", "value": "MRN-77"}],
            ),
            "Doe",
            "Joan M",
            Sex.FEMALE,
            "MRN-77",
        ),
    ],
    ids=["as-in-the-specification-example", "official-name-and-identifier"],
)
def test_the_patient_is_read(
    kb: KnowledgeBase, resource: Json, family: str, given: str, sex: Sex, mrn: str
) -> None:
    record = mapped(kb, the_patient=resource).record

    assert (record.patient.family_name, record.patient.given_names, record.patient.sex) == (
        family,
        given,
        sex,
    )
    assert (record.patient.mrn, record.patient.birth_date) == (mrn, date(2021, 3, 14))


# --- conditions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "site", "pathogen", "severity", "abscess"),
    [
        (
            condition("H66.90", "2025-01-05"),
            InfectionSite.EAR,
            PathogenClass.UNKNOWN,
            Severity.MODERATE,
            False,
        ),
        (
            condition("J13", "2025-01-05", severity="24484000"),
            InfectionSite.LUNG,
            PathogenClass.BACTERIAL,
            Severity.SEVERE,
            False,
        ),
        (
            condition("B37.0", "2025-01-05", severity="255604002"),
            InfectionSite.ORAL_FUNGAL,
            PathogenClass.FUNGAL,
            Severity.MILD,
            False,
        ),
        (
            condition("L02.411", "2025-01-05"),
            InfectionSite.SKIN,
            PathogenClass.UNKNOWN,
            Severity.MODERATE,
            True,
        ),
    ],
    ids=[
        "otitis-moderate-by-default",
        "severe-pneumococcal-pneumonia",
        "mild-thrush",
        "axilla-abscess",
    ],
)
def test_an_infection_condition_becomes_an_episode(
    kb: KnowledgeBase,
    resource: Json,
    site: InfectionSite,
    pathogen: PathogenClass,
    severity: Severity,
    abscess: bool,
) -> None:
    (episode,) = mapped(kb, conditions=(resource,)).record.infections

    assert (episode.site, episode.pathogen_class, episode.severity, episode.abscess) == (
        site,
        pathogen,
        severity,
        abscess,
    )
    assert episode.onset == date(2025, 1, 5)


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        (condition("H66.90", "2025-01-05", verification="refuted"), "refuted infection"),
        (condition("J45.909", "2025-01-05", verification="entered-in-error"), "entered in error"),
        (condition("H66.90", "2025"), "infection without a full onset or recorded date"),
        (
            condition("A12", "2025-01-05", system="http://example.org/local-codes"),
            "no ICD-10-CM, SNOMED CT or HPO code immunocare reads",
        ),
    ],
    ids=["refuted-otitis", "entered-in-error", "onset-only-a-year", "a-local-code"],
)
def test_a_condition_not_read_is_counted_with_its_reason(
    kb: KnowledgeBase, resource: Json, reason: str
) -> None:
    result = mapped(kb, conditions=(resource,))

    assert [s.reason for s in result.skipped] == [reason]
    assert result.skipped[0].resource == f"Condition/{resource['id']}"
    assert result.record.infections == result.record.diagnoses == ()
    assert f"not used: 1 ({reason}: 1)" in result.summary()


@pytest.mark.parametrize(
    ("resource", "code", "system", "status"),
    [
        (condition("J45.909", "2024-02-01"), "J45.909", CodeSystem.ICD10CM, DiagnosisStatus.CONFIRMED),
        (
            condition("D80.0", "2024-02-01", verification="provisional"),
            "D80.0",
            CodeSystem.ICD10CM,
            DiagnosisStatus.SUSPECTED,
        ),
        (
            condition("D80.0", "2024-02-01", verification="refuted"),
            "D80.0",
            CodeSystem.ICD10CM,
            DiagnosisStatus.REFUTED,
        ),
        (
            condition(
                "J45.909",
                "2024-02-01",
                clinicalStatus={"coding": [{"code": "resolved"}]},
            ),
            "J45.909",
            CodeSystem.ICD10CM,
            DiagnosisStatus.RESOLVED,
        ),
        (
            condition("195967001", "2024-02-01", system=SNOMED),
            "195967001",
            CodeSystem.SNOMED,
            DiagnosisStatus.CONFIRMED,
        ),
    ],
    ids=["asthma", "suspected-xla", "refuted-xla", "resolved-asthma", "asthma-by-snomed"],
)
def test_other_conditions_become_diagnoses(
    kb: KnowledgeBase, resource: Json, code: str, system: CodeSystem, status: DiagnosisStatus
) -> None:
    (diagnosis,) = mapped(kb, conditions=(resource,)).record.diagnoses

    assert (diagnosis.code, diagnosis.system, diagnosis.status) == (code, system, status)
    assert diagnosis.diagnosed_on == date(2024, 2, 1)


def test_icd10cm_is_preferred_to_snomed_for_a_diagnosis(kb: KnowledgeBase) -> None:
    both = condition("J45.909", "2024-02-01", display="Asthma")
    both["code"]["coding"].insert(0, {"system": SNOMED, "code": "195967001"})

    (diagnosis,) = mapped(kb, conditions=(both,)).record.diagnoses

    assert (diagnosis.system, diagnosis.display) == (CodeSystem.ICD10CM, "Asthma")


@pytest.mark.parametrize(
    ("verification", "excluded"), [(None, False), ("refuted", True)], ids=["observed", "explicitly-excluded"]
)
def test_an_hpo_coded_condition_becomes_a_phenotype(
    kb: KnowledgeBase, verification: str | None, excluded: bool
) -> None:
    resource = condition(
        "HP:0002110", "2025-04-01", system=HPO, display="Bronchiectasis", verification=verification
    )

    (phenotype,) = mapped(kb, conditions=(resource,)).record.phenotypes

    assert (phenotype.hpo_id, phenotype.label, phenotype.excluded) == (
        "HP:0002110",
        "Bronchiectasis",
        excluded,
    )


def test_a_snomed_coded_infection_becomes_an_episode(kb: KnowledgeBase) -> None:
    (episode,) = mapped(
        kb, conditions=(condition("79740000", "2025-01-05", system=SNOMED),)
    ).record.infections

    assert (episode.site, episode.pathogen_class) == (InfectionSite.ORAL_FUNGAL, PathogenClass.FUNGAL)


def test_one_infection_recorded_at_two_visits_is_one_episode(kb: KnowledgeBase) -> None:
    first, follow_up = (
        condition("H66.90", "2025-01-05"),
        condition("H66.91", "2025-01-05", severity="24484000"),
    )

    result = mapped(kb, conditions=(first, follow_up))

    (episode,) = result.record.infections
    assert episode.severity is Severity.SEVERE
    assert episode.id is not None
    assert (
        result.sources[(ItemKind.INFECTIONS, episode.id)]
        == f"Condition/{first['id']}, Condition/{follow_up['id']}"
    )


# --- encounters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pneumonia", "stay", "hospitalised"),
    [
        (condition("J18.9", "2025-06-01"), encounter("2025-06-01T08:00:00Z", "2025-06-05T12:00:00Z"), True),
        (
            condition("J18.9", "2025-05-28", resource_id="pn"),
            encounter("2025-06-01", "2025-06-05", reasonReference=[{"reference": "Condition/pn"}]),
            True,
        ),
        (
            condition("J18.9", "2025-05-28", encounter_id="stay-9"),
            encounter("2025-06-01", "2025-06-05", resource_id="stay-9"),
            True,
        ),
        (condition("J18.9", "2025-05-28"), encounter("2025-06-01", "2025-06-05"), False),
        (condition("J18.9", "2025-06-01"), encounter("2025-06-01", "2025-06-01", klass="AMB"), False),
        (condition("J18.9", "2025-06-01"), encounter("2025-06-01", "2025-06-05", klass="EMER"), False),
        (condition("J18.9", "2025-06-01"), encounter("2025-06-01", "2025-06-05", status="cancelled"), False),
    ],
    ids=[
        "admitted-on-the-day",
        "admitted-for-it-by-reason",
        "diagnosed-during-the-stay",
        "a-stay-days-later-without-a-link",
        "an-outpatient-visit",
        "an-emergency-visit",
        "a-cancelled-admission",
    ],
)
def test_an_inpatient_stay_makes_an_infection_hospitalised(
    kb: KnowledgeBase, pneumonia: Json, stay: Json, hospitalised: bool
) -> None:
    (episode,) = mapped(kb, conditions=(pneumonia,), encounters=(stay,)).record.infections

    assert episode.hospitalised is hospitalised


# --- medication requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_json", "linked", "route"),
    [
        (
            medication_request("amoxicillin", "2025-01-05", 10, atc="J01CA04", route="26643006"),
            True,
            Route.ORAL,
        ),
        (
            medication_request(
                "Ceftriaxone 1 g", "2025-01-06", 5, atc="J01DD04", route="47625008", reason_id="otitis"
            ),
            True,
            Route.INTRAVENOUS,
        ),
        (
            medication_request(
                "ceftriaxone",
                "2025-01-06",
                5,
                atc="J01DD04",
                dosageInstruction=[
                    {
                        "route": {"text": "IV"},
                        "timing": {
                            "repeat": {
                                "boundsDuration": {
                                    "value": 5,
                                    "unit": "days",
                                    "system": "http://unitsofmeasure.org",
                                    "code": "d",
                                }
                            }
                        },
                    }
                ],
            ),
            False,
            Route.INTRAVENOUS,
        ),
        (medication_request("amoxicillin", "2025-03-01", 10, atc="J01CA04"), False, Route.OTHER),
        (medication_request("amoxicillin", "2024-12-20", 30, atc="J01CA04"), False, Route.OTHER),
    ],
    ids=[
        "started-on-the-day-of-diagnosis",
        "named-as-its-reason-iv",
        "next-day-without-a-link-stays-a-medication",
        "months-later",
        "started-before-the-infection",
    ],
)
def test_an_antibiotic_request_becomes_a_course_of_the_infection_it_treated(
    kb: KnowledgeBase, request_json: Json, linked: bool, route: Route
) -> None:
    otitis = condition("H66.90", "2025-01-05", resource_id="otitis")

    record = mapped(kb, conditions=(otitis,), requests=(request_json,)).record

    (episode,) = record.infections
    assert bool(episode.antibiotic_courses) is linked
    assert len(record.medications) == (0 if linked else 1)
    given_route = episode.antibiotic_courses[0].route if linked else record.medications[0].route
    assert given_route is route
    assert episode.iv_antibiotics is (linked and route is Route.INTRAVENOUS)


def test_a_request_with_the_infections_encounter_is_its_course(kb: KnowledgeBase) -> None:
    pneumonia = condition("J18.9", "2025-06-01", encounter_id="stay-1")
    request_json = medication_request(
        "ceftriaxone",
        "2025-06-03",
        3,
        atc="J01DD04",
        route="47625008",
        encounter={"reference": "Encounter/stay-1"},
    )

    (episode,) = mapped(kb, conditions=(pneumonia,), requests=(request_json,)).record.infections

    assert episode.iv_antibiotics and episode.antibiotic_courses[0].stop == date(2025, 6, 5)


@pytest.mark.parametrize(
    ("request_json", "stop"),
    [
        (medication_request("rituximab", "2025-01-05", 1, atc="L01FA01"), date(2025, 1, 5)),
        (
            {
                **medication_request("prednisolone", "2025-01-05", 1),
                "dosageInstruction": [],
                "status": "active",
            },
            None,
        ),
        (
            {
                **medication_request("prednisolone", "2025-01-05", 1),
                "dosageInstruction": [],
                "status": "stopped",
            },
            date(2025, 1, 5),
        ),
        (
            {
                **medication_request("prednisolone", "2025-01-05", 1),
                "dosageInstruction": [],
                "dispenseRequest": {
                    "expectedSupplyDuration": {
                        "value": 2,
                        "code": "wk",
                        "system": "http://unitsofmeasure.org",
                    }
                },
            },
            date(2025, 1, 18),
        ),
    ],
    ids=["bounded", "active-without-an-end-is-ongoing", "stopped-without-an-end", "two-weeks-supply"],
)
def test_other_requests_become_medications(kb: KnowledgeBase, request_json: Json, stop: date | None) -> None:
    (medication,) = mapped(kb, requests=(request_json,)).record.medications

    assert (medication.start, medication.stop) == (date(2025, 1, 5), stop)


def test_a_medications_code_dose_and_interval_are_kept(kb: KnowledgeBase) -> None:
    dosage = {
        "timing": {
            "repeat": {
                "frequency": 2,
                "period": 1,
                "periodUnit": "d",
                "boundsPeriod": {"start": "2025-01-05"},
            }
        },
        "doseAndRate": [
            {"doseQuantity": {"value": 10, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}
        ],
    }
    request_json = {
        **medication_request("prednisolone", "2025-01-05", 1, atc="H02AB06"),
        "dosageInstruction": [dosage],
    }

    (medication,) = mapped(kb, requests=(request_json,)).record.medications

    assert (medication.code, medication.code_system) == ("H02AB06", CodeSystem.ATC)
    assert medication.daily_dose() == Quantity(20.0, "mg")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "cancelled"}, "not given (cancelled, order)"),
        ({"intent": "proposal"}, "not given (completed, proposal)"),
        ({"medicationCodeableConcept": {"coding": [{"system": "urn:local", "code": "x"}]}}, "no drug name"),
    ],
    ids=["cancelled", "only-proposed", "no-name-or-known-code"],
)
def test_a_request_not_read_is_counted(kb: KnowledgeBase, changes: Json, reason: str) -> None:
    result = mapped(kb, requests=({**medication_request("amoxicillin", "2025-01-05", 7), **changes},))

    assert [s.reason for s in result.skipped] == [reason]


# --- observations ------------------------------------------------------------------------------


def test_a_lab_result_keeps_its_value_unit_comparator_and_range(kb: KnowledgeBase) -> None:
    iga = observation("19113-0", 0.07, "g/L", "2025-12-01T09:30:00+01:00", display="IgA")
    iga["valueQuantity"]["comparator"] = "<"
    iga["referenceRange"] = [
        {
            "low": {"value": 0.3, "unit": "g/L", "code": "g/L"},
            "high": {"value": 3, "unit": "g/L", "code": "g/L"},
        }
    ]

    (lab,) = mapped(kb, observations=(iga,)).record.labs

    assert (lab.loinc, lab.analyte, lab.value, lab.comparator) == (
        "19113-0",
        "IgA",
        Quantity(0.07, "g/L"),
        Comparator.LT,
    )
    assert lab.reference_interval is not None and (
        lab.reference_interval.low,
        lab.reference_interval.high,
    ) == (0.3, 3.0)
    assert lab.collected_at == datetime(2025, 12, 1, 8, 30, tzinfo=UTC)


def test_a_lab_date_without_a_time_is_midnight_in_the_centers_zone(kb: KnowledgeBase) -> None:
    (lab,) = mapped(kb, observations=(observation("2465-3", 6.2, "g/L", "2025-12-01"),)).record.labs

    assert lab.collected_at == datetime(2025, 12, 1, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("loinc", "value", "unit", "kind"),
    [
        ("29463-7", 17.5, "kg", GrowthKind.WEIGHT),
        ("8302-2", 108, "cm", GrowthKind.HEIGHT),
        ("9843-4", 50.5, "cm", GrowthKind.HEAD_CIRCUMFERENCE),
    ],
    ids=["weight", "height", "head-circumference"],
)
def test_growth_vital_signs_become_growth_measurements(
    kb: KnowledgeBase, loinc: str, value: float, unit: str, kind: GrowthKind
) -> None:
    vital = observation(loinc, value, unit, "2026-10-01", category="vital-signs")

    (measurement,) = mapped(kb, observations=(vital,)).record.growth

    assert (measurement.kind, measurement.value, measurement.measured_on) == (
        kind,
        Quantity(value, unit),
        date(2026, 10, 1),
    )


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        (observation("2465-3", 6.2, "g/L", "2025-12-01", status="preliminary"), "status preliminary"),
        (
            observation("8867-4", 96, "/min", "2025-12-01", category="vital-signs"),
            "a vital sign immunocare does not use",
        ),
        (
            observation("72166-2", 1, "1", "2025-12-01", category="social-history"),
            "not a laboratory observation",
        ),
        (observation("2465-3", 6.2, "furlongs", "2025-12-01"), "result not readable"),
        (observation("2465-3", -1, "g/L", "2025-12-01"), "result not readable"),
        (observation("2465-4", 6.2, "g/L", "2025-12-01"), "no LOINC code"),
        (
            observation("29463-7", 17.5, "cm", "2026-10-01", category="vital-signs"),
            "growth measurement not readable",
        ),
    ],
    ids=[
        "preliminary",
        "heart-rate",
        "smoking-status",
        "an-unknown-unit",
        "a-negative-concentration",
        "a-bad-check-digit",
        "a-weight-in-centimetres",
    ],
)
def test_an_observation_not_read_is_counted(kb: KnowledgeBase, resource: Json, reason: str) -> None:
    result = mapped(kb, observations=(resource,))

    assert result.record.labs == result.record.growth == ()
    (skipped,) = result.skipped
    assert skipped.reason.startswith(reason)
