"""Vaccines by CVX code: live or not, bacterial or viral, what they protect against."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from immunocare.knowledge._base import KBItem, Topic

__all__ = ["ORDER", "TOPIC", "Vaccine"]

ORDER = 40


class Vaccine(KBItem):
    """A vaccine product class as coded by CDC's CVX code set."""

    cvx: str = Field(pattern=r"^\d{1,3}$", description="The CDC CVX code.")
    live: bool = Field(description="Live attenuated (replicating) vaccine.")
    organism: Literal["bacterial", "viral", "bacterial and viral"]
    platform: Literal[
        "live attenuated",
        "inactivated",
        "subunit",
        "toxoid",
        "polysaccharide",
        "conjugate",
        "mRNA",
        "viral vector",
        "combination",
    ]
    protects_against: tuple[str, ...] = Field(min_length=1, description="Diseases, in words.")
    pneumococcal_serotypes: tuple[str, ...] = Field(
        (), description="Pneumococcal serotypes covered, for judging a polysaccharide challenge."
    )


TOPIC = Topic(name="vaccines", title="Vaccines (CVX)", item_type=Vaccine)
