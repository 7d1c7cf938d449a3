"""The whole record as one JSON document (export / import), and the item-schema registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from immunocare.domain import ItemKind

from ._common import InputModel
from ._record import (
    CareTeamMemberIn,
    CareTeamMemberOut,
    DiagnosisIn,
    DiagnosisOut,
    FamilyHistoryIn,
    FamilyHistoryOut,
    GeneticFindingIn,
    GeneticFindingOut,
    GrowthIn,
    GrowthOut,
    ImagingIn,
    ImagingOut,
    InfectionIn,
    InfectionOut,
    InfusionIn,
    InfusionOut,
    LabResultIn,
    LabResultOut,
    MedicationIn,
    MedicationOut,
    PatientIn,
    PhenotypeIn,
    PhenotypeOut,
    VaccinationIn,
    VaccinationOut,
)

__all__ = ["ITEM_SCHEMAS", "RECORD_FORMAT", "ItemSchemas", "RecordDocument", "record_json_schema"]

RECORD_FORMAT = "immunocare.record"


class ItemSchemas:
    """The input and output schema of one kind of record item."""

    def __init__(self, kind: ItemKind, schema_in: type[Any], schema_out: type[Any]) -> None:
        self.kind = kind
        self.schema_in = schema_in
        self.schema_out = schema_out


ITEM_SCHEMAS: dict[ItemKind, ItemSchemas] = {
    kind: ItemSchemas(kind, schema_in, schema_out)
    for kind, schema_in, schema_out in [
        (ItemKind.GROWTH, GrowthIn, GrowthOut),
        (ItemKind.INFECTIONS, InfectionIn, InfectionOut),
        (ItemKind.LABS, LabResultIn, LabResultOut),
        (ItemKind.VACCINATIONS, VaccinationIn, VaccinationOut),
        (ItemKind.MEDICATIONS, MedicationIn, MedicationOut),
        (ItemKind.INFUSIONS, InfusionIn, InfusionOut),
        (ItemKind.DIAGNOSES, DiagnosisIn, DiagnosisOut),
        (ItemKind.PHENOTYPES, PhenotypeIn, PhenotypeOut),
        (ItemKind.FAMILY_HISTORY, FamilyHistoryIn, FamilyHistoryOut),
        (ItemKind.GENETIC_FINDINGS, GeneticFindingIn, GeneticFindingOut),
        (ItemKind.IMAGING, ImagingIn, ImagingOut),
        (ItemKind.CARE_TEAM, CareTeamMemberIn, CareTeamMemberOut),
    ]
}
"""The schemas of every kind of record item."""

_MAX_ITEMS = Field(max_length=5000)


class RecordDocument(InputModel):
    """One patient's whole record, as ``immunocare record export`` writes it and ``import`` reads it.

    Items carry no identifiers: importing a document creates a new patient with new items.
    """

    format: Literal["immunocare.record"] = Field(
        "immunocare.record", description="Always 'immunocare.record'."
    )
    version: Literal[1] = Field(1, description="The document format version.")
    exported_at: datetime | None = Field(None, description="When the document was written.")
    patient: PatientIn
    growth: Annotated[tuple[GrowthIn, ...], _MAX_ITEMS] = ()
    infections: Annotated[tuple[InfectionIn, ...], _MAX_ITEMS] = ()
    labs: Annotated[tuple[LabResultIn, ...], _MAX_ITEMS] = ()
    vaccinations: Annotated[tuple[VaccinationIn, ...], _MAX_ITEMS] = ()
    medications: Annotated[tuple[MedicationIn, ...], _MAX_ITEMS] = ()
    infusions: Annotated[tuple[InfusionIn, ...], _MAX_ITEMS] = ()
    diagnoses: Annotated[tuple[DiagnosisIn, ...], _MAX_ITEMS] = ()
    phenotypes: Annotated[tuple[PhenotypeIn, ...], _MAX_ITEMS] = ()
    family_history: Annotated[tuple[FamilyHistoryIn, ...], _MAX_ITEMS] = ()
    genetic_findings: Annotated[tuple[GeneticFindingIn, ...], _MAX_ITEMS] = ()
    imaging: Annotated[tuple[ImagingIn, ...], _MAX_ITEMS] = ()
    care_team: Annotated[tuple[CareTeamMemberIn, ...], _MAX_ITEMS] = ()


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`RecordDocument` (published in docs/ and at /api/schema)."""
    schema = RecordDocument.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:immunocare:schema:record:1"
    return schema
