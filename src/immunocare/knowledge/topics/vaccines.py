"""Vaccines by CVX code: live or not, bacterial or viral, what they protect against.

Each item is one code of CDC's CVX (vaccine administered) code set. ``groups`` name the vaccine
families a code belongs to (``measles``, ``influenza``, ``pneumococcal`` …); a
:class:`VaccineSelector` in a vaccination rule picks vaccines by group, by class (live viral, live
bacterial, non-live), by platform or by code.

A code that records a vaccine of unknown formulation (``influenza, unspecified formulation``) has
``formulation_unspecified``; when its family has live and non-live members, ``live`` is false
and ``may_be_live`` is true, so a dose recorded with it can still be flagged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.knowledge._base import KBItem, KBModel, Topic

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "Platform", "Vaccine", "VaccineClass", "VaccineSelector", "possibly_live"]

ORDER = 40

Platform = Literal[
    "live attenuated",
    "live non-replicating",
    "inactivated",
    "subunit",
    "toxoid",
    "polysaccharide",
    "conjugate",
    "mRNA",
    "viral vector",
    "combination",
    "unspecified",
]

VaccineClass = Literal["live", "live_viral", "live_bacterial", "non_live"]

_SEROTYPE = re.compile(r"^\d{1,2}[A-Z]?$")
_GROUP = re.compile(r"^[a-z][a-z0-9_]*$")


class Vaccine(KBItem):
    """A vaccine product class as coded by CDC's CVX code set.

    Attributes:
        cvx: the CDC CVX code.
        cvx_description: CDC's full vaccine name for the code.
        abbreviation: the usual short name (MMR, LAIV, PCV20), when there is one.
        live: a live (replicating) vaccine; for an unspecified formulation, only when every
            formulation the code can stand for is live.
        may_be_live: an unspecified formulation whose family has live members.
        organism: what the vaccine protects against: bacteria, viruses or both.
        platform: how the vaccine is made.
        groups: the vaccine families the code belongs to.
        protects_against: the diseases, in words.
        pneumococcal_serotypes: the serotypes a pneumococcal vaccine covers, for judging a
            polysaccharide challenge only on serotypes a conjugate vaccine did not cover.
        formulation_unspecified: the code records a vaccine of unknown formulation.
    """

    cvx: str = Field(pattern=r"^\d{1,3}$", description="The CDC CVX code.")
    cvx_description: str = Field(min_length=1, description="CDC's full vaccine name.")
    abbreviation: str | None = None
    live: bool = Field(description="Live attenuated (replicating) vaccine.")
    may_be_live: bool = False
    organism: Literal["bacterial", "viral", "bacterial and viral"]
    platform: Platform
    groups: tuple[str, ...] = Field(min_length=1)
    protects_against: tuple[str, ...] = Field(min_length=1, description="Diseases, in words.")
    pneumococcal_serotypes: tuple[str, ...] = Field(
        (), description="Pneumococcal serotypes covered, for judging a polysaccharide challenge."
    )
    formulation_unspecified: bool = False

    @field_validator("groups")
    @classmethod
    def _group_names(cls, groups: tuple[str, ...]) -> tuple[str, ...]:
        for group in groups:
            if not _GROUP.match(group):
                raise ValueError(f"{group!r}: a group name is lowercase letters, digits and _")
        return groups

    @field_validator("pneumococcal_serotypes")
    @classmethod
    def _serotypes(cls, serotypes: tuple[str, ...]) -> tuple[str, ...]:
        for serotype in serotypes:
            if not _SEROTYPE.match(serotype):
                raise ValueError(f"{serotype!r} is not a pneumococcal serotype (e.g. 6B, 19A, 33F)")
        duplicates = [serotype for serotype, count in Counter(serotypes).items() if count > 1]
        if duplicates:
            raise ValueError(f"serotypes listed twice: {', '.join(duplicates)}")
        return serotypes

    @model_validator(mode="after")
    def _consistent(self) -> Vaccine:
        if self.pneumococcal_serotypes and "pneumococcal" not in self.groups:
            raise ValueError("only a vaccine of the pneumococcal group lists pneumococcal serotypes")
        if self.may_be_live and (self.live or not self.formulation_unspecified):
            raise ValueError("may_be_live is for unspecified formulations that are not known to be live")
        return self

    @property
    def live_viral(self) -> bool:
        """A live vaccine against a virus."""
        return self.live and self.organism == "viral"

    @property
    def live_bacterial(self) -> bool:
        """A live vaccine against a bacterium."""
        return self.live and self.organism == "bacterial"


def possibly_live(vaccine: Vaccine) -> bool:
    """Whether a dose recorded with this code may have been a live vaccine."""
    return vaccine.live or vaccine.may_be_live


_CLASS_TESTS: dict[str, Callable[[Vaccine], bool]] = {
    "live": lambda vaccine: vaccine.live,
    "live_viral": lambda vaccine: vaccine.live_viral,
    "live_bacterial": lambda vaccine: vaccine.live_bacterial,
    "non_live": lambda vaccine: not possibly_live(vaccine),
}


class VaccineSelector(KBModel):
    """Which vaccines a rule is about.

    A vaccine is selected when it is in one of ``groups`` or has one of the ``cvx`` codes (or, with
    neither given, any vaccine), is of one of ``classes`` and ``platforms`` when those are given,
    and is not excepted.
    """

    groups: tuple[str, ...] = ()
    cvx: tuple[str, ...] = ()
    classes: tuple[VaccineClass, ...] = ()
    platforms: tuple[Platform, ...] = ()
    except_groups: tuple[str, ...] = ()
    except_cvx: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> VaccineSelector:
        if not (self.groups or self.cvx or self.classes or self.platforms):
            raise ValueError("a vaccine selector needs groups, CVX codes, classes or platforms")
        return self

    def matches(self, vaccine: Vaccine) -> bool:
        """Whether the selector picks ``vaccine``."""
        named = (not self.groups and not self.cvx) or vaccine.cvx in self.cvx or _shares(self.groups, vaccine)
        of_class = not self.classes or any(_CLASS_TESTS[name](vaccine) for name in self.classes)
        of_platform = not self.platforms or vaccine.platform in self.platforms
        excepted = vaccine.cvx in self.except_cvx or _shares(self.except_groups, vaccine)
        return named and of_class and of_platform and not excepted

    def select(self, vaccines: tuple[Vaccine, ...]) -> tuple[Vaccine, ...]:
        """The vaccines the selector picks."""
        return tuple(vaccine for vaccine in vaccines if self.matches(vaccine))


def _shares(groups: tuple[str, ...], vaccine: Vaccine) -> bool:
    return any(group in groups for group in vaccine.groups)


def _duplicate_codes(vaccines: Iterable[Vaccine]) -> list[str]:
    by_code: dict[int, list[Vaccine]] = {}
    for vaccine in vaccines:
        by_code.setdefault(int(vaccine.cvx), []).append(vaccine)
    return [
        f"CVX {same[0].cvx} is used by {', '.join(vaccine.id for vaccine in same)}"
        for same in by_code.values()
        if len(same) > 1
    ]


def _unspecified_liveness(vaccines: tuple[Vaccine, ...]) -> list[str]:
    live_groups = {group for vaccine in vaccines if vaccine.live for group in vaccine.groups}
    problems = []
    for vaccine in vaccines:
        if vaccine.formulation_unspecified and not vaccine.live:
            expected = bool(live_groups.intersection(vaccine.groups))
            if vaccine.may_be_live != expected:
                problems.append(f"{vaccine.id}: may_be_live should be {str(expected).lower()} for its groups")
    return problems


def _cross_check(kb: KnowledgeBase) -> list[str]:
    vaccines = kb.of(Vaccine)
    return _duplicate_codes(vaccines) + _unspecified_liveness(vaccines)


TOPIC = Topic(name="vaccines", title="Vaccines (CVX)", item_type=Vaccine, cross_check=_cross_check)
