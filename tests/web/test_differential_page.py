"""The work-up page's Differential panel, its HPO search, and the downloads, over the demo cohort."""

from __future__ import annotations

import json

from tests.web.test_decision_support import Demo, demo

__all__ = ["demo"]

XLA = "DEMO-0005"


def test_the_workup_page_loads_the_panel_and_the_panel_ranks_with_explanations(demo: Demo) -> None:
    demo.log_in("physician")
    patient = demo.ids[XLA]
    workup = demo.page(f"/patients/{patient}/workup")
    assert f'hx-get="/patients/{patient}/differential?as_of=' in workup
    html = demo.page(f"/patients/{patient}/differential")
    assert "Ranked diseases" in html and "Supported by:" in html
    assert "Human Phenotype Ontology (version" in html
    assert "Download the gene panel" in html and "phenopacket" in html


def test_adding_and_removing_terms_reranks_without_changing_the_record(demo: Demo) -> None:
    demo.log_in("physician")
    patient = demo.ids[XLA]
    added = demo.page(f"/patients/{patient}/differential?add=HP:0002724")
    assert "Recurrent Aspergillus infections" in added and "added here" in added
    removed = demo.page(f"/patients/{patient}/differential?add=HP:0002724&remove=HP:0002724")
    assert "added here" not in removed
    again = demo.page(f"/patients/{patient}/differential")
    assert "Recurrent Aspergillus infections</strong>" not in again


def test_the_hpo_search_offers_terms_that_add_to_the_panel(demo: Demo) -> None:
    demo.log_in("physician")
    panel = f"/patients/{demo.ids[XLA]}/differential?as_of=2026-11-20"
    html = demo.page(f"/hpo/search?q=aspergillus&panel={panel}")
    assert "HP:0002724" in html and f'hx-get="{panel}&add=HP%3A0002724"' in html
    assert "release" in html


def test_the_downloads_are_a_gene_panel_and_a_v2_phenopacket(demo: Demo) -> None:
    demo.log_in("physician")
    patient = demo.ids[XLA]
    text = demo.page(f"/patients/{patient}/differential/panel.txt")
    assert text.startswith("# Gene panel") and "Human Phenotype Ontology" in text
    packet = json.loads(demo.page(f"/patients/{patient}/differential/phenopacket.json"))
    assert packet["metaData"]["phenopacketSchemaVersion"] == "2.0"
    assert packet["subject"]["id"] == f"patient-{patient}"
