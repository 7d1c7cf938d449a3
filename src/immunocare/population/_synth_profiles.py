"""Planted patients: typical histories of undiagnosed immunodeficiency, written into a population.

Each :class:`Profile` draws one history: the age, the coded events (kind and days before
``as_of``), the drug courses and the IgG results. The histories are illustrations for measuring
recall, shaped after the classic presentations (recurrent otitis and pneumonia in a child, a
CVID-like adult with sinusitis and pneumonia, CGD-like deep abscesses with aspergillosis, a
SCID-like infant with thrush, pneumonia, sepsis and a coded failure to thrive), not clinical rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = ["PROFILES", "History", "Profile"]

Expect = Literal["to_refer", "surveillance_gap", "already_coded", "control"]


@dataclass
class History:
    """One planted person's coded history, in days before ``as_of``.

    Attributes:
        age_days: age at ``as_of`` in days.
        conditions: (event kind, days before as_of).
        drugs: (drug key, days before as_of, days supply).
        igg: (days before as_of, value in g/L).
    """

    age_days: int
    conditions: list[tuple[str, int]] = field(default_factory=list)
    drugs: list[tuple[str, int, int]] = field(default_factory=list)
    igg: list[tuple[int, float]] = field(default_factory=list)

    def infections(self, kind: str, days: np.ndarray, course: str | None, supply: int) -> None:
        """Add one ``kind`` episode on each of ``days``, each treated with ``course`` if given."""
        for day in sorted(int(d) for d in days):
            self.conditions.append((kind, day))
            if course is not None:
                self.drugs.append((course, day, supply))


@dataclass(frozen=True)
class Profile:
    """A kind of planted patient: its name, what a screen should make of it, and its history.

    Attributes:
        name: written to planted.csv.
        expect: where a screen should list the person.
        draw: the history of one person, from the generator.
    """

    name: str
    expect: Expect
    draw: Callable[[np.random.Generator], History]


def _within(rng: np.random.Generator, count: int, first: int, last: int) -> np.ndarray:
    """``count`` distinct days before as_of between ``first`` and ``last``."""
    return rng.choice(np.arange(first, last), size=count, replace=False)


def _child_otitis_pneumonia(rng: np.random.Generator) -> History:
    history = History(age_days=int(rng.integers(2 * 365, 9 * 365)))
    history.infections("ear", _within(rng, 5, 10, 330), "azithromycin", 10)
    history.infections("pneumonia", _within(rng, 2, 20, 300), "ceftriaxone", 7)
    return history


def _adult_cvid_like(rng: np.random.Generator) -> History:
    history = History(age_days=int(rng.integers(25 * 365, 55 * 365)))
    history.infections("sinus", _within(rng, 3, 15, 300), "clarithromycin", 14)
    history.infections("pneumonia", _within(rng, 2, 30, 360), "ceftriaxone", 10)
    history.infections("pneumonia", _within(rng, 1, 500, 900), "ceftriaxone", 10)
    return history


def _cgd_like(rng: np.random.Generator) -> History:
    history = History(age_days=int(rng.integers(365, 10 * 365)))
    history.infections("deep_abscess", _within(rng, 2, 30, 700), "ceftriaxone", 21)
    history.infections("skin_abscess", _within(rng, 2, 10, 500), "trimethoprim", 10)
    history.infections("aspergillus", _within(rng, 1, 20, 200), None, 0)
    return history


def _scid_like(rng: np.random.Generator) -> History:
    age = int(rng.integers(120, 300))
    history = History(age_days=age)
    history.infections("thrush", _within(rng, 3, 5, age - 60), None, 0)
    history.infections("viral_pneumonia", _within(rng, 1, 5, 60), None, 0)
    history.infections("sepsis", _within(rng, 1, 1, 30), "ceftriaxone", 10)
    history.conditions.append(("failure_to_thrive", int(_within(rng, 1, 30, age - 30)[0])))
    return history


def _rituximab(rng: np.random.Generator, *, igg_measured: bool) -> History:
    history = History(age_days=int(rng.integers(45 * 365, 75 * 365)))
    start = int(rng.integers(200, 700))
    history.drugs += [("rituximab", start - week * 7, 1) for week in range(4)]
    if igg_measured:
        history.igg.append((start - 60, round(float(rng.normal(9, 1.5)), 1)))
    return history


def _already_coded_cvid(rng: np.random.Generator) -> History:
    history = History(age_days=int(rng.integers(20 * 365, 60 * 365)))
    history.infections("pneumonia", _within(rng, 2, 30, 700), "ceftriaxone", 10)
    history.conditions.append(("cvid", int(rng.integers(10, 400))))
    history.igg.append((int(rng.integers(400, 800)), round(float(rng.uniform(1, 3)), 1)))
    return history


PROFILES: tuple[Profile, ...] = (
    Profile("child_recurrent_otitis_pneumonia", "to_refer", _child_otitis_pneumonia),
    Profile("adult_cvid_like_sinusitis_pneumonia", "to_refer", _adult_cvid_like),
    Profile("cgd_like_abscesses_aspergillosis", "to_refer", _cgd_like),
    Profile("scid_like_infant_thrush_pneumonia_sepsis", "to_refer", _scid_like),
    Profile("b_cell_depletion_without_igg", "surveillance_gap", lambda r: _rituximab(r, igg_measured=False)),
    Profile("b_cell_depletion_with_igg", "control", lambda r: _rituximab(r, igg_measured=True)),
    Profile("already_coded_cvid", "already_coded", _already_coded_cvid),
)
"""Every planted kind, in the order they are drawn."""
