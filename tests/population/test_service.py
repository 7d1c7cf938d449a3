"""The Population page's service with its real runner: open_source then screen, in the background."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from immunocare.knowledge import KnowledgeBase
from immunocare.services import Actor, FixedClock, build_context, list_audit_entries
from immunocare.services.population import PopulationScreens
from immunocare.store import Role
from tests.conftest import NOW, make_settings


def test_the_real_runner_screens_a_configured_parquet_folder_and_audits_it(
    sqlite_url: str, kb: KnowledgeBase, tiny_folder: Path
) -> None:
    settings = make_settings(sqlite_url, population_sources={"tiny": str(tiny_folder)})
    context = build_context(settings, clock=FixedClock(NOW), kb=kb)
    screens = PopulationScreens()
    actor = Actor("dr-who", Role.PHYSICIAN, client="test")
    try:
        run = screens.start(context, actor=actor, source="tiny", engine="duckdb", as_of=date(2024, 1, 1))
        for _ in range(600):
            run = screens.get(context, actor=actor, run_id=run.id)
            if run.finished:
                break
            time.sleep(0.1)
        assert run.error is None and run.result is not None, run.error
        assert run.result.ranked["person_id"].tolist() == [6, 1, 7]
        assert run.result.persons_screened == 8 and "<svg" in run.report
        outcomes = [
            (e.action, e.outcome)
            for e in list_audit_entries(context, actor=Actor.command_line("test"))
            if e.username == "dr-who"
        ]
        assert ("screen_population", "ok") in outcomes
    finally:
        screens.close()
        context.close()
