"""HSCT and gene therapy: indications with strength and urgency, approvals, and refused bad data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pydantic
import pytest

from immunocare.domain.units import Quantity
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics._groups import gene_table_problems
from immunocare.knowledge.topics.hsct import GeneTherapy, HsctIndication, HsctItem

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(HsctItem)


def test_every_hsct_item_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    items = kb.topics["hsct"]
    assert len(items) >= 25
    for item in items:
        assert ADAPTER.validate_python(item.model_dump(mode="json", exclude={"local"})) == item


def test_scid_is_an_emergency_for_hsct_or_gene_therapy(kb: KnowledgeBase) -> None:
    scid = kb.get("hsct_scid")
    assert isinstance(scid, HsctIndication)
    assert (scid.urgency, scid.strength, scid.grade, scid.verified) == ("emergency", "recommended", "B", True)


def test_disease_list_from_the_survey_is_marked_unverified(kb: KnowledgeBase) -> None:
    from_survey = [i for i in kb.of(HsctIndication) if i.id != "hsct_scid"]
    assert len(from_survey) >= 20
    assert all(not i.verified and i.note and "UNVERIFIED" in i.note for i in from_survey)


@pytest.mark.parametrize(
    ("item_id", "gene", "agency", "year", "decided", "pathway", "age_from"),
    [
        pytest.param(
            "gene_therapy_strimvelis",
            "ADA",
            "European Commission",
            2016,
            date(2016, 5, 26),
            "standard",
            None,
            id="strimvelis-ada-scid-eu-2016",
        ),
        pytest.param(
            "gene_therapy_waskyra",
            "WAS",
            "FDA",
            2025,
            None,
            "standard",
            Quantity(6, "mo"),
            id="waskyra-was-fda-2025",
        ),
        pytest.param(
            "gene_therapy_kresladi",
            "ITGB2",
            "FDA",
            2026,
            None,
            "accelerated",
            None,
            id="kresladi-lad1-fda-2026",
        ),
    ],
)
def test_approved_gene_therapies(
    kb: KnowledgeBase,
    item_id: str,
    gene: str,
    agency: str,
    year: int,
    decided: date | None,
    pathway: str,
    age_from: Quantity | None,
) -> None:
    therapy = kb.get(item_id)
    assert isinstance(therapy, GeneTherapy)
    (approval,) = therapy.approvals
    assert (therapy.genes, approval.agency, approval.year, approval.decided, approval.pathway) == (
        (gene,),
        agency,
        year,
        decided,
        pathway,
    )
    assert therapy.age_from == age_from
    assert "donor" in therapy.indication


@pytest.mark.parametrize(
    ("item_id", "spoil", "message"),
    [
        pytest.param("hsct_fhl", {"genes": ["perforin 1"]}, "HGNC", id="gene-not-an-hgnc-symbol"),
        pytest.param("hsct_fhl", {"strength": "mandatory"}, "strength", id="strength-not-in-ebmt-scale"),
        pytest.param(
            "gene_therapy_strimvelis",
            {"approvals": [{"agency": "European Commission", "year": 2017, "decided": "2016-05-26"}]},
            "is not in 2017",
            id="approval-date-outside-its-year",
        ),
        pytest.param(
            "gene_therapy_strimvelis", {"approvals": []}, "approvals", id="approved-without-approval"
        ),
        pytest.param(
            "gene_therapy_trial_x_cgd",
            {"approvals": [{"agency": "FDA", "year": 2024}]},
            "no approvals",
            id="trial-with-an-approval",
        ),
        pytest.param("gene_therapy_trial_x_cgd", {"trials": ["2234934"]}, "NCT", id="trial-id-not-nct"),
        pytest.param(
            "hsct_fhl",
            {"diagnoses": [], "genes": [], "iuis": [], "esid": []},
            "name the patients",
            id="indication-for-nobody",
        ),
    ],
)
def test_bad_copies_are_refused(kb: KnowledgeBase, item_id: str, spoil: dict[str, Any], message: str) -> None:
    data = kb.get(item_id).model_dump(mode="json", exclude={"local"}) | spoil
    with pytest.raises(pydantic.ValidationError, match=message):
        ADAPTER.validate_python(data)


def test_gene_therapies_in_trials_name_their_study_and_no_product(kb: KnowledgeBase) -> None:
    trials = {t.id: t for t in kb.of(GeneTherapy) if t.status == "in trials"}
    assert {t.genes for t in trials.values()} >= {("IL2RG",), ("DCLRE1C",), ("CYBB",)}
    for therapy in trials.values():
        assert therapy.product is None and not therapy.approvals and therapy.citations
        assert therapy.note and "not read" in therapy.note
    assert trials["gene_therapy_trial_x_cgd"].trials == ("NCT02234934", "NCT01855685")


def test_groups_of_a_gene_with_disorders_in_several_tables_must_say_which(kb: KnowledgeBase) -> None:
    was = kb.get("hsct_was")
    assert isinstance(was, HsctIndication) and was.gene_tables == ("2.1",)
    loose = was.model_copy(update={"gene_tables": ()})
    wrong = was.model_copy(update={"id": "hsct_was_wrong", "gene_tables": ("3.1",)})
    assert gene_table_problems(kb, [loose, wrong]) == [
        "hsct_was: WAS has IUIS entries in 2.1, 5.1; say which in gene_tables",
        "hsct_was_wrong: WAS has no IUIS entry in gene_tables ['3.1']",
    ]
    for topic in ("hsct", "prophylaxis", "vaccination_rules"):
        assert gene_table_problems(kb, kb.topics[topic]) == [], topic
