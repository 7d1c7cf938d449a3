"""The command line through CliRunner, on a real SQLite file: the set-up path a new user takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from immunocare.cli import app


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "IMMUNOCARE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "IMMUNOCARE_ENVIRONMENT": "test",
        "IMMUNOCARE_ARGON2_TIME_COST": "1",
        "IMMUNOCARE_ARGON2_MEMORY_KIB": "256",
    }


def run(env: dict[str, str], *args: str, input: str | None = None) -> tuple[int, str]:  # noqa: A002
    result = CliRunner().invoke(app, list(args), env=env, input=input)
    return result.exit_code, result.output


def test_upgrade_demo_export_import_and_audit(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade")[0] == 0

    code, output = run(env, "demo")
    assert code == 0, output
    assert "patients created" in output and "physician-demo-pass" in output
    assert "0 patients created" in run(env, "demo")[1]  # loading twice changes nothing

    code, output = run(env, "record", "export", "6")
    assert code == 0, output
    document = json.loads(output)
    assert document["patient"]["mrn"] == "DEMO-0006"
    document["patient"]["mrn"] = "COPY-0006"
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(document), encoding="utf-8")

    code, output = run(env, "record", "import", str(copy))
    assert code == 0, output
    assert "MRN COPY-0006" in output

    code, output = run(env, "audit", "--action", "import")
    assert code == 0 and "import" in output


def test_import_reports_every_problem_and_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "patient": {
                    "mrn": "BAD-1",
                    "family_name": "Doe",
                    "given_names": "Jo",
                    "birth_date": "2010-01-01",
                    "sex": "female",
                },
                "infections": [{"onset": "2020-01-05", "end": "2020-01-01", "site": "ear"}],
                "labs": [
                    {
                        "loinc": "2465-3",
                        "analyte": "IgG",
                        "collected_at": "2020-01-01T08:00:00",
                        "value": {"value": 6, "unit": "parsecs"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )

    code, output = run(env, "record", "import", str(bad))

    assert code == 1
    assert "infections.0.end" in output and "labs.0.value.unit" in output
    assert "BAD-1" not in run(env, "record", "export", "1")[1]


def test_users_add_and_list(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")

    code, output = run(
        env,
        "users",
        "add",
        "nina",
        "--role",
        "nurse",
        "--name",
        "Nina Okafor",
        input="a-long-password\na-long-password\n",
    )
    assert code == 0, output
    assert "nina" in run(env, "users", "list")[1]

    code, output = run(
        env, "users", "add", "nina", "--role", "nurse", "--name", "Nina", "--password", "short"
    )
    assert code == 1 and "password" in output


def test_kb_validate_and_export(env: dict[str, str]) -> None:
    code, output = run(env, "kb", "validate")
    assert code == 0, output
    assert "Valid." in output and "unverified" in output

    code, output = run(env, "kb", "export", "--format", "md")
    assert code == 0
    assert output.startswith("# immunocare knowledge base")


def test_production_refuses_the_placeholder_secret(env: dict[str, str]) -> None:
    code, output = run({**env, "IMMUNOCARE_ENVIRONMENT": "production"}, "kb", "validate")

    assert code != 0
    assert "IMMUNOCARE_SECRET_KEY" in output


def test_kb_validate_fails_on_a_bad_site_overlay(env: dict[str, str], tmp_path: Path) -> None:
    overlay = tmp_path / "site"
    (overlay / "analytes").mkdir(parents=True)
    (overlay / "analytes" / "ours.yaml").write_text(
        "items:\n  - {id: ours, title: Our test, loinc: ['2465-3'], unit: furlongs, group: other,\n"
        "     citations: [{source: igg_lab, where: p. 1}], verified: true}\n",
        encoding="utf-8",
    )

    code, output = run({**env, "IMMUNOCARE_KNOWLEDGE_OVERLAY_DIR": str(overlay)}, "kb", "validate")

    assert code == 1
    assert "analytes/ours.yaml#0: unit: 'furlongs' is not a UCUM unit" in output.replace("\n", "")


def test_kb_show_prints_an_item_with_its_sources(env: dict[str, str]) -> None:
    code, output = run(env, "kb", "show", "esid_cvid")

    assert code == 0
    assert "Common variable immunodeficiency" in output and "source: Seidel MG et al. 2019" in output
    assert run(env, "kb", "show", "no_such_item")[0] == 1


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_assess_prints_the_assessment_of_a_record_file(env: dict[str, str]) -> None:
    record = str(EXAMPLES / "cvid-on-home-scig.json")

    code, output = run(env, "assess", record, "--as-of", "2026-11-01", "--format", "json")
    assert code == 0, output
    assessment = json.loads(output)
    sections = {section["key"]: section for section in assessment["sections"]}
    met = [f["title"] for f in sections["classification"]["findings"] if f["status"] == "met"]
    assert met == ["Common variable immunodeficiency disorders (CVID)"]
    assert assessment["kb_version"] and assessment["hpo_release"]

    code, output = run(env, "assess", record, "--as-of", "2026-11-01")
    assert code == 0, output
    assert "Common variable immunodeficiency" in output and "unverified" in output
    assert "Human Phenotype Ontology (version" in output


@pytest.mark.parametrize(
    ("example", "section", "title"),
    [
        pytest.param(
            "xla-on-ivig.json",
            "genetics",
            "Genetically confirmed: BTK deficiency, X-linked agammaglobulinemia (XLA) (IUIS 2024 table 3.1)",
            id="xla-btk-confirmed",
        ),
        pytest.param(
            "cvid-on-home-scig.json", "imaging", "Bronchiectasis (HP:0002110) on imaging", id="cvid-ct"
        ),
    ],
)
def test_assess_includes_imaging_and_genetics(
    env: dict[str, str], example: str, section: str, title: str
) -> None:
    code, output = run(env, "assess", str(EXAMPLES / example), "--as-of", "2026-11-01", "--format", "json")
    assert code == 0, output
    sections = {s["key"]: s for s in json.loads(output)["sections"]}
    met = [f["title"] for f in sections[section]["findings"] if f["status"] == "met"]
    assert title in met


def test_assess_refuses_a_date_that_is_not_one(env: dict[str, str]) -> None:
    code, output = run(env, "assess", str(EXAMPLES / "cvid-on-home-scig.json"), "--as-of", "last tuesday")

    assert code == 2
    assert "YYYY-MM-DD" in output
