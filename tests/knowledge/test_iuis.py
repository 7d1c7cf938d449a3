"""The IUIS classification in the knowledge base: both editions, look-ups and integrity."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from immunocare.errors import KnowledgeBaseError, NotFoundError
from immunocare.knowledge import KnowledgeBase, builtin_data, load_knowledge_base
from immunocare.knowledge.topics.iuis import Inheritance, IuisEntry, IuisIndex, LabPattern

AD, AR, XL = Inheritance.AD, Inheritance.AR, Inheritance.XL


@pytest.fixture(scope="module")
def index(kb: KnowledgeBase) -> IuisIndex:
    return IuisIndex.from_kb(kb)


def _entry(index: IuisIndex, entry_id: str) -> IuisEntry:
    return next(entry for entry in index.entries if entry.id == entry_id)


@pytest.mark.parametrize(
    ("edition", "rows", "genes"),
    [pytest.param(2022, 505, 441, id="iuis-2022"), pytest.param(2024, 582, 498, id="iuis-2024")],
)
def test_each_edition_has_every_spreadsheet_row_and_its_single_genes(
    index: IuisIndex, edition: int, rows: int, genes: int
) -> None:
    assert sum(entry.edition == edition for entry in index.entries) == rows
    assert len(index.single_genes(edition=edition)) == genes


@pytest.mark.parametrize(
    ("edition", "per_table"),
    [
        pytest.param(2022, (65, 68, 42, 51, 42, 71, 53, 26, 39), id="iuis-2022-ikbkg-variant-row-counted"),
        pytest.param(2024, (72, 78, 44, 70, 46, 81, 64, 26, 41), id="iuis-2024"),
    ],
)
def test_single_genes_per_table_match_the_provenance_counts(
    index: IuisIndex, edition: int, per_table: tuple[int, ...]
) -> None:
    counts = tuple(
        len({e.genes[0] for e in index.entries if e.edition == edition and e.table == t and e.single_gene})
        for t in range(1, 10)
    )
    assert counts == per_table


@pytest.mark.parametrize(
    ("gene", "edition", "tables"),
    [
        pytest.param("BTK", 2024, (3,), id="xla-btk-predominantly-antibody"),
        pytest.param("BTK", 2022, (3,), id="xla-btk-2022"),
        pytest.param("IL2RG", 2024, (1,), id="common-gamma-chain-scid"),
        pytest.param("CYBB", 2024, (5, 6), id="cgd-and-macrophage-gp91phox"),
        pytest.param("STAT3", 2024, (2, 4), id="stat3-hies-and-gof"),
        pytest.param("CARD11", 2024, (1, 2, 3), id="card11-three-tables"),
        pytest.param("FAS", 2024, (4,), id="alps-fas-printed-tnfrsf6"),
        pytest.param("C4B", 2024, (8,), id="complete-c4-two-gene-row"),
        pytest.param("DOCK11", 2022, (), id="dock11-new-in-2024"),
    ],
)
def test_tables_of_a_gene(index: IuisIndex, gene: str, edition: int, tables: tuple[int, ...]) -> None:
    assert index.tables_of_gene(gene, edition=edition) == tables


@pytest.mark.parametrize(
    ("gene", "disease", "edition", "modes"),
    [
        pytest.param("BTK", None, 2024, (XL,), id="xla-x-linked"),
        pytest.param("IL2RG", None, 2024, (XL,), id="scid-il2rg-x-linked"),
        pytest.param(
            "STAT3", "AD-HIES Job syndrome", 2024, (Inheritance.AD_LOF, Inheritance.AD_DN), id="hies-lof-dn"
        ),
        pytest.param("STAT3", "AD-HIES Job syndrome", 2022, (Inheritance.AD_LOF,), id="hies-2022-lof"),
        pytest.param("STAT3", "STAT3 GOF mutation", 2024, (Inheritance.AD_GOF,), id="stat3-gof-2024-column"),
        pytest.param("STAT3", "STAT3 GOF mutation", 2022, (Inheritance.AD_GOF,), id="stat3-gof-2022-printed"),
        pytest.param("TNFRSF13B", "TACI deficiency", 2024, (AD, AR), id="taci-ad-or-ar"),
        pytest.param("ACD", None, 2024, (AD, AR), id="dkca6-two-rows"),
        pytest.param(
            "IKZF1", "IKAROS haplosufficiency", 2024, (Inheritance.AD_LOF,), id="ikaros-haploinsufficiency"
        ),
        pytest.param("BTK", "no such disease", 2024, (), id="unknown-disease"),
    ],
)
def test_inheritance_of_a_gene_disease(
    index: IuisIndex, gene: str, disease: str | None, edition: int, modes: tuple[Inheritance, ...]
) -> None:
    assert index.inheritance_of(gene, disease, edition=edition) == modes


def test_stat3_loss_and_gain_of_function_sit_in_different_tables(index: IuisIndex) -> None:
    by_table = {entry.table: entry for entry in index.entries_for_gene("STAT3")}
    assert not any(mode.gain_of_function for mode in by_table[2].inheritance)
    assert all(mode.gain_of_function for mode in by_table[4].inheritance)
    assert by_table[4].gof_dn_printed == "GOF"


def test_categories_of_cybb_are_the_respiratory_burst_and_msmd_subtables(index: IuisIndex) -> None:
    found = [(c.table, c.subtable, c.title) for c in index.categories_of_gene("CYBB")]
    assert found == [
        (5, 3, "Defects of Respiratory Burst"),
        (6, 1, "Mendelian Susceptibility to mycobacterial disease (MSMD)"),
    ]


@pytest.mark.parametrize(
    ("table", "subtable", "present", "absent"),
    [
        pytest.param(3, 1, "BTK", "IL2RG", id="agammaglobulinemia"),
        pytest.param(1, None, "IL2RG", "BTK", id="table-1-every-subtable"),
        pytest.param(8, None, "CFHR3", "BTK", id="complement-multi-gene-row"),
    ],
)
def test_genes_of_a_table_or_subtable(
    index: IuisIndex, table: int, subtable: int | None, present: str, absent: str
) -> None:
    genes = index.genes_of(table, subtable)
    assert present in genes
    assert absent not in genes


@pytest.mark.parametrize(
    ("disease_part", "edition"),
    [
        pytest.param("22q11.2 deletion", 2024, id="22q11-2024"),
        pytest.param("22q11.2 deletion", 2022, id="22q11-2022"),
    ],
)
def test_a_chromosomal_deletion_is_not_a_single_gene(
    index: IuisIndex, disease_part: str, edition: int
) -> None:
    (entry,) = [e for e in index.entries if e.edition == edition and disease_part in e.disease]
    assert entry.gene_printed == "Large (3Mb) deletion of 22q11.2"
    assert entry.genes == ()
    assert not entry.single_gene


def test_a_two_gene_row_is_found_by_each_gene_but_is_not_single_gene(index: IuisIndex) -> None:
    (entry,) = index.entries_for_gene("C4A")
    assert index.entries_for_gene("C4B") == (entry,)
    assert entry.genes == ("C4A", "C4B")
    assert not entry.single_gene


def test_an_alias_mapped_symbol_is_unverified_and_says_so(index: IuisIndex) -> None:
    entries = index.entries_for_gene("FAS")
    assert {e.gene_printed for e in entries} == {"TNFRSF6"}
    assert all(not e.verified and "UNVERIFIED against HGNC" in (e.note or "") for e in entries)


def test_every_entry_cites_its_edition_at_its_table_and_subtable(index: IuisIndex) -> None:
    source = {2022: "tangye2022", 2024: "iuis2024"}
    for entry in index.entries:
        where = f"Table {entry.table}" + (f", subtable {entry.subtable}" if entry.subtable else "")
        first = entry.citations[0]
        assert (first.source, first.where) == (source[entry.edition], where), entry.id


@pytest.mark.parametrize(
    ("entry_id", "t_cells", "b_cells", "immunoglobulins"),
    [
        pytest.param(
            "iuis2022.3.1.btk",
            LabPattern.NORMAL,
            LabPattern.MARKEDLY_DECREASED,
            LabPattern.MARKEDLY_DECREASED,
            id="xla-2022-no-b-cells",
        ),
        pytest.param(
            "iuis2024.1.1.il2rg",
            LabPattern.MARKEDLY_DECREASED,
            LabPattern.NORMAL_OR_INCREASED,
            LabPattern.DECREASED,
            id="scid-2024-carries-2022-columns",
        ),
    ],
)
def test_laboratory_pattern_columns_come_from_the_2022_table(
    index: IuisIndex, entry_id: str, t_cells: LabPattern, b_cells: LabPattern, immunoglobulins: LabPattern
) -> None:
    entry = _entry(index, entry_id)
    assert (entry.t_cell_count, entry.b_cell_count, entry.immunoglobulin_levels) == (
        t_cells,
        b_cells,
        immunoglobulins,
    )
    assert entry.lab_edition == 2022
    assert "pheniei" in {ref.source for ref in entry.citations}


def test_an_irregular_laboratory_text_is_kept_without_a_pattern(index: IuisIndex) -> None:
    entry = _entry(index, "iuis2022.2.7.ikbkg")
    assert entry.t_cell_count_printed == "Normal or decreased, TCR activation impaired"
    assert entry.t_cell_count is None


def test_category_lookup_names_a_missing_subtable(index: IuisIndex) -> None:
    assert index.category(3, 1).title == "Agammaglobulinemia"
    with pytest.raises(NotFoundError, match=r"IUIS 2024 has no table 3\.9"):
        index.category(3, 9)


def _overlay(tmp_path: Path, entry_id: str, **changes: str) -> Path:
    """An overlay folder with one row: a real entry's row, with changes and a new id."""
    text = (builtin_data() / "iuis" / f"entries_{entry_id[4:8]}.tsv").read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(text), delimiter="\t") if r["id"] == entry_id)
    row |= {"id": f"{entry_id}.site-copy", **changes}
    folder = tmp_path / "iuis"
    folder.mkdir()
    with (folder / "entries_site.tsv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, list(row), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerow(row)
    return tmp_path


def test_an_unchanged_overlay_row_loads_as_a_local_item(tmp_path: Path) -> None:
    kb = load_knowledge_base(overlay_dir=_overlay(tmp_path, "iuis2024.3.1.btk"))
    item = kb.get("iuis2024.3.1.btk.site-copy")
    assert isinstance(item, IuisEntry)
    assert item.local
    assert item.genes == ("BTK",)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        pytest.param({"genes": "Btk"}, "an HGNC gene symbol looks like BTK", id="gene-symbol-does-not-parse"),
        pytest.param({"genes": "BTK;22q11.2"}, "22q11.2: an HGNC gene symbol", id="deletion-as-a-gene"),
        pytest.param({"inheritance": "XQ"}, "inheritance.0: Input should be", id="unknown-inheritance"),
        pytest.param(
            {"table": "10"}, "table: Input should be less than or equal to 9", id="table-10-phenocopies"
        ),
        pytest.param({"table": "0"}, "table: Input should be greater than or equal to 1", id="table-0"),
        pytest.param(
            {"subtable": "9"}, "IUIS 2024 has no table or subtable 3.9", id="subtable-of-table-2-on-table-3"
        ),
        pytest.param({"omim": "30030"}, "an OMIM code looks like", id="five-digit-omim"),
        pytest.param(
            {"t_cell_count_printed": ""}, "t_cell_count is parsed from", id="pattern-without-its-text"
        ),
        pytest.param(
            {"lab_edition": ""}, "lab_edition is set exactly when", id="lab-columns-without-edition"
        ),
        pytest.param({"citations": "iuis2024"}, "citations.0.where", id="citation-without-where"),
    ],
)
def test_a_bad_overlay_row_fails_the_load(tmp_path: Path, changes: dict[str, str], problem: str) -> None:
    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge_base(overlay_dir=_overlay(tmp_path, "iuis2024.3.1.btk", **changes))
    assert problem in str(raised.value)
    assert "iuis2024.3.1.btk.site-copy" in str(raised.value) or "entries_site.tsv#0" in str(raised.value)


@pytest.mark.parametrize(
    ("mode", "pattern", "gain"),
    [
        pytest.param(Inheritance.AR_GOF, "AR", True, id="ar-gof"),
        pytest.param(Inheritance.AD_DN, "AD", False, id="ad-dn"),
        pytest.param(Inheritance.XLR, "XL", False, id="xlr-is-x-linked"),
        pytest.param(Inheritance.XL_GOF, "XL", True, id="xl-gof"),
        pytest.param(Inheritance.SPORADIC, None, False, id="sporadic-has-no-pattern"),
    ],
)
def test_inheritance_vocabulary_pattern(mode: Inheritance, pattern: str | None, gain: bool) -> None:
    assert (mode.pattern, mode.gain_of_function) == (pattern, gain)
