"""Phenopacket v2: export and import of the phenotype (subject, phenotypicFeatures, metaData)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from immunocare.clinical.differential import PhenotypeQuery
from immunocare.domain import Sex
from immunocare.domain.ages import Duration
from immunocare.errors import ValidationError
from immunocare.knowledge.hpo import Hpo

__all__ = ["SCHEMA_VERSION", "export_phenopacket", "import_phenopacket"]

SCHEMA_VERSION = "2.0"
_SEX_OUT = {Sex.MALE: "MALE", Sex.FEMALE: "FEMALE", Sex.OTHER: "OTHER_SEX", Sex.UNKNOWN: "UNKNOWN_SEX"}
_SEX_IN = {text: sex for sex, text in _SEX_OUT.items()}


def _feature(hpo: Hpo, term: str, excluded: bool) -> dict[str, Any]:
    feature: dict[str, Any] = {"type": {"id": term, "label": hpo.term(term).name}}
    if excluded:
        feature["excluded"] = True
    return feature


def export_phenopacket(
    query: PhenotypeQuery, hpo: Hpo, *, packet_id: str, created: datetime, created_by: str = "immunocare"
) -> dict[str, Any]:
    """The query as a Phenopacket v2 document; its terms must be current HPO terms."""
    subject: dict[str, Any] = {"id": query.id or packet_id}
    if query.sex is not None:
        subject["sex"] = _SEX_OUT[query.sex]
    if query.age is not None:
        subject["timeAtLastEncounter"] = {"age": {"iso8601duration": str(query.age)}}
    return {
        "id": packet_id,
        "subject": subject,
        "phenotypicFeatures": [_feature(hpo, t, False) for t in query.observed]
        + [_feature(hpo, t, True) for t in query.excluded],
        "metaData": {
            "created": created.isoformat().replace("+00:00", "Z"),
            "createdBy": created_by,
            "resources": [
                {
                    "id": "hp",
                    "name": "human phenotype ontology",
                    "url": "http://purl.obolibrary.org/obo/hp.owl",
                    "version": hpo.release,
                    "namespacePrefix": "HP",
                    "iriPrefix": "http://purl.obolibrary.org/obo/HP_",
                }
            ],
            "phenopacketSchemaVersion": SCHEMA_VERSION,
        },
    }


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError.single(field, "must be a JSON object")
    return value


def _age(subject: Mapping[str, Any]) -> Duration | None:
    time = subject.get("timeAtLastEncounter")
    if time is None:
        return None
    age = _object(_object(time, "subject.timeAtLastEncounter").get("age"), "subject.timeAtLastEncounter.age")
    text = age.get("iso8601duration")
    try:
        return Duration.parse(str(text))
    except ValueError as error:
        raise ValidationError.single("subject.timeAtLastEncounter.age.iso8601duration", str(error)) from None


def _sex(subject: Mapping[str, Any]) -> Sex | None:
    text = subject.get("sex")
    if text is None:
        return None
    if text not in _SEX_IN:
        raise ValidationError.single("subject.sex", f"{text!r} is not one of {', '.join(_SEX_IN)}")
    return _SEX_IN[text]


def import_phenopacket(document: Any) -> PhenotypeQuery:
    """The phenotype of a Phenopacket v2 document (other sections are ignored)."""
    packet = _object(document, "phenopacket")
    subject = _object(packet.get("subject", {}), "subject")
    features = packet.get("phenotypicFeatures", [])
    if not isinstance(features, list):
        raise ValidationError.single("phenotypicFeatures", "must be a list")
    observed: list[str] = []
    excluded: list[str] = []
    for number, raw in enumerate(features):
        feature = _object(raw, f"phenotypicFeatures[{number}]")
        term = _object(feature.get("type"), f"phenotypicFeatures[{number}].type").get("id")
        if not isinstance(term, str):
            raise ValidationError.single(f"phenotypicFeatures[{number}].type.id", "must be an HPO id")
        (excluded if feature.get("excluded") is True else observed).append(term)
    subject_id = subject.get("id")
    return PhenotypeQuery(
        observed=tuple(observed),
        excluded=tuple(excluded),
        sex=_sex(subject),
        age=_age(subject),
        id=subject_id if isinstance(subject_id, str) else None,
    )
