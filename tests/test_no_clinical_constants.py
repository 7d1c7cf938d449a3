"""Nothing clinical is hard-coded in src/: thresholds and doses live in knowledge/data with a citation.

The obvious cases are guarded: a number compared against in the reasoning or use-case code, and the
known numbers of the knowledge base (protective titres, conversion factors, dose coefficients)
appearing anywhere in Python source. Unit factors (domain/units.py) are physics, not clinical data.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "immunocare"
REASONING = ("clinical", "services", "population", "interop")
KNOWN_CLINICAL_NUMBERS = {1.3, 1.37, 1.53, 0.07, 45.5, 2.3, 0.15, 6.0, 4.0, 7.0, 0.4, 0.8, 20.0, 400.0}
EXEMPT = {SRC / "domain" / "units.py"}


def numbers_compared(tree: ast.AST) -> list[float]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                if isinstance(operand, ast.Constant) and type(operand.value) in (int, float):
                    found.append(float(operand.value))
    return [n for n in found if n not in (0.0, 1.0, -1.0)]


def known_numbers(tree: ast.AST) -> list[float]:
    return [
        float(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and type(node.value) is float
        and node.value in KNOWN_CLINICAL_NUMBERS
    ]


def python_sources() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if p not in EXEMPT and "migrations" not in p.parts]


@pytest.mark.parametrize("path", python_sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_clinical_number_in_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = known_numbers(tree)
    if path.relative_to(SRC).parts[0] in REASONING:
        problems += numbers_compared(tree)
    assert problems == [], f"move these numbers into knowledge/data with a citation: {problems}"


@pytest.mark.parametrize(
    ("code", "caught"),
    [
        ("if igg < 4:\n    pass", True),
        ("dose = weight * 0.4", True),
        ("ratio = 1.37", True),
        ("if n > 0:\n    pass", False),
    ],
    ids=["igg-threshold", "nba-factor", "conversion-factor", "zero-is-fine"],
)
def test_the_guard_catches_the_obvious_cases(code: str, caught: bool) -> None:
    tree = ast.parse(code)
    assert bool(numbers_compared(tree) or known_numbers(tree)) is caught
