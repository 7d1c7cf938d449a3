"""The Population page in a real browser: a run polled by htmx until it ends, then sorted, filtered, reported.

The server runs in this process (uvicorn in a thread) so that the screen's runner can be the
in-memory one of tests/web/test_population_page.py; the browser sees the real pages and htmx.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from immunocare.app import create_app
from immunocare.knowledge import KnowledgeBase
from immunocare.services import FixedClock, build_context
from immunocare.store import Role, upgrade_database
from tests.conftest import NOW, make_settings
from tests.factories import PASSWORD, add_user
from tests.web.test_population_page import SOURCES, Runner

from .conftest import SCREENSHOTS, _free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def population_server(
    tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase
) -> Iterator[tuple[str, Runner]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('population') / 'e2e.db'}"
    upgrade_database(url)
    ctx = build_context(make_settings(url, population_sources=SOURCES), clock=FixedClock(NOW), kb=kb)
    add_user(ctx, "physician", Role.PHYSICIAN)
    runner = Runner()
    port = _free_port()
    config = uvicorn.Config(
        create_app(ctx.settings, ctx=ctx, screen_runner=runner),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield base, runner
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        ctx.close()


def test_a_screen_runs_in_the_background_and_its_results_are_browsed(
    page: Page, population_server: tuple[str, Runner]
) -> None:
    base, runner = population_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill("physician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Population").click()
    page.get_by_label("Source").select_option("eunomia")
    page.get_by_label("As of").fill("2026-11-01")
    page.get_by_role("button", name="Run the screen").click()
    expect(page.locator("#run-status")).to_contain_text("Screening…")
    page.screenshot(path=SCREENSHOTS / "population-running.png", full_page=True)

    runner.release.set()
    ranked = page.locator("#ranked tbody tr")
    expect(ranked).to_have_count(50, timeout=20_000)  # htmx saw the end and reloaded the page
    expect(ranked.first.locator("code").first).to_have_text("7")
    expect(page.locator("#notices")).to_contain_text(
        "Signs resting on unverified knowledge: Deep-seated abscess"
    )
    page.screenshot(path=SCREENSHOTS / "population-ranked.png", full_page=True)

    page.get_by_label("Only persons with this sign").select_option("pneumonia")
    expect(ranked).to_have_count(2)
    expect(page.get_by_text("2 persons with this sign.")).to_be_visible()
    page.get_by_role("link", name="person_id").click()  # the filter stays; highest id first
    expect(ranked).to_have_count(2)
    expect(ranked.first.locator("code").first).to_have_text("8")

    page.get_by_role("tab", name="Report").click()
    report = page.frame_locator("iframe.report-frame")
    expect(report.locator("#engine")).to_have_text("duckdb")
    expect(report.locator("figure svg")).to_have_count(3)
    page.screenshot(path=SCREENSHOTS / "population-report.png", full_page=True)
