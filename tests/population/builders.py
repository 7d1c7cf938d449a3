"""Hand-built screen results for the report and the Population page.

The report and the page only read a ``ScreenResult``; they are tested on results built here from
small pandas frames with the columns ``screen`` gives (the screen itself is tested on real data in
test_screen.py and test_engines.py).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd

from immunocare.population.screen import ScreenResult, SignDefinition

__all__ = ["SIGNS", "ScreenResult", "SignDefinition", "make_result", "person"]

SIGNS = (
    SignDefinition("otitis_media", "Otitis media", 1.0, True, ("jmf_10_warning_signs",)),
    SignDefinition("pneumonia", "Pneumonia", 2.0, True, ("jmf_10_warning_signs",)),
    SignDefinition("deep_abscess", "Deep-seated abscess", 3.0, False, ("jmf_10_warning_signs",)),
)
_TITLES = {s.id: s.title for s in SIGNS}
_WEIGHTS = {s.id: s.weight for s in SIGNS}


def person(person_id: int, **signs: int) -> dict[str, Any]:
    """One ranked row: ``person(7, pneumonia=2)`` met pneumonia twice (score from the weights)."""
    entries = [
        {
            "sign": sign,
            "title": _TITLES[sign],
            "count": count,
            "first": "2025-02-01",
            "last": "2026-03-15",
            "codes": ["J18.9", "4306655"],
        }
        for sign, count in signs.items()
    ]
    reasons = "; ".join(f"{_TITLES[sign]}: {count} episodes in 12 months" for sign, count in signs.items())
    score = sum(_WEIGHTS[sign] for sign in signs)
    return {
        "person_id": person_id,
        "score": score,
        "n_signs": len(signs),
        "signs": json.dumps(entries),
        "reasons": reasons,
    }


def make_result(rows: list[dict[str, Any]] | None = None, **overrides: Any) -> ScreenResult:
    """A result over ``rows`` (ranked as the contract says), with a gap list and an already-coded list."""
    ranked = pd.DataFrame(
        rows if rows is not None else [person(11, deep_abscess=1, pneumonia=2), person(5, pneumonia=2)],
        columns=["person_id", "score", "n_signs", "signs", "reasons"],
    ).astype({"person_id": "int64", "score": "float64", "n_signs": "int64", "signs": str, "reasons": str})
    threshold = overrides.pop("threshold", 3.0)
    ranked.insert(3, "to_refer", ranked["score"] >= threshold)
    ranked = ranked.sort_values(["score", "person_id"], ascending=[False, True], ignore_index=True)
    values: dict[str, Any] = {
        "as_of": date(2026, 11, 1),
        "engine": "duckdb",
        "source": "DuckDB file synthetic.duckdb",
        "kb_version": "2026.11-test",
        "persons_screened": 2694,
        "threshold": threshold,
        "signs": SIGNS,
        "ranked": ranked,
        "already_coded": pd.DataFrame(
            {"person_id": [42], "first_date": [date(2019, 5, 2)], "codes": ["D80.1, 4138498"]}
        ),
        "surveillance_gap": pd.DataFrame(
            {
                "person_id": [77],
                "exposure": ["B-cell-depleting therapy"],
                "first_date": [date(2024, 1, 9)],
                "codes": ["1657"],
            }
        ),
        "notices": ("no concept_ancestor: standard concepts matched without descendants",),
    }
    return ScreenResult(**(values | overrides))
