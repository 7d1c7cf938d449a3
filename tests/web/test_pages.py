"""The server-rendered pages through the real app: login, CSRF, the chart, forms and their errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from immunocare import services
from immunocare.app import create_app
from immunocare.services import Actor, ServiceContext
from immunocare.store import Role
from tests.factories import PASSWORD, add_user, register_patient


@pytest.fixture
def site(sqlite_ctx: ServiceContext) -> Iterator[tuple[TestClient, int, int]]:
    own, other = (
        register_patient(sqlite_ctx, "WEB-1", "Martin"),
        register_patient(sqlite_ctx, "WEB-2", "Okoro"),
    )
    add_user(sqlite_ctx, "physician", Role.PHYSICIAN)
    add_user(sqlite_ctx, "patient", Role.PATIENT, patient_id=own)
    with TestClient(create_app(sqlite_ctx.settings, ctx=sqlite_ctx)) as client:
        yield client, own, other


def submit_login(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(
        "/login",
        data={"username": username, "password": password, "login_csrf": token.group(1), "next": "/"},
        follow_redirects=False,
    )


def log_in(client: TestClient, username: str) -> str:
    return submit_login(client, username).headers.get("location", "")


def sqlite_ctx_of(client: TestClient) -> ServiceContext:
    context: ServiceContext = client.app.state.ctx  # type: ignore[attr-defined]
    return context


def csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


def test_pages_need_a_login(site: tuple[TestClient, int, int]) -> None:
    client, own, _ = site

    response = client.get(f"/patients/{own}", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, f"/login?next=/patients/{own}")


def test_wrong_password_says_so(site: tuple[TestClient, int, int]) -> None:
    client, _, _ = site

    response = submit_login(client, "physician", "wrong-password-x")

    assert response.status_code == 401
    assert "Wrong username or password." in response.text


def test_physician_logs_in_searches_and_opens_a_chart(site: tuple[TestClient, int, int]) -> None:
    client, own, _ = site

    assert log_in(client, "physician") == "/"
    rows = client.get("/patients", params={"q": "okoro"}, headers={"HX-Request": "true"})
    chart = client.get(f"/patients/{own}")

    assert "OKORO, Claire" in rows.text and "MARTIN" not in rows.text
    assert chart.status_code == 200
    assert "MRN <strong>WEB-1</strong>" in chart.text
    assert "Add to the record" in chart.text


def test_adding_an_infection_through_the_form(site: tuple[TestClient, int, int]) -> None:
    client, own, _ = site
    log_in(client, "physician")
    token = csrf(client, f"/patients/{own}/infections/new")

    response = client.post(
        f"/patients/{own}/infections/new",
        data={
            "csrf_token": token,
            "onset": "2026-10-02",
            "site": "lung",
            "severity": "severe",
            "hospitalised": "on",
            "antibiotic_courses.0.drug": "ceftriaxone",
            "antibiotic_courses.0.start": "2026-10-02",
            "antibiotic_courses.0.route": "intravenous",
            "antibiotic_courses.0.effect": "good",
        },
    )

    assert response.status_code == 200
    assert "Infection added to the record." in response.text
    assert "Lung (pneumonia) (severe, hospitalised)" in response.text


def test_adding_a_chest_ct_through_the_form(site: tuple[TestClient, int, int]) -> None:
    client, own, _ = site
    log_in(client, "physician")
    token = csrf(client, f"/patients/{own}/imaging/new")

    response = client.post(
        f"/patients/{own}/imaging/new",
        data={
            "csrf_token": token,
            "modality": "ct",
            "body_site": "chest",
            "performed_on": "2026-10-05",
            "findings.0.kind": "bronchiectasis",
            "findings.0.extent": "focal",
            "report": "Synthetic: focal bronchiectasis of the middle lobe.",
        },
    )

    assert response.status_code == 200
    assert "Imaging study added to the record." in response.text
    assert "CT chest: Bronchiectasis (focal)" in response.text


def test_a_blank_imaging_finding_row_adds_no_finding(site: tuple[TestClient, int, int]) -> None:
    client, own, _ = site
    log_in(client, "physician")
    token = csrf(client, f"/patients/{own}/imaging/new")
    form = client.get(f"/patients/{own}/imaging/new").text
    assert (
        '<select id="findings.0.kind" name="findings.0.kind">\n          <option value="">—</option>' in form
    )

    data = {"csrf_token": token, "modality": "x_ray", "body_site": "chest", "performed_on": "2026-10-05"}
    response = client.post(
        f"/patients/{own}/imaging/new", data={**data, "findings.0.kind": "", "findings.0.extent": ""}
    )

    assert response.status_code == 200
    assert "X-ray chest: no structured findings" in response.text


def test_a_form_error_is_shown_next_to_its_field(site: tuple[TestClient, int, int]) -> None:
    client, own, _ = site
    log_in(client, "physician")
    token = csrf(client, f"/patients/{own}/infections/new")

    response = client.post(
        f"/patients/{own}/infections/new",
        data={"csrf_token": token, "onset": "2026-10-02", "end": "2026-09-01", "site": "ear"},
    )

    assert response.status_code == 422
    assert "is before onset" in response.text
    assert 'value="2026-09-01"' in response.text  # what was typed is kept


def test_a_post_without_the_csrf_token_is_refused(site: tuple[TestClient, int, int]) -> None:
    client, own, _ = site
    log_in(client, "physician")

    response = client.post(f"/patients/{own}/infections/new", data={"onset": "2026-10-02", "site": "ear"})

    assert response.status_code == 403
    assert (
        services.get_record(
            sqlite_ctx_of(client), actor=Actor.command_line("test"), patient_id=own
        ).infections
        == ()
    )


def test_patient_sees_only_their_own_chart(site: tuple[TestClient, int, int]) -> None:
    client, own, other = site

    assert log_in(client, "patient") == f"/patients/{own}"
    assert client.get(f"/patients/{own}").status_code == 200
    refused = client.get(f"/patients/{other}")
    assert refused.status_code == 403
    assert "Not allowed" in refused.text


def test_knowledge_page_shows_sources_and_verification(site: tuple[TestClient, int, int]) -> None:
    client, _, _ = site
    log_in(client, "physician")

    page = client.get("/knowledge", params={"unverified": "1"})

    assert page.status_code == 200
    assert "badge unverified" in page.text
    assert "Human Phenotype Ontology" in page.text
