"""The chart's warning-signs panel, the worklist and the work-up page, on the demo cohort.

The issues' done-when, checked on the real app over the real demo cohort: patients with an
immunodeficiency show their warning signs and healthy ones do not; the XLA, CVID, SCID, CGD and
IgA-deficiency patients meet their ESID definition and the healthy ones meet none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from immunocare import services
from immunocare.app import create_app
from immunocare.knowledge import KnowledgeBase
from immunocare.services import Actor, FixedClock, build_context
from immunocare.services.demo import demo_password, load_demo
from immunocare.store import upgrade_database
from tests.conftest import NOW, make_settings

HEALTHY = ["DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-0004"]


class Demo:
    """The app over the demo cohort, and the demo patients' ids by MRN."""

    def __init__(self, client: TestClient, ids: dict[str, int]) -> None:
        self.client = client
        self.ids = ids

    def log_in(self, username: str) -> None:
        self.client.cookies.clear()
        page = self.client.get("/login")
        token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
        assert token is not None
        form = {"username": username, "password": demo_password(username), "login_csrf": token.group(1)}
        assert self.client.post("/login", data=form, follow_redirects=False).status_code == 303

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return response.text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[Demo]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('demo')) / 'demo.db'}"
    upgrade_database(url)
    ctx = build_context(make_settings(url), clock=FixedClock(NOW), kb=kb)
    load_demo(ctx)
    patients = services.search_patients(ctx, actor=Actor.command_line("test"), limit=100).patients
    with TestClient(create_app(ctx.settings, ctx=ctx)) as client:
        yield Demo(client, {p.mrn: p.id for p in patients})
    ctx.close()


def panel(html: str) -> str:
    match = re.search(r'<section class="card signs-panel.*?</section>', html, re.S)
    assert match is not None, "no warning-signs panel"
    return match.group(0)


def tally(html: str) -> int:
    match = re.search(r"<strong>(\d+)</strong> of 10 met", panel(html))
    assert match is not None
    return int(match.group(1))


def met_definitions(html: str) -> list[str]:
    """The titles of the ESID definitions the work-up page shows as met."""
    return re.findall(r'<details class="definition met".*?<strong>(.*?)</strong>', html, re.S)


@pytest.mark.parametrize(
    ("mrn", "signs"),
    [
        pytest.param("DEMO-0005", ["Sign 4:", "Sign 8:", "Sign 10:"], id="xla"),
        pytest.param("DEMO-0006", ["Sign 2:", "Sign 3:", "Sign 6:"], id="cvid"),
        pytest.param("DEMO-0007", ["Sign 5:", "Sign 7:", "Sign 8:", "Sign 10:"], id="scid"),
        pytest.param("DEMO-0008", ["Sign 6:", "Sign 8:"], id="cgd"),
        pytest.param("DEMO-0012", ["Sign 1:", "Sign 4:", "Sign 7:", "Sign 8:"], id="worklist-child"),
    ],
)
def test_a_patient_with_immunodeficiency_shows_the_signs_met(demo: Demo, mrn: str, signs: list[str]) -> None:
    demo.log_in("physician")

    html = demo.page(f"/patients/{demo.ids[mrn]}")

    assert tally(html) == len(signs)
    shown = re.findall(r'<li class="sign met">.*?>(Sign \d+:)', panel(html), re.S)
    assert shown == signs
    assert "Jeffrey Modell Foundation" in panel(html)
    assert f'href="/patients/{demo.ids[mrn]}/workup"' in panel(html)


@pytest.mark.parametrize("mrn", HEALTHY, ids=["child-4y", "child-7y", "adult-35y", "adult-52y"])
def test_a_healthy_patient_shows_no_sign(demo: Demo, mrn: str) -> None:
    demo.log_in("physician")

    html = demo.page(f"/patients/{demo.ids[mrn]}")

    assert tally(html) == 0
    assert '<li class="sign met">' not in html
    assert "Referral advice" not in html


@pytest.mark.parametrize(
    ("mrn", "definitions"),
    [
        pytest.param("DEMO-0005", ["Agammaglobulinaemia"], id="xla"),
        pytest.param("DEMO-0006", ["Common variable immunodeficiency disorders (CVID)"], id="cvid"),
        pytest.param("DEMO-0007", ["Severe combined immunodeficiency (SCID)"], id="scid"),
        pytest.param("DEMO-0008", ["Chronic granulomatous disease (CGD)"], id="cgd"),
        pytest.param("DEMO-0009", ["Selective IgA deficiency"], id="selective-iga-deficiency"),
        *(pytest.param(mrn, [], id=f"healthy-{mrn}") for mrn in HEALTHY),
    ],
)
def test_the_workup_classifies_the_demo_patients(demo: Demo, mrn: str, definitions: list[str]) -> None:
    demo.log_in("physician")

    html = demo.page(f"/patients/{demo.ids[mrn]}/workup")

    assert met_definitions(html) == definitions
    for section in (
        "Laboratory results",
        "Trends",
        "Vaccine challenges",
        "ESID classification",
        "Work-up plan",
    ):
        assert f">{section}</h2>" in html


