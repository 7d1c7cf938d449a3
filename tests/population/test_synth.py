"""Synthetic OMOP populations: deterministic, readable by open_source, codes from the knowledge base,
planted persons with their histories; and the ``immunocare population synth`` command."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from immunocare.cli import app
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.case_finding import CaseFindingSign
from immunocare.knowledge.topics.coded_conditions import InfectionCodes
from immunocare.knowledge.topics.ig_dosing import DiagnosisCodes
from immunocare.population.sources import open_source, require_columns
from immunocare.population.synth import SynthRates, synthesize

AS_OF = date(2026, 11, 30)
TABLES = (
    "person",
    "observation_period",
    "visit_occurrence",
    "condition_occurrence",
    "drug_exposure",
    "measurement",
)
SMALL = SynthRates(chunk_persons=150)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Path:
    out = tmp_path_factory.mktemp("synth") / "omop"
    synthesize(400, out, seed=3, as_of=AS_OF, rates=SMALL, kb=kb)
    return out


def planted(folder: Path) -> dict[str, list[int]]:
    by_profile: dict[str, list[int]] = {}
    with (folder / "planted.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_profile.setdefault(row["profile"], []).append(int(row["person_id"]))
    return by_profile


def rows_of(folder: Path, table: str, person_id: int) -> list[dict[str, object]]:
    data = pq.read_table(folder / f"{table}.parquet")
    return data.filter(pc.equal(data["person_id"], person_id)).to_pylist()


def test_same_seed_same_files_other_seed_other_files(
    tmp_path: Path, kb: KnowledgeBase, population: Path
) -> None:
    synthesize(400, tmp_path / "again", seed=3, as_of=AS_OF, rates=SMALL, kb=kb)
    synthesize(400, tmp_path / "other", seed=4, as_of=AS_OF, rates=SMALL, kb=kb)

    for table in (*TABLES, "concept", "cdm_source"):
        assert pq.read_table(tmp_path / "again" / f"{table}.parquet").equals(
            pq.read_table(population / f"{table}.parquet")
        ), table
    assert (tmp_path / "again" / "planted.csv").read_text() == (population / "planted.csv").read_text()
    assert not pq.read_table(tmp_path / "other" / "condition_occurrence.parquet").equals(
        pq.read_table(population / "condition_occurrence.parquet")
    )


def test_the_population_is_a_valid_cdm_54_source(population: Path) -> None:
    source = open_source(str(population))

    assert source.cdm_version == "5.4"
    require_columns(source, {t: [] for t in (*TABLES, "concept", "concept_ancestor")})
    person = source.table("person").to_pyarrow()
    assert (
        person.num_rows == 400
        and pc.min(person["year_of_birth"]).as_py() >= AS_OF.year - SMALL.max_age_years - 1
    )
    conditions = source.table("condition_occurrence")
    assert conditions.schema()["condition_start_date"].is_date()
    assert conditions.condition_start_date.max().to_pyarrow().as_py() <= AS_OF
    per_person = conditions.count().to_pyarrow().as_py() / 400
    assert 10 < per_person < 60  # a primary-care-like load, see SynthRates


def test_every_code_comes_from_the_knowledge_base(population: Path, kb: KnowledgeBase) -> None:
    icd = {c for item in kb.of(InfectionCodes) for c in item.icd10cm}
    icd |= {c for item in kb.of(DiagnosisCodes) for c in item.icd10_prefixes}
    icd |= {c for item in kb.of(CaseFindingSign) for c in item.concepts.icd10cm}
    snomed = {c for item in kb.of(InfectionCodes) for c in item.snomed}
    concept = pq.read_table(population / "concept.parquet").to_pylist()

    assert {r["concept_code"] for r in concept if r["vocabulary_id"] == "ICD10CM"} <= icd
    assert {r["concept_code"] for r in concept if r["vocabulary_id"] == "SNOMED"} <= snomed
    used = set(
        pq.read_table(population / "condition_occurrence.parquet")["condition_source_value"].to_pylist()
    )
    assert used <= icd | snomed
    assert all(r["concept_id"] > 2_000_000_000 for r in concept)


def test_planted_persons_have_their_histories(population: Path) -> None:
    profiles = planted(population)

    assert sorted(profiles) == sorted(
        [
            "child_recurrent_otitis_pneumonia",
            "adult_cvid_like_sinusitis_pneumonia",
            "cgd_like_abscesses_aspergillosis",
            "scid_like_infant_thrush_pneumonia_sepsis",
            "b_cell_depletion_without_igg",
            "b_cell_depletion_with_igg",
            "already_coded_cvid",
        ]
    )
    child = profiles["child_recurrent_otitis_pneumonia"][0]
    ears = [
        r for r in rows_of(population, "condition_occurrence", child) if r["condition_source_value"] == "H66"
    ]
    assert len(ears) == 5 and all(AS_OF - r["condition_start_date"] < timedelta(days=365) for r in ears)
    person = rows_of(population, "person", child)[0]
    assert AS_OF.year - person["year_of_birth"] < 18

    gap = profiles["b_cell_depletion_without_igg"][0]
    assert [r["drug_source_value"] for r in rows_of(population, "drug_exposure", gap)] == ["rituximab"] * 4
    assert rows_of(population, "measurement", gap) == []
    control = profiles["b_cell_depletion_with_igg"][0]
    assert [r["measurement_source_value"] for r in rows_of(population, "measurement", control)] == ["2465-3"]
    coded = profiles["already_coded_cvid"][0]
    assert "D83" in {r["condition_source_value"] for r in rows_of(population, "condition_occurrence", coded)}
    infant = profiles["scid_like_infant_thrush_pneumonia_sepsis"][0]
    codes = [r["condition_source_value"] for r in rows_of(population, "condition_occurrence", infant)]
    assert codes.count("R62.51") == 1 and "B37.0" in codes


def test_cli_writes_a_population_and_refuses_bad_input(tmp_path: Path) -> None:
    env = {"IMMUNOCARE_ENVIRONMENT": "test", "COLUMNS": "200"}
    out = tmp_path / "cli"
    done = CliRunner().invoke(
        app,
        ["population", "synth", "--persons", "50", "--out", str(out), "--seed", "2", "--as-of", "2026-01-31"],
        env=env,
    )
    assert done.exit_code == 0, done.stderr
    assert "condition_occurrence" in done.stdout and "Planted" in done.stdout
    assert open_source(str(out)).cdm_version == "5.4"

    too_few = CliRunner().invoke(
        app, ["population", "synth", "--persons", "5", "--out", str(tmp_path / "x")], env=env
    )
    assert too_few.exit_code == 1 and "persons" in too_few.stderr
    bad_day = CliRunner().invoke(
        app,
        ["population", "synth", "--persons", "50", "--out", str(tmp_path / "y"), "--as-of", "31/01/2026"],
        env=env,
    )
    assert bad_day.exit_code == 2 and "not a date" in bad_day.stderr
