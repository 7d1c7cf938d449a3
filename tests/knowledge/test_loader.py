"""The knowledge base's mechanics: loading, overlays, integrity, the version stamp, the review document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from immunocare.errors import KnowledgeBaseError, NotFoundError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.review import review_markdown
from immunocare.knowledge.topics.analytes import Analyte


def write(folder: Path, relative: str, document: object) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def local_analyte(**overrides: object) -> dict[str, object]:
    return {
        "id": "local_calprotectin",
        "title": "Faecal calprotectin (site test)",
        "loinc": ["38445-3"],
        "unit": "ug/L",
        "group": "other",
        "citations": [{"source": "site_lab_handbook", "where": "p. 12"}],
        "verified": True,
        **overrides,
    }


SITE_CITATION = {
    "citations": [
        {
            "id": "site_lab_handbook",
            "authors": "Demo Hospital Laboratory",
            "title": "Laboratory handbook",
            "publisher": "Demo Hospital",
            "year": 2026,
        }
    ]
}


def test_the_built_in_knowledge_base_loads(kb: KnowledgeBase) -> None:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\+[0-9a-f]{12}", kb.version)
    assert all(kb.topics.values()), "every topic has items"
    assert kb.get("igg").title
    with pytest.raises(NotFoundError):
        kb.get("no_such_item")


def test_an_overlay_adds_and_replaces_items_and_marks_them_local(kb: KnowledgeBase, tmp_path: Path) -> None:
    write(tmp_path, "citations.yaml", SITE_CITATION)
    igg = kb.get("igg").model_dump(mode="json", exclude={"local"})
    replaced = {
        **igg,
        "title": "IgG (our laboratory)",
        "citations": [{"source": "site_lab_handbook", "where": "p. 3"}],
    }
    write(tmp_path, "analytes/site.yaml", {"items": [local_analyte(), replaced]})

    local = load_knowledge_base(tmp_path)

    assert local.get("local_calprotectin").local
    assert (local.get("igg").title, local.get("igg").local) == ("IgG (our laboratory)", True)
    assert len(local.of(Analyte)) == len(kb.of(Analyte)) + 1
    assert local.version != kb.version


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"analytes/site.yaml": {"items": [local_analyte()]}}, "unknown citation 'site_lab_handbook'"),
        (
            {"citations.yaml": SITE_CITATION, "analytes/site.yaml": {"items": []}},
            "citation 'site_lab_handbook' is not used",
        ),
        (
            {
                "citations.yaml": SITE_CITATION,
                "analytes/site.yaml": {"items": [local_analyte(unit="furlongs")]},
            },
            "not a UCUM unit",
        ),
        (
            {
                "citations.yaml": SITE_CITATION,
                "analytes/site.yaml": {"items": [local_analyte(verified=False)]},
            },
            "needs a note",
        ),
        (
            {
                "citations.yaml": SITE_CITATION,
                "analytes/site.yaml": {"items": [local_analyte(colour="blue")]},
            },
            "colour: Extra inputs are not permitted",
        ),
        (
            {"citations.yaml": SITE_CITATION, "analytes/site.yaml": {"items": [local_analyte(local=True)]}},
            "'local' is set by the loader",
        ),
        (
            {"citations.yaml": SITE_CITATION, "analytes/site.yaml": "not a list"},
            "expected a mapping with an 'items' list",
        ),
        (
            {"citations.yaml": SITE_CITATION, "vaccines/site.yaml": {"items": [local_analyte()]}},
            "vaccines/site.yaml#0: cvx: Field required",
        ),
    ],
    ids=[
        "unknown-citation",
        "unused-citation",
        "non-ucum-unit",
        "unverified-without-note",
        "unknown-field",
        "local-in-file",
        "malformed-file",
        "schema-of-another-topic",
    ],
)
def test_integrity_problems_are_reported(tmp_path: Path, files: dict[str, object], message: str) -> None:
    for relative, document in files.items():
        write(tmp_path, relative, document)

    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge_base(tmp_path)

    assert any(message in problem for problem in raised.value.problems), raised.value.problems


def test_a_missing_overlay_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        load_knowledge_base(tmp_path / "nowhere")


def test_review_document_marks_every_unverified_item(kb: KnowledgeBase) -> None:
    text = review_markdown(kb)

    assert text.count("**⚠ UNVERIFIED**") == len(kb.unverified())
    assert all(f"## {title}" in text for title in kb.topic_titles.values())
    assert kb.hpo.release in text
    assert "## Bibliography" in text
