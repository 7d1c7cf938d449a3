"""The Population page through the real app: roles, a background run polled by htmx, audit, browsing.

The screens are run by an in-memory runner that returns hand-built results (tests/population/
builders.py); the OMOP engines themselves are tested in tests/population.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from fastapi.testclient import TestClient

from immunocare.app import create_app
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.services import Actor, FixedClock, ServiceContext, build_context, list_audit_entries
from immunocare.store import Role
from tests.conftest import NOW, make_settings
from tests.factories import add_user
from tests.population.builders import ScreenResult, make_result, person
from tests.web.test_pages import csrf, log_in

SOURCES = {
    "eunomia": "/data/omop/GiBleed.duckdb",
    "warehouse": "postgresql://reader:s3cret@db.example/omop?schema=cdm",
    "broken": "/data/missing-person.duckdb",
}
ROWS = [person(1000 + i, otitis_media=1) for i in range(60)] + [
    person(7, deep_abscess=1, pneumonia=2),
    person(8, pneumonia=3),
]


@dataclass
class Runner:
    """Returns a hand-built result; holds the run until ``release`` is set; fails on the broken source."""

    release: threading.Event = field(default_factory=threading.Event)
    calls: list[tuple[str, str, date]] = field(default_factory=list)

    def __call__(
        self, spec: str, *, engine: str, kb: KnowledgeBase, as_of: date, memory_limit: str | None
    ) -> ScreenResult:
        self.calls.append((spec, engine, as_of))
        assert self.release.wait(timeout=30)
        if spec == SOURCES["broken"]:
            raise ValidationError.single("omop.person", "table person is missing")
        return make_result(ROWS, as_of=as_of, engine=engine)


@pytest.fixture
def site(sqlite_url: str, kb: KnowledgeBase) -> Iterator[tuple[TestClient, Runner, ServiceContext]]:
    ctx = build_context(make_settings(sqlite_url, population_sources=SOURCES), clock=FixedClock(NOW), kb=kb)
    for name, role in [("physician", Role.PHYSICIAN), ("researcher", Role.RESEARCHER), ("nurse", Role.NURSE)]:
        add_user(ctx, name, role)
    runner = Runner()
    with TestClient(create_app(ctx.settings, ctx=ctx, screen_runner=runner)) as client:
        yield client, runner, ctx
    ctx.close()


def _start(client: TestClient, source: str = "eunomia", **fields: str) -> str:
    form = {
        "csrf_token": csrf(client, "/population"),
        "source": source,
        "as_of": "2026-11-01",
        "engine": "duckdb",
    }
    response = client.post("/population/runs", data=form | fields, follow_redirects=False)
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


def _until_finished(client: TestClient, url: str) -> None:
    for _ in range(600):
        response = client.get(f"{url}/status")
        if response.headers.get("HX-Refresh") == "true":
            return
        time.sleep(0.05)
    raise AssertionError("the run did not end")


def test_only_physicians_researchers_and_admins_see_the_page(
    site: tuple[TestClient, Runner, ServiceContext],
) -> None:
    client, _, _ = site
    assert client.get("/population", follow_redirects=False).status_code == 303  # to the login page

    log_in(client, "nurse")
    assert client.get("/population").status_code == 403
    assert 'href="/population"' not in client.get("/patients").text

    log_in(client, "researcher")
    page = client.get("/population")
    assert page.status_code == 200 and 'href="/population"' in page.text
    names = re.findall(
        r'<option value="([^"]+)"', page.text.split('id="source"', 1)[1].split("</select>", 1)[0]
    )
    assert names == ["broken", "eunomia", "warehouse"]
    assert "s3cret" not in page.text and "db.example" not in page.text  # specs are never shown


def test_a_run_is_polled_until_done_then_browsed_and_audited(
    site: tuple[TestClient, Runner, ServiceContext],
) -> None:
    client, runner, ctx = site
    log_in(client, "physician")

    url = _start(client)
    running = client.get(url).text
    assert f'hx-get="{url}/status"' in running and 'hx-trigger="every 2s"' in running
    assert client.get(f"{url}/status").headers.get("HX-Refresh") is None
    runner.release.set()
    _until_finished(client, url)

    assert runner.calls == [(SOURCES["eunomia"], "duckdb", date(2026, 11, 1))]
    page = client.get(url).text
    assert "hx-get" not in page.split('id="run-status"', 1)[1].split(">", 1)[0]  # polling stopped
    assert "2,694" in page and "Signs resting on unverified knowledge: Deep-seated abscess" in page
    ranked = page.split('id="ranked"', 1)[1]
    ids = re.findall(r"<td class=\"nowrap\"><code>(\d+)</code>", ranked)
    assert ids[:3] == ["7", "8", "1000"] and len(ids) == 50  # score desc, then person_id; paged
    assert 'rel="next"' in page

    entries = list_audit_entries(ctx, actor=Actor.command_line("test"), action="screen_population")
    details = [(e.username, e.outcome, e.detail or "") for e in entries]
    assert (
        details[0][:2] == ("physician", "ok")
        and "done: 2694 persons screened, 62 with signs" in details[0][2]
    )
    assert (
        details[1][:2] == ("physician", "ok")
        and "started: source 'eunomia' (duckdb), as of 2026-11-01" in details[1][2]
    )


def test_the_ranked_list_sorts_filters_and_pages(site: tuple[TestClient, Runner, ServiceContext]) -> None:
    client, runner, _ = site
    runner.release.set()
    log_in(client, "physician")
    url = _start(client)
    _until_finished(client, url)

    def ids(query: str) -> list[str]:
        html = client.get(f"{url}?{query}").text
        return re.findall(r"<td class=\"nowrap\"><code>(\d+)</code>", html.split('id="ranked"', 1)[1])

    assert ids("sort=person_id&order=asc")[:3] == ["7", "8", "1000"]
    assert ids("sort=person_id&order=desc")[:2] == ["1059", "1058"]
    assert ids("sign=pneumonia") == ["7", "8"]
    assert ids("page=2") == [str(1000 + i) for i in range(48, 60)]
    bad = client.get(f"{url}?sign=nonsense")
    assert bad.status_code == 422 and "is not a sign of this screen" in bad.text


def test_the_other_lists_the_report_and_the_download(site: tuple[TestClient, Runner, ServiceContext]) -> None:
    client, runner, ctx = site
    runner.release.set()
    log_in(client, "researcher")
    url = _start(client, engine="spark")
    _until_finished(client, url)

    assert "B-cell-depleting therapy" in client.get(f"{url}?view=gap").text
    assert "D80.1, 4138498" in client.get(f"{url}?view=coded").text
    assert (
        f'<iframe class="report-frame" title="Report" src="{url}/report.html">'
        in client.get(f"{url}?view=report").text
    )
    report = client.get(f"{url}/report.html")
    assert report.status_code == 200 and '<dd id="engine">spark</dd>' in report.text
    download = client.get(f"{url}/ranked.csv")
    assert download.text.splitlines()[0] == "person_id,score,n_signs,to_refer,signs,reasons"
    assert len(download.text.splitlines()) == 1 + len(ROWS)
    exports = list_audit_entries(ctx, actor=Actor.command_line("test"), action="export")
    assert exports[0].username == "researcher" and "ranked list downloaded (62 rows)" in (
        exports[0].detail or ""
    )


def test_bad_input_names_the_field_and_a_failed_run_says_why(
    site: tuple[TestClient, Runner, ServiceContext],
) -> None:
    client, runner, ctx = site
    runner.release.set()
    log_in(client, "physician")
    token = csrf(client, "/population")

    bad = client.post(
        "/population/runs",
        data={"csrf_token": token, "source": "nowhere", "as_of": "2027-01-01", "engine": "excel"},
    )
    assert bad.status_code == 422
    for text in (
        "'nowhere' is not a configured source",
        "'excel': use duckdb or spark",
        "2027-01-01 is after today",
    ):
        assert text in html.unescape(bad.text)
    forged = client.post(
        "/population/runs", data={"csrf_token": "x", "source": "eunomia", "as_of": "2026-11-01"}
    )
    assert forged.status_code == 403

    url = _start(client, source="broken")
    _until_finished(client, url)
    page = client.get(url).text
    assert "The screen failed: omop.person: table person is missing" in page and 'id="ranked"' not in page
    assert client.get(f"{url}/report.html").status_code == 422
    failed = list_audit_entries(ctx, actor=Actor.command_line("test"), action="screen_population")[0]
    assert failed.outcome == "failed" and "table person is missing" in (failed.detail or "")
