"""``immunocare differential``: one case, a batch, phenopackets, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from immunocare.cli import app

ENV = {"IMMUNOCARE_ENVIRONMENT": "test"}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["differential", *args], env=ENV)
    return result.exit_code, result.output


def test_one_case_lists_ranked_diseases_the_panel_and_the_hpo_release() -> None:
    code, output = run("--hpo", "HP:0002724,HP:0002240", "--top", "3")
    assert code == 0, output
    assert "1. OMIM:" in output and "CYBA" in output
    assert "# IUIS 2024 5.3" in output
    assert "Human Phenotype Ontology (version" in output


def test_a_batch_writes_one_line_per_case_and_reports_unknown_terms(tmp_path: Path) -> None:
    cases = tmp_path / "in.jsonl"
    cases.write_text(
        json.dumps(
            {"id": "a", "sex": "MALE", "age": "P3Y", "observed_hpo": ["HP:0004432"], "excluded_hpo": []}
        )
        + "\n\n"
        + json.dumps({"id": "b", "sex": None, "age": None, "observed_hpo": ["HP:9999999", "HP:0002724"]})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    code, output = run("--batch", str(cases), "--out", str(out), "--top", "4")
    assert code == 0, output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert set(lines[0]) == {"id", "genes", "diseases", "scores"}
    assert len(lines[0]["diseases"]) == len(lines[0]["scores"]) == 4
    assert lines[0]["scores"] == sorted(lines[0]["scores"], reverse=True)
    assert "HP:9999999" in output
    assert "Human Phenotype Ontology (version" in output


def test_a_phenopacket_saved_by_one_run_is_read_by_the_next(tmp_path: Path) -> None:
    packet = tmp_path / "pp.json"
    code, _ = run(
        "--hpo",
        "HP:0002724",
        "--excluded",
        "HP:0010976",
        "--sex",
        "FEMALE",
        "--save-phenopacket",
        str(packet),
    )
    assert code == 0
    saved = json.loads(packet.read_text(encoding="utf-8"))
    assert saved["metaData"]["phenopacketSchemaVersion"] == "2.0"
    assert saved["phenotypicFeatures"][1] == {
        "type": {"id": "HP:0010976", "label": "Decreased total B cell count"},
        "excluded": True,
    }
    code, output = run("--phenopacket", str(packet), "--top", "1")
    assert code == 0 and "1 excluded" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("--hpo", "HP:0002724", "--sex", "X"), "--sex", id="bad-sex"),
        pytest.param(("--hpo", "HP:0002724", "--age", "two"), "--age", id="bad-age"),
        pytest.param(
            (
                "--excluded",
                "HP:0002724",
            ),
            "--hpo",
            id="no-observed-term",
        ),
    ],
)
def test_bad_input_names_the_option(args: tuple[str, ...], message: str) -> None:
    code, output = run(*args)
    assert code != 0 and message in output


def test_a_malformed_batch_line_names_its_line(tmp_path: Path) -> None:
    cases = tmp_path / "in.jsonl"
    cases.write_text('{"id": "a", "observed_hpo": ["HP:0004432"]}\n{"id": "b", "observed_hpo": "HP:1"}\n')
    code, output = run("--batch", str(cases), "--out", str(tmp_path / "out.jsonl"))
    assert code == 1 and "line 2: observed_hpo" in output
