"""``immunocare ig plan`` through CliRunner: the printed numbers and their sources, and bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from immunocare.cli import app

ENV = {"IMMUNOCARE_ENVIRONMENT": "test", "COLUMNS": "200"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["ig", "plan", *args], env=ENV)
    return result.exit_code, result.stdout, result.stderr


def test_hizentra_from_ivig_as_json() -> None:
    code, out, err = run(
        "--weight", "70", "--product", "hizentra_us", "--route", "sc",
        "--from-ivig-dose", "40", "--from-ivig-interval-weeks", "4", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    plan = json.loads(out)
    weekly = next(d for d in plan["doses"] if d["label"] == "Weekly Hizentra dose")
    assert weekly["value"] == "13.7 g every 1 wk"
    assert weekly["sources"][0]["item"] == "hizentra_us"
    assert "Highlights: Dose (2.2)" in weekly["sources"][0]["citations"][0]
    assert plan["vial_rounding"][0] == {
        "dose": "13.7 g",
        "down": "13 g: 1 × 10 g, 1 × 2 g, 1 × 1 g",
        "up": "14 g: 1 × 10 g, 1 × 4 g",
    }
    later = next(s for s in plan["schedules"] if s["title"] == "SC, infusions from 2")
    assert {line["label"]: line["value"] for line in later["lines"]}["Sites needed"] == "3"
    every_number = [line for d in (plan["doses"], *(s["lines"] for s in plan["schedules"])) for line in d]
    assert all(line["sources"] for line in every_number)


def test_text_output_shows_both_weights_and_the_sources() -> None:
    code, out, err = run(
        "--weight", "110", "--height", "165", "--sex", "female", "--product", "Privigen", "--route", "iv",
    )  # fmt: skip
    assert code == 0, err
    assert "Actual weight 110 kg; doses below use 110 kg." in out
    assert "78.15 kg" in out and "nba_dose_weight" in out
    assert "Measles exposure" in out and "44 g" in out
    assert "privigen_us: " in out and "not an order" in out


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (["--weight", "0"], "weight", "must be above 0 kg"),
        (["--weight", "500"], "weight", "must be below 300 kg"),
        ([], "weight", "a body weight is needed"),
        (["--weight", "70", "--product", "Hizentr"], "product", "close names: Hizentra"),
        (
            ["--weight", "70", "--from-ivig-dose", "40", "--from-ivig-interval-weeks", "0"],
            "from_ivig_interval_weeks",
            "must be above 0 wk",
        ),
    ],
    ids=["weight-0", "weight-500", "weight-missing", "unknown-product", "interval-0"],
)
def test_bad_input_is_a_clear_error(args: list[str], field: str, message: str) -> None:
    defaults = {"--product": "hizentra_us", "--route": "sc"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    full = [part for key, value in {**defaults, **given}.items() for part in (key, value)]
    code, out, err = run(*full)
    assert code == 1
    assert field in err and message in err
    assert out == ""
