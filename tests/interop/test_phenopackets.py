"""Phenopacket v2 export and import of the differential's phenotype."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from immunocare.clinical.differential import PhenotypeQuery
from immunocare.domain import Sex
from immunocare.domain.ages import Duration
from immunocare.errors import ValidationError
from immunocare.interop.phenopackets import export_phenopacket, import_phenopacket
from immunocare.knowledge import KnowledgeBase

CREATED = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def test_export_follows_the_v2_shape_and_round_trips(kb: KnowledgeBase) -> None:
    query = PhenotypeQuery(
        observed=("HP:0004315", "HP:0002205"),
        excluded=("HP:0001875",),
        sex=Sex.FEMALE,
        age=Duration(years=2),
        id="case-1",
    )
    packet = export_phenopacket(query, kb.hpo, packet_id="pp-1", created=CREATED)
    assert packet["subject"] == {
        "id": "case-1",
        "sex": "FEMALE",
        "timeAtLastEncounter": {"age": {"iso8601duration": "P2Y"}},
    }
    assert packet["phenotypicFeatures"][0] == {
        "type": {"id": "HP:0004315", "label": "Decreased circulating IgG concentration"}
    }
    assert packet["phenotypicFeatures"][2]["excluded"] is True
    meta = packet["metaData"]
    assert meta["phenopacketSchemaVersion"] == "2.0" and meta["created"] == "2026-12-07T06:00:00Z"
    assert meta["resources"][0]["version"] == kb.hpo.release and meta["createdBy"] == "immunocare"
    assert import_phenopacket(packet) == query


@pytest.mark.parametrize(
    ("document", "field"),
    [
        pytest.param([], "phenopacket", id="not-an-object"),
        pytest.param({"phenotypicFeatures": {}}, "phenotypicFeatures", id="features-not-a-list"),
        pytest.param(
            {"phenotypicFeatures": [{"type": {}}]}, "phenotypicFeatures[0].type.id", id="feature-without-id"
        ),
        pytest.param({"subject": {"sex": "M"}}, "subject.sex", id="unknown-sex"),
        pytest.param(
            {"subject": {"timeAtLastEncounter": {"age": {"iso8601duration": "two"}}}},
            "subject.timeAtLastEncounter.age.iso8601duration",
            id="bad-age",
        ),
    ],
)
def test_a_malformed_phenopacket_names_the_field(document: Any, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        import_phenopacket(document)
    assert raised.value.issues[0].field == field
