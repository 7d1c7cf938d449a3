"""Latency of the CDS Hooks patient-view call for a synthetic child with a 5-year history.

Run from the repository root: ``.venv/bin/python bench/cdshooks.py [--rounds 200]``.

The whole door is timed, as an EHR would see it in process: the real app (TestClient), an API
token checked against a migrated SQLite database, the prefetch parsed with fhir.resources and
mapped, Recognize run, the cards rendered, the audit entry committed. Two baselines run in the
same process, so the ratios stay comparable across machines: the discovery GET (the door's fixed
cost) and the bare FHIR parsing of the same prefetch. No assertion: it prints.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from fhir.resources.R4B.condition import Condition  # noqa: E402
from fhir.resources.R4B.encounter import Encounter  # noqa: E402
from fhir.resources.R4B.medicationrequest import MedicationRequest  # noqa: E402
from fhir.resources.R4B.observation import Observation  # noqa: E402
from fhir.resources.R4B.patient import Patient  # noqa: E402
from tests.interop.builders import (  # noqa: E402
    cds_request,
    condition,
    encounter,
    medication_request,
    observation,
    patient,
    prefetch,
)

from immunocare import services  # noqa: E402
from immunocare.app import create_app  # noqa: E402
from immunocare.config import Environment, Settings  # noqa: E402
from immunocare.interop.fhir import (  # noqa: E402
    read_resource,
    read_search,
    unused_encounter,
    unused_observation,
)
from immunocare.services import Actor, FixedClock, UserCreate  # noqa: E402
from immunocare.store import Role  # noqa: E402

TODAY = date(2026, 11, 20)
START = TODAY - timedelta(days=5 * 365)
INFECTIONS = ("H66.90", "H66.90", "J01.90", "J06.9", "H66.90", "J18.9")
LABS = (  # LOINC, value, unit: a full blood count and immunoglobulins
    ("6690-2", 7.4, "10*9/L"),
    ("26474-7", 4.2, "10*9/L"),
    ("751-8", 3.9, "10*9/L"),
    ("718-7", 121.0, "g/L"),
    ("777-3", 310.0, "10*9/L"),
    ("2465-3", 3.1, "g/L"),
    ("19113-0", 0.2, "g/L"),
    ("2472-9", 0.5, "g/L"),
)
Json = dict[str, Any]


def _day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


def _infections() -> tuple[list[Json], list[Json], list[Json]]:
    """Six infections a year (a third recorded again at a follow-up), their visits and antibiotics."""
    conditions, encounters, requests = [], [], []
    for n in range(30):
        onset, code = _day(n * 60 + 7), INFECTIONS[n % len(INFECTIONS)]
        visit = encounter(onset, onset, klass="AMB")
        first = condition(code, onset, encounter_id=visit["id"])
        conditions.append(first)
        encounters.append(visit)
        if n % 3 == 0:
            conditions.append(condition(code, onset, recordedDate=_day(n * 60 + 14)))
        if code != "J06.9":
            requests.append(medication_request("amoxicillin", onset, 10, atc="J01CA04", route="26643006"))
        if code == "J18.9":
            stay = encounter(f"{onset}T10:00:00Z", f"{_day(n * 60 + 11)}T10:00:00Z")
            encounters.append(stay)
            requests.append(medication_request("ceftriaxone", onset, 5, atc="J01DD04", route="47625008"))
    return conditions, encounters, requests


def _observations() -> list[Json]:
    """Labs every six months, growth every three, and two vital signs at every visit."""
    found = []
    for half_year in range(10):
        taken = f"{_day(half_year * 182 + 30)}T09:00:00Z"
        found += [observation(loinc, value, unit, taken) for loinc, value, unit in LABS]
    for quarter in range(20):
        day = _day(quarter * 91 + 20)
        found += [
            observation("29463-7", 12.0 + quarter * 0.5, "kg", day, category="vital-signs"),
            observation("8302-2", 85.0 + quarter * 1.5, "cm", day, category="vital-signs"),
        ]
    for visit in range(50):
        day = _day(visit * 36 + 5)
        found += [
            observation("8867-4", 96, "/min", day, category="vital-signs"),
            observation("8310-5", 37.9, "Cel", day, category="vital-signs"),
        ]
    return found


def five_year_history() -> Json:
    """The prefetch of a synthetic child born five and a half years ago."""
    conditions, encounters, requests = _infections()
    conditions.append(condition("J45.909", _day(400), display="Asthma"))
    encounters += [encounter(_day(n * 180), _day(n * 180), klass="AMB") for n in range(10)]
    requests += [
        medication_request("budesonide", _day(400 + n * 90), 90, status="completed") for n in range(18)
    ]
    return prefetch(
        the_patient=patient(birth=(START - timedelta(days=180)).isoformat()),
        conditions=tuple(conditions),
        encounters=tuple(encounters),
        medication_requests=tuple(requests),
        observations=tuple(_observations()),
    )


def _parse_only(prefetched: Json) -> None:
    """What the door does before mapping: every resource checked, the ones it uses validated."""
    read_resource(prefetched["patient"], Patient, field="patient")
    read_search(prefetched["conditions"], Condition, field="conditions")
    read_search(prefetched["encounters"], Encounter, field="encounters", unused=unused_encounter)
    read_search(prefetched["medicationRequests"], MedicationRequest, field="medicationRequests")
    read_search(prefetched["observations"], Observation, field="observations", unused=unused_observation)


def _timed(run: Callable[[], object], rounds: int) -> list[float]:
    for _ in range(5):
        run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed calls per measurement")
    arguments = parser.parse_args()
    rounds = arguments.rounds
    prefetched = five_year_history()
    body = json.dumps(cds_request(prefetched)).encode()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            environment=Environment.TEST,
            database_url=f"sqlite:///{folder}/bench.db",
            argon2_time_cost=1,
            argon2_memory_kib=256,
        )  # type: ignore[call-arg]
        ctx = services.build_context(
            settings, clock=FixedClock(datetime(2026, 11, 20, 10, tzinfo=UTC)), migrate=True
        )
        operator = Actor.command_line("bench")
        services.create_user(
            ctx,
            actor=operator,
            data=UserCreate(
                username="ehr", display_name="EHR", role=Role.PHYSICIAN, password="bench-password-1"
            ),
        )
        token, _ = services.create_api_token(ctx, actor=operator, username="ehr", name="bench")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with TestClient(create_app(settings, ctx=ctx)) as client:
            answer = client.post(
                "/cds-services/immunodeficiency-warning-signs", content=body, headers=headers
            )
            assert answer.status_code == 200, answer.text
            post = _timed(
                lambda: client.post(
                    "/cds-services/immunodeficiency-warning-signs", content=body, headers=headers
                ),
                rounds,
            )
            discovery = _timed(lambda: client.get("/cds-services"), rounds)
        parse = _timed(lambda: _parse_only(prefetched), rounds)
        ctx.close()
    counts = {
        key: len((value or {}).get("entry", [])) for key, value in prefetched.items() if key != "patient"
    }
    print(f"synthetic 5-year history: {counts}; request {len(body) / 1024:.0f} KiB; {rounds} rounds")
    print(f"cards: {[card['summary'] for card in answer.json()['cards']]}")
    rows = (("POST patient-view", post), ("GET discovery", discovery), ("FHIR parsing only", parse))
    p50_post, p95_post = _percentiles(post)
    for name, times in rows:
        p50, p95 = _percentiles(times)
        print(f"{name:<20} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   POST/this p95 {p95_post / p95:6.1f}x")
    print(f"p95 target 200 ms: {'met' if p95_post < 200 else 'NOT met'} (p50 {p50_post:.1f} ms)")


if __name__ == "__main__":
    main()
