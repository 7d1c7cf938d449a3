"""Code systems and the syntax checks that tell a real code from a typo.

Membership of a code in a curated list (which CVX codes exist, which HPO terms are current) is
the knowledge base's business; this module only checks the form every code of a system has.

>>> loinc_problem("2465-3") is None      # IgG [Mass/volume] in Serum or Plasma
True
>>> loinc_problem("2465-4")
'LOINC check digit should be 3, not 4'
>>> icd10cm_problem("D80.1") is None
True
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "CodeSystem",
    "code_problem",
    "hgnc_symbol_problem",
    "hpo_problem",
    "icd10cm_problem",
    "iuis_category_problem",
    "loinc_problem",
]


class CodeSystem(StrEnum):
    """Terminologies a coded record item may use."""

    ICD10CM = "ICD-10-CM"
    ORPHA = "ORPHA"
    OMIM = "OMIM"
    SNOMED = "SNOMED CT"
    ATC = "ATC"
    RXNORM = "RxNorm"


_LOINC = re.compile(r"^(\d{1,7})-(\d)$")
_ICD10CM = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")
_PATTERNS: dict[CodeSystem, tuple[re.Pattern[str], str]] = {
    CodeSystem.ICD10CM: (_ICD10CM, "an ICD-10-CM code looks like D80.1"),
    CodeSystem.ORPHA: (re.compile(r"^ORPHA:\d{1,7}$"), "an Orphanet code looks like ORPHA:47"),
    CodeSystem.OMIM: (re.compile(r"^(OMIM:)?\d{6}$"), "an OMIM code looks like OMIM:300755"),
    CodeSystem.SNOMED: (re.compile(r"^\d{6,18}$"), "a SNOMED CT concept id is 6 to 18 digits"),
    CodeSystem.ATC: (
        re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$"),
        "an ATC code looks like L01FA01",
    ),
    CodeSystem.RXNORM: (re.compile(r"^\d{1,9}$"), "an RxNorm concept id is digits"),
}
_IUIS_CATEGORY = re.compile(r"^(10|[1-9])(\.\d{1,2})?$")
_HPO = re.compile(r"^HP:\d{7}$")
_HGNC = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*(orf\d+)?$")


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits), start=1):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return (10 - total % 10) % 10


def loinc_problem(code: str) -> str | None:
    """What is wrong with a LOINC code's form (digits, dash, mod-10 check digit), or ``None``."""
    match = _LOINC.match(code)
    if match is None:
        return "a LOINC code looks like 2465-3"
    expected = _luhn_check_digit(match.group(1))
    if expected != int(match.group(2)):
        return f"LOINC check digit should be {expected}, not {match.group(2)}"
    return None


def icd10cm_problem(code: str) -> str | None:
    """What is wrong with an ICD-10-CM code's form, or ``None``."""
    return None if _ICD10CM.match(code) else "an ICD-10-CM code looks like D80.1"


def hpo_problem(term_id: str) -> str | None:
    """What is wrong with an HPO term id's form, or ``None``."""
    return None if _HPO.match(term_id) else "an HPO term id looks like HP:0002721"


def iuis_category_problem(category: str) -> str | None:
    """What is wrong with an IUIS table (1–10) or table.subtable (``3.1``), or ``None``."""
    return (
        None
        if _IUIS_CATEGORY.match(category)
        else "an IUIS category is a table (1–10) or table.subtable, e.g. 3.1"
    )


def hgnc_symbol_problem(symbol: str) -> str | None:
    """What is wrong with an HGNC gene symbol's form, or ``None``."""
    return None if _HGNC.match(symbol) else "an HGNC gene symbol looks like BTK or IL2RG"


def code_problem(system: CodeSystem, code: str) -> str | None:
    """What is wrong with ``code`` as a code of ``system``, or ``None``."""
    pattern, hint = _PATTERNS[system]
    return None if pattern.match(code) else hint