def test_the_workup_lays_out_results_plots_and_the_vaccine_challenge(demo: Demo) -> None:
    demo.log_in("physician")

    html = demo.page(f"/patients/{demo.ids['DEMO-0006']}/workup")

    assert '<svg class="plot"' in html and 'aria-labelledby="plot-igg-title plot-igg-desc"' in html
    assert "First immunoglobulin infusion, 18 Oct 2026" in html  # IgG from then on is infused IgG
    assert "on immunoglobulin replacement: not used by the diagnostic rules" in html
    assert re.search(r"Td given .*?tetanus.*?<td>1\.2×</td>", html, re.S)
    assert "badge unverified" in html
    assert "This service uses the Human Phenotype Ontology" in html


def test_the_reference_band_of_a_plot_steps_with_the_childs_age(demo: Demo) -> None:
    demo.log_in("physician")

    html = demo.page(f"/patients/{demo.ids['DEMO-0005']}/workup")

    plot = re.search(r'<svg class="plot"[^>]*aria-labelledby="plot-igg-title.*?</svg>', html, re.S)
    assert plot is not None
    assert plot.group(0).count('<rect class="band"') >= 3
    desc = re.search(r'<desc id="plot-igg-desc">(.*?)</desc>', plot.group(0), re.S)
    assert desc is not None
    assert "(15-&lt;24 months); then reference" in desc.group(1)
    assert "(2-&lt;4 years); then reference" in desc.group(1)
    assert "from Serum IgG by age" in desc.group(1)


def test_as_of_shows_the_workup_as_it_was(demo: Demo) -> None:
    demo.log_in("physician")
    patient_id = demo.ids["DEMO-0006"]

    html = demo.page(f"/patients/{patient_id}/workup?as_of=2024-04-01")

    assert 'value="2024-04-01"' in html
    assert "Td given" not in html  # the challenge dose came later
    assert met_definitions(html) == []


def test_the_worklist_shows_the_child_with_signs(demo: Demo) -> None:
    demo.log_in("nurse")

    html = demo.page("/worklist")

    assert 'href="/worklist"' in html  # the nav link
    rows = re.findall(r'<a href="/patients/(\d+)"><strong>', html)
    assert rows == [str(demo.ids["DEMO-0012"])]
    assert "<strong>4 of 10</strong>" in html
    assert "Sign 1: ≥4 new ear infections within 1 year" in html


def test_a_patient_sees_their_chart_without_decision_support(demo: Demo) -> None:
    demo.log_in("patient")

    chart = demo.client.get(f"/patients/{demo.ids['DEMO-0006']}")
    worklist = demo.client.get("/worklist")

    assert chart.status_code == 200 and "signs-panel" not in chart.text
    assert 'href="/worklist"' not in chart.text
    assert worklist.status_code == 403


def test_the_workup_shows_the_xla_patients_genetic_confirmation(demo: Demo) -> None:
    demo.log_in("physician")

    html = demo.page(f"/patients/{demo.ids['DEMO-0005']}/workup")

    genetics = html.split('id="genetics"', 1)[1].split("</section>", 1)[0]
    assert (
        "Genetically confirmed: BTK deficiency, X-linked agammaglobulinemia (XLA) (IUIS 2024 table 3.1)"
        in genetics
    )
    assert "Inheritance XL: hemizygous in a male patient fits" in genetics
    assert "Mother (carrier testing)" in genetics or "mother (carrier testing)" in genetics
    assert "takes precedence" in html


def test_the_workup_shows_the_cvid_patients_bronchiectasis_on_ct(demo: Demo) -> None:
    demo.log_in("physician")

    html = demo.page(f"/patients/{demo.ids['DEMO-0006']}/workup")

    imaging = html.split('id="imaging"', 1)[1].split("</section>", 1)[0]
    assert "CT of the chest" in imaging
    assert "Bronchiectasis (multifocal)" in imaging and "HP:0002110" in imaging
    assert "done" in imaging.split("A baseline chest CT at the diagnosis", 1)[1].split("</li>", 1)[0]
