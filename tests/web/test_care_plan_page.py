"""The care-plan page over the demo cohort: items with sources, decisions with CSRF, the PDF."""

from __future__ import annotations

import re

from tests.web.test_decision_support import Demo, demo

__all__ = ["demo"]

XLA = "DEMO-0005"
GOAL = "goal.goal_prevent_infections"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_page_shows_items_unverified_marks_and_sources(demo: Demo) -> None:
    demo.log_in("physician")
    html = demo.page(f"/patients/{demo.ids[XLA]}/care-plan")
    for heading in ("Goals", "Therapies", "Monitoring", "Infection action plan", "Care team"):
        assert f">{heading}</h2>" in html
    assert 'id="item-therapy.immunoglobulin.' in html
    assert "Trough IgG</strong>" in html and "Every 3–6 months." in html
    assert 'class="badge unverified"' in html and "Source: Bonilla FA et al. 2015" in html
    assert 'name="decision" value="accepted"' in html


def test_decisions_post_with_csrf_and_a_bad_edit_names_the_field(demo: Demo) -> None:
    demo.log_in("physician")
    url = f"/patients/{demo.ids[XLA]}/care-plan"
    token = _csrf(demo.page(url))
    form = {
        "csrf_token": token,
        "item_id": GOAL,
        "decision": "edited",
        "text": "Fewer infections.",
        "note": "Agreed.",
    }
    response = demo.client.post(f"{url}/decisions", data=form, follow_redirects=False)
    assert response.status_code == 303
    html = demo.page(url)
    assert "Fewer infections." in html and "<strong>edited</strong> by physician" in html
    bad = demo.client.post(f"{url}/decisions", data=form | {"text": ""}, follow_redirects=False)
    assert bad.status_code == 422 and "text: is required to edit an item" in bad.text
    forged = demo.client.post(f"{url}/decisions", data=form | {"csrf_token": "x"}, follow_redirects=False)
    assert forged.status_code == 403


def test_the_plan_prints_as_a_pdf(demo: Demo) -> None:
    demo.log_in("physician")
    response = demo.client.get(f"/patients/{demo.ids[XLA]}/care-plan.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_demo_plans_fit_the_patients(demo: Demo) -> None:
    demo.log_in("physician")
    healthy = demo.page(f"/patients/{demo.ids['DEMO-0001']}/care-plan")
    assert 'id="empty-plan"' in healthy and 'id="item-' not in healthy
    scid = demo.page(f"/patients/{demo.ids['DEMO-0007']}/care-plan")
    assert 'id="item-therapy.immunoglobulin.ig_start_consider"' in scid
    assert 'id="item-therapy.prophylaxis.scid_pcp_prophylaxis"' in scid
    assert 'id="item-therapy.curative.hsct_scid"' in scid
    assert "No monitoring schedule" in scid
    cvid = demo.page(f"/patients/{demo.ids['DEMO-0006']}/care-plan")
    assert 'id="item-goal.trough_bronchiectasis_uk"' in cvid and "Dr Paul Jenner" in cvid
    assert 'id="item-therapy.prophylaxis.pad_lung_azithromycin"' in cvid
    xla = demo.page(f"/patients/{demo.ids[XLA]}/care-plan")
    assert "pad_lung_azithromycin" not in xla  # no chronic lung disease recorded
    cgd = demo.page(f"/patients/{demo.ids['DEMO-0008']}/care-plan")
    assert 'id="item-therapy.prophylaxis.cgd_itraconazole"' in cgd
    assert "In place: the record shows itraconazole 100 mg a day" in cgd
