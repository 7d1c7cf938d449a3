"""Population screens as a use case: who may run them, what is audited, and the sources setting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from immunocare.config import Settings
from immunocare.errors import ConfigurationError, PermissionDeniedError
from immunocare.knowledge import KnowledgeBase
from immunocare.services import Actor, FixedClock, ServiceContext, build_context, list_audit_entries
from immunocare.services.population import PopulationScreens
from immunocare.store import Role
from tests.conftest import NOW, make_settings
from tests.population.builders import ScreenResult, make_result


def _runner(
    spec: str, *, engine: str, kb: KnowledgeBase, as_of: date, memory_limit: str | None
) -> ScreenResult:
    return make_result(as_of=as_of, engine=engine)


@pytest.fixture
def population_ctx(sqlite_url: str, kb: KnowledgeBase) -> Iterator[ServiceContext]:
    settings = make_settings(sqlite_url, population_sources={"eunomia": "/data/GiBleed.duckdb"})
    context = build_context(settings, clock=FixedClock(NOW), kb=kb)
    yield context
    context.close()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.PHYSICIAN, True),
        (Role.RESEARCHER, True),
        (Role.NURSE, False),
        (Role.PATIENT, False),
    ],
    ids=lambda value: str(getattr(value, "value", value)),
)
def test_who_may_run_a_screen(population_ctx: ServiceContext, role: Role, allowed: bool) -> None:
    actor = Actor(f"user-{role.value}", role, patient_id=1 if role is Role.PATIENT else None, client="test")
    screens = PopulationScreens(_runner)
    try:
        if allowed:
            assert screens.sources(population_ctx, actor=actor) == ["eunomia"]
        else:
            with pytest.raises(PermissionDeniedError):
                screens.start(
                    population_ctx, actor=actor, source="eunomia", engine="duckdb", as_of=date(2026, 1, 1)
                )
            entry = list_audit_entries(population_ctx, actor=Actor.command_line("test"))[0]
            assert (entry.action, entry.outcome, entry.username) == (
                "screen_population",
                "denied",
                actor.username,
            )
    finally:
        screens.close()


def test_sources_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "IMMUNOCARE_POPULATION_SOURCES", '{"warehouse": "postgresql://reader@db/omop?schema=cdm"}'
    )
    assert Settings().population_sources == {"warehouse": "postgresql://reader@db/omop?schema=cdm"}

    monkeypatch.setenv("IMMUNOCARE_POPULATION_SOURCES", '{"warehouse": " "}')
    with pytest.raises(ConfigurationError, match="source 'warehouse' needs a name and a spec"):
        Settings()


def test_a_run_screens_within_the_configured_memory_limit(sqlite_url: str, kb: KnowledgeBase) -> None:
    limits: list[str | None] = []

    def runner(
        spec: str, *, engine: str, kb: KnowledgeBase, as_of: date, memory_limit: str | None
    ) -> ScreenResult:
        limits.append(memory_limit)
        return make_result(as_of=as_of, engine=engine)

    settings = make_settings(
        sqlite_url, population_sources={"eunomia": "/data/GiBleed.duckdb"}, population_memory_limit="2GB"
    )
    context = build_context(settings, clock=FixedClock(NOW), kb=kb)
    screens = PopulationScreens(runner)
    actor = Actor("physician", Role.PHYSICIAN, client="test")
    try:
        run = screens.start(context, actor=actor, source="eunomia", engine="duckdb", as_of=date(2026, 1, 1))
        deadline = time.monotonic() + 20
        while not screens.get(context, actor=actor, run_id=run.id).finished and time.monotonic() < deadline:
            time.sleep(0.05)
        assert screens.get(context, actor=actor, run_id=run.id).state.value == "done"
        assert limits == ["2GB"]
    finally:
        screens.close()
        context.close()


def test_the_memory_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMMUNOCARE_POPULATION_MEMORY_LIMIT", "3GiB")
    assert Settings().population_memory_limit == "3GiB"

    monkeypatch.setenv("IMMUNOCARE_POPULATION_MEMORY_LIMIT", "lots")
    with pytest.raises(
        ConfigurationError, match="IMMUNOCARE_POPULATION_MEMORY_LIMIT: 'lots' is not an amount"
    ):
        Settings()
