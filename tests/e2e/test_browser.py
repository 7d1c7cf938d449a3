"""A clinician in a real browser: log in, find a patient, add an infection, see it on the timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_log_in_find_a_patient_and_add_an_infection(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("physician")
    page.get_by_label("Password").fill("physician-demo-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()

    page.get_by_role("searchbox", name="Search patients").fill("garcia")
    expect(page.locator("#patient-rows tbody tr")).to_have_count(1)
    page.get_by_role("link", name="GARCIA, Mateo").click()
    expect(page.get_by_role("heading", name="GARCIA, Mateo")).to_be_visible()

    page.get_by_role("link", name="Infection", exact=True).click()
    page.get_by_label("Onset").fill("2026-11-15")
    page.get_by_label("Site").select_option("sinus")
    page.get_by_label("Severity").select_option("moderate")
    page.get_by_label("Organism").fill("Moraxella catarrhalis")
    page.get_by_role("button", name="Save infection").click()

    expect(page.get_by_role("status")).to_have_text("Infection added to the record.")
    first = page.locator("#timeline li").first
    expect(first).to_contain_text("15 Nov 2026")
    expect(first).to_contain_text("Sinus (sinusitis), Moraxella catarrhalis (moderate)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "chart-after-adding-an-infection.png", full_page=True)


def test_a_form_error_names_the_field(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("nurse-demo-pass")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/patients/1/infections/new")
    page.get_by_label("Onset").fill("2026-11-10")
    page.get_by_label("End").fill("2026-11-01")
    page.get_by_role("button", name="Save infection").click()

    expect(page.get_by_role("alert")).to_contain_text("End: is before onset")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "form-error.png", full_page=True)
