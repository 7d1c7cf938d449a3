"""A clinician in a real browser: from the worklist to a chart's warning signs, then to the work-up."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def log_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("physician")
    page.get_by_label("Password").fill("physician-demo-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()


def test_from_the_worklist_to_the_warning_signs_and_the_workup(page: Page, live_server: str) -> None:
    log_in(page, live_server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.get_by_role("link", name="Worklist").click()
    row = page.locator("table.worklist tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("GARCIA, Mateo")
    row.get_by_role("link", name="Chart").click()

    signs = page.locator("#warning-signs")
    expect(signs.get_by_role("heading", name="Warning signs")).to_be_visible()
    expect(signs.locator(".tally")).to_have_text("4 of 10 met")
    expect(signs.locator("li.sign.met")).to_have_count(4)
    not_met = signs.locator("details.not-met")
    not_met.get_by_text("Not met (6)").click()
    expect(not_met.locator("li.sign").first).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "chart-warning-signs.png", full_page=True)

    signs.get_by_role("link", name="Open the work-up").click()
    expect(page.get_by_role("heading", name="Work-up: GARCIA, Mateo")).to_be_visible()
    expect(page.locator("#plan .stage.next")).to_contain_text("Serum immunoglobulins IgG, IgA and IgM")
    page.screenshot(path=SCREENSHOTS / "workup-before-tests.png", full_page=True)


def test_the_workup_of_a_patient_with_cvid(page: Page, live_server: str) -> None:
    log_in(page, live_server)
    page.get_by_role("searchbox", name="Search patients").fill("martin")
    page.get_by_role("link", name="MARTIN, Claire").click()
    page.locator("#warning-signs").get_by_role("link", name="Open the work-up").click()

    cvid = page.locator("details.definition.met")
    expect(cvid).to_have_count(1)
    expect(cvid.locator("summary")).to_contain_text("Common variable immunodeficiency disorders (CVID)")
    expect(cvid.locator("li.criterion").first).to_be_visible()  # met definitions are open
    expect(
        page.get_by_role("img", name="Immunoglobulin G (IgG), serum or plasma over time (g/L)")
    ).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "workup-cvid.png", full_page=True)
