"""Derive the IUIS knowledge files from the survey's copies of the IUIS and PhenIEI tables.

Run from the repository root::

    .venv/bin/python scripts/derive_iuis.py [--sources /work/shared/knowledge-sources] [--out DIR]

It reads ``iuis-iei-2022-2024/iuis_iei_2022_2024_entries.tsv`` and
``pheniei-iei-hpo-2022/iei_hpo_2022.tsv`` (refusing files whose SHA-256 differs from the copies
the shipped files were made from) and writes ``categories.tsv``, ``entries_2022.tsv`` and
``entries_2024.tsv`` to ``src/immunocare/knowledge/data/iuis/``. The output is deterministic:
running it again on the same inputs gives the same bytes. Every interpretation it makes (symbol
aliases, inheritance and laboratory vocabularies, the 2022 → 2024 join) is listed in
``data/iuis/PROVENANCE.md`` and, row by row, in each entry's ``note``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from immunocare.knowledge import KBItem
from immunocare.knowledge.topics.iuis import Inheritance, IuisCategory, IuisEntry, LabPattern

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/immunocare/knowledge/data/iuis"
SOURCES = Path("/work/shared/knowledge-sources")
ENTRIES = "iuis-iei-2022-2024/iuis_iei_2022_2024_entries.tsv"
PHENIEI = "pheniei-iei-hpo-2022/iei_hpo_2022.tsv"
SHA256 = {
    ENTRIES: "544e46e32c151a3d794d1ac822bc8dffbc67e1b9f0e225b9f17b34cf2ca30f3a",
    PHENIEI: "baea3a1f32343edde543af88704543718ba5e3fda26973fb3c1c99dffff8342f",
}
SOURCE_OF = {"2022": "tangye2022", "2024": "iuis2024"}

MULTI_GENE = {
    "C4A+C4B": ("C4A", "C4B"),
    "CFHR1 CFHR2. CFHR3 CFHR4 CFHR5": ("CFHR1", "CFHR2", "CFHR3", "CFHR4", "CFHR5"),
}
VARIANT_ROWS = {"IKBKG c. 671+3 G > C": "IKBKG"}
PHENIEI_ALIASES = {"PSEN": "PSEN1"}

INHERITANCE: dict[str, tuple[tuple[str, ...], str | None]] = {
    **{mode.value: ((mode.value,), None) for mode in Inheritance},
    "": ((), None),
    "AR LOF/GOF": (("AR LOF", "AR GOF"), None),
    "AD or AR": (("AD", "AR"), None),
    "AR or AD": (("AR", "AD"), None),
    "AR and digenic": (("AR", "digenic"), None),
    "AD haploinsufficiency": (("AD LOF",), "Haploinsufficiency is read as AD LOF."),
    "AD halploinsufficiency": (("AD LOF",), "'halploinsufficiency' (sic) is read as AD LOF."),
    "AD (1 AR)": (("AD", "AR"), "'AD (1 AR)' is read as AD or AR."),
    "AD rarely AR": (("AD", "AR"), "'AD rarely AR' is read as AD or AR."),
    "AD and various": (("AD",), "'and various' is not parsed: only AD is kept."),
    "XL (females may be affected)": (("XL",), "IUIS notes that females may be affected; parsed as XL."),
    "XL females can be affected": (("XL",), "IUIS notes that females can be affected; parsed as XL."),
    "Sporadic/toxin exposure": (("sporadic",), "'Sporadic/toxin exposure' is parsed as sporadic."),
    "Variable": ((), "IUIS prints 'Variable': no inheritance mode is parsed."),
    "?": ((), "IUIS prints '?': inheritance unknown."),
}
HAPLO_NOTE = (
    "'haplosufficiency' (sic) is taken to mean haploinsufficiency (the 2022 edition prints "
    "'AD haploinsufficiency' for IKZF1) and read as AD LOF."
)
MECHANISMS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "GOF": (("GOF",), None),
    "DN": (("DN",), None),
    "LOF, DN": (("LOF", "DN"), None),
    "LOF GOF": (("LOF", "GOF"), None),
    "haplosufficiency": (("LOF",), HAPLO_NOTE),
    "Haplosufficiency": (("LOF",), HAPLO_NOTE),
}

LAB_WORDS = {
    LabPattern.ABSENT: ("absent", "undetectable"),
    LabPattern.MARKEDLY_DECREASED: ("very low",),
    LabPattern.DECREASED: ("low", "decreased", "reduced", "low number", "neutropenia"),
    LabPattern.NORMAL_OR_DECREASED: (
        "normal to low", "nl to low", "normal or low", "low or normal", "low to normal",
        "decreased or normal", "normal or decreased", "decreased to normal",
    ),
    LabPattern.NORMAL: ("normal", "nl", "normal numbers"),
    LabPattern.NORMAL_OR_INCREASED: ("normal to high", "normal to increased", "normal or increased"),
    LabPattern.INCREASED: ("high", "increased"),
    LabPattern.VARIABLE: ("variable",),
}  # fmt: skip
LAB_PATTERN = {words: pattern for pattern, all_words in LAB_WORDS.items() for words in all_words}
LAB_COLUMNS = {
    "t_cell_count": "T cell count",
    "b_cell_count": "B cell count",
    "immunoglobulin_levels": "Immunoglobulin levels",
    "neutrophil_count": "Neutrophil count",
}
OTHER_CELLS = {"other_affected_cells_printed": "Other affected cells"}
LAB_FIELDS = [field for name in LAB_COLUMNS for field in (f"{name}_printed", name)] + [*OTHER_CELLS]


def columns(schema: type[KBItem]) -> list[str]:
    """The TSV columns of a schema: id and title, its own fields, then verified, note, citations."""
    own = [name for name in schema.model_fields if name not in KBItem.model_fields]
    return ["id", "title", *own, "verified", "note", "citations"]


Row = dict[str, str]


def clean(text: str | None) -> str:
    """Whitespace (NBSP and the Symbol-font space U+F020 included) collapsed; pandas' 'nan' → ''."""
    text = " ".join((text or "").replace("\uf020", " ").split())
    return "" if text == "nan" else text


def read_tsv(path: Path, expected_sha256: str) -> list[Row]:
    """The rows of a source TSV, after checking that it is the copy the shipped files came from."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected_sha256:
        raise SystemExit(f"{path}: sha256 {digest} is not the expected {expected_sha256}")
    with path.open(encoding="utf-8", newline="") as file:
        return [{k: clean(v) for k, v in row.items()} for row in csv.DictReader(file, delimiter="\t")]


def key(*parts: str) -> tuple[str, ...]:
    """A case-insensitive join key."""
    return tuple(part.casefold() for part in parts)


def genes_of(row: Row, pheniei_gene: dict[str, tuple[str, str]]) -> tuple[tuple[str, ...], list[str], bool]:
    """The normalised genes of a row, notes on how they were found, and whether that was verified."""
    printed, symbol, normalised = row["genetic_defect_raw"], row["gene_symbol"], row["hgnc_symbol_normalized"]
    if printed in MULTI_GENE:
        genes = MULTI_GENE[printed]
        return (
            genes,
            [f"The row names several genes ({', '.join(genes)}), split from the printed text."],
            True,
        )
    if printed in VARIANT_ROWS:
        gene = VARIANT_ROWS[printed]
        return (gene,), [f"IUIS prints one {gene} variant ('{printed}'); filed under {gene}."], True
    if symbol in PHENIEI_ALIASES:
        gene = PHENIEI_ALIASES[symbol]
        updated, gene_id = pheniei_gene[symbol]
        assert updated == gene, f"PhenIEI maps {symbol} to {updated}"
        note = (
            f"{symbol}, as printed, is not an HGNC symbol; PhenIEI's UpdatedGene gives {gene} "
            f"(NCBI Gene {gene_id}). UNVERIFIED against HGNC and the IUIS report."
        )
        return (gene,), [note], False
    if not normalised:
        return (), [], True
    if not row["normalization_note"]:
        return (normalised,), [], True
    note = f"IUIS prints {symbol}; a hand-made alias map gives {normalised}, UNVERIFIED against HGNC."
    if symbol in pheniei_gene:
        updated, gene_id = pheniei_gene[symbol]
        agrees = "agrees" if updated == normalised else f"gives {updated}"
        note += f" PhenIEI's UpdatedGene {agrees} (NCBI Gene {gene_id})."
    return (normalised,), [note], False


def parse_inheritance(edition: str, printed: str, gof_dn: str) -> tuple[tuple[str, ...], list[str]]:
    """Modes of :class:`Inheritance` (validated) and notes on any interpretation."""
    if printed not in INHERITANCE or gof_dn not in (*MECHANISMS, ""):
        raise SystemExit(f"IUIS {edition}: no reading for inheritance {printed!r} / GOF-DN {gof_dn!r}")
    modes, note = INHERITANCE[printed]
    notes = [note] if note else []
    if gof_dn:
        mechanisms, mechanism_note = MECHANISMS[gof_dn]
        if len(modes) != 1:
            raise SystemExit(f"IUIS {edition}: GOF/DN {gof_dn!r} on inheritance {printed!r}")
        modes = tuple(f"{modes[0]} {mechanism}" for mechanism in mechanisms)
        notes += [mechanism_note] if mechanism_note else []
    return tuple(Inheritance(mode).value for mode in modes), notes


def parse_omim(printed: str) -> tuple[tuple[str, ...], list[str]]:
    """Six-digit OMIM numbers, and a note on any number left out."""
    numbers = re.findall(r"\d+", printed)
    bad = [number for number in numbers if len(number) != 6]
    note = [f"OMIM printed as '{printed}': {', '.join(bad)} is not a six-digit number and is left out."]
    return tuple(n for n in numbers if len(n) == 6), note if bad else []


def parse_lab(printed: str) -> str:
    """The :class:`LabPattern` of a regular laboratory text, or '' when it is not regular."""
    pattern = LAB_PATTERN.get(printed.casefold().rstrip(".,;"))
    return pattern.value if pattern else ""


def lab_values(rows: list[Row]) -> dict[str, str] | None:
    """The laboratory columns of PhenIEI rows (several when IUIS's one row was split), if they agree."""
    printed = {**{f"{name}_printed": column for name, column in LAB_COLUMNS.items()}, **OTHER_CELLS}
    values = [{field: row[column] for field, column in printed.items()} for row in rows]
    if any(value != values[0] for value in values):
        return None
    lab = values[0]
    if not any(lab.values()):
        return None
    return lab | {name: parse_lab(lab[f"{name}_printed"]) for name in LAB_COLUMNS}


def where(table: str, subtable: str) -> str:
    """``Table N`` or ``Table N, subtable M``."""
    return f"Table {table}" + (f", subtable {subtable}" if subtable else "")


def table_of(text: str) -> str:
    """The number of PhenIEI's "Table N title" / "Subtable N title" text, or ''."""
    match = re.match(r"(?:Sub)?[Tt]able (\d+)", text)
    return match.group(1) if match else ""


def join_pheniei(row: Row, entry: dict[str, str], pheniei: dict[tuple[str, ...], list[Row]]) -> list[Row]:
    """The PhenIEI rows of a 2022 row: same table, subtable, disease, inheritance and gene(s)."""
    place = (row["table_number"], row["subtable_number"], row["disease"], row["inheritance"])
    exact = pheniei.get(key(*place, row["genetic_defect_raw"]), [])
    genes = entry["genes"].split(";")
    if exact or len(genes) < 2:
        return exact
    return [match for gene in genes for match in pheniei.get(key(*place, gene), [])]


def entry_from(row: Row, pheniei_gene: dict[str, tuple[str, str]]) -> dict[str, str]:
    """One entry (before laboratory columns, id and title) from a row of the IUIS TSV."""
    edition = row["iuis_edition"]
    genes, notes, verified = genes_of(row, pheniei_gene)
    gof_dn = row["gof_dn"] if edition == "2024" else ""
    modes, inheritance_notes = parse_inheritance(edition, row["inheritance"], gof_dn)
    omim, omim_notes = parse_omim(row["omim"])
    return {
        "edition": edition,
        "table": row["table_number"],
        "table_title": row["table_title"],
        "subtable": row["subtable_number"],
        "subtable_title": row["subtable_title"],
        "disease": row["disease"],
        "gene_printed": row["genetic_defect_raw"],
        "genes": ";".join(genes),
        "inheritance_printed": row["inheritance"],
        "gof_dn_printed": gof_dn,
        "inheritance": ";".join(modes),
        "omim_printed": row["omim"],
        "omim": ";".join(omim),
        "icd10": row["icd10"],
        "hpo_table": row["hpo_table"],
        "hpo_subtable": row["hpo_subtable"],
        "hpo_extra": row["hpo_extra"],
        "verified": "true" if verified else "false",
        "note": " ".join(notes + inheritance_notes + omim_notes),
        "citations": f"{SOURCE_OF[edition]}={where(row['table_number'], row['subtable_number'])}",
    }


def add_lab(entry: dict[str, str], lab: dict[str, str], citations: Iterable[str], note: str = "") -> None:
    """Put laboratory columns (of the 2022 edition) and their citations on an entry."""
    entry.update(lab, lab_edition="2022")
    entry["citations"] = " | ".join([entry["citations"], *citations])
    entry["note"] = " ".join(filter(None, [entry["note"], note]))


def pheniei_citation(rows: list[Row]) -> str:
    """The citation of the PhenIEI rows the laboratory columns come from."""
    keys = ", ".join(f"'{row['']}'" for row in rows)
    return f"pheniei=data/iei_hpo_2022.tsv, key{'s' if len(rows) > 1 else ''} {keys}"


def same_disease_2022(entry: dict[str, str], entries_2022: list[dict[str, str]]) -> dict[str, str] | None:
    """The one 2022 entry of the same gene(s) and disease, if unambiguous.

    Same disease means the same printed name (case aside), narrowed by inheritance when the name
    is shared; failing that, the same OMIM number(s), table and inheritance.
    """
    same_genes = [e for e in entries_2022 if entry["genes"] and e["genes"] == entry["genes"]]
    by_name = [e for e in same_genes if key(e["disease"]) == key(entry["disease"])]
    if len(by_name) > 1:
        by_name = [e for e in by_name if e["inheritance"] == entry["inheritance"]]
    codes = ("omim", "table", "inheritance")
    by_codes = [e for e in same_genes if entry["omim"] and all(e[name] == entry[name] for name in codes)]
    candidates = by_name or by_codes
    return candidates[0] if len(candidates) == 1 else None


def matches_2024(entries: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """2024 entry id → its 2022 entry, keeping only 2022 entries claimed by one 2024 entry."""
    entries_2022 = [e for e in entries if e["edition"] == "2022"]
    found = {e["id"]: same_disease_2022(e, entries_2022) for e in entries if e["edition"] == "2024"}
    claims = Counter(old["id"] for old in found.values() if old)
    return {new: old for new, old in found.items() if old and claims[old["id"]] == 1}


def slug(text: str, limit: int = 200) -> str:
    """Lowercase words joined by hyphens, cut at a word boundary to at most ``limit`` characters."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    kept = [word for index, word in enumerate(words) if len("-".join(words[: index + 1])) <= limit]
    return "-".join(kept or words[:1])


def id_base(entry: dict[str, str]) -> str:
    """``iuis<edition>.<table>[.<subtable>].<genes or disease>``."""
    place = ".".join(filter(None, [entry["table"], entry["subtable"]]))
    name = slug(entry["genes"].replace(";", "-")) or slug(entry["disease"], 48)
    return f"iuis{entry['edition']}.{place}.{name}"


def assign_ids(entries: list[dict[str, str]]) -> None:
    """Readable unique ids (``iuis2024.3.1.btk``) and titles, in place.

    Rows sharing a base id get the inheritance (``.ad``, ``.ar``) when that tells them apart,
    else the disease.
    """
    groups: dict[str, list[dict[str, str]]] = {}
    for entry in entries:
        groups.setdefault(id_base(entry), []).append(entry)
        entry["title"] = f"{entry['disease']} — {entry['gene_printed']} (IUIS {entry['edition']})"
    for base, group in groups.items():
        modes = Counter(slug(e["inheritance"]) or "unknown" for e in group)
        for entry in group:
            mode, disease = slug(entry["inheritance"]) or "unknown", slug(entry["disease"], 40)
            suffix = mode if modes[mode] == 1 else disease
            entry["id"] = base if len(group) == 1 else f"{base}.{suffix}"
    duplicates = [name for name, n in Counter(e["id"] for e in entries).items() if n > 1]
    if duplicates:
        raise SystemExit(f"ids not unique: {duplicates}")


def categories(rows: list[Row]) -> list[dict[str, str]]:
    """Every table and subtable of each edition, titled by the title most rows print."""
    titles: dict[tuple[str, str, str], Counter[str]] = {}
    for row in rows:
        edition, table, sub = row["iuis_edition"], row["table_number"], row["subtable_number"]
        titles.setdefault((edition, table, ""), Counter())[row["table_title"]] += 1
        if sub:
            titles.setdefault((edition, table, sub), Counter())[row["subtable_title"]] += 1
    found = []
    for (edition, table, sub), counter in sorted(
        titles.items(), key=lambda i: (i[0][0], int(i[0][1]), i[0][2])
    ):
        title, *others = [text for text, _ in sorted(counter.items(), key=lambda i: (-i[1], i[0]))]
        found.append(
            {
                "id": f"iuis{edition}.{table}" + (f".{sub}" if sub else ""),
                "title": title,
                "edition": edition,
                "table": table,
                "subtable": sub,
                "verified": "true",
                "note": f"Also printed as: {' / '.join(others)}." if others else "",
                "citations": f"{SOURCE_OF[edition]}={where(table, sub)}",
            }
        )
    return found


def sort_key(entry: dict[str, str]) -> tuple[str | int, ...]:
    """Edition, table, subtable, genes, disease and printed inheritance."""
    place = (int(entry["table"]), int(entry["subtable"] or 0))
    return entry["edition"], *place, entry["genes"], entry["disease"], entry["inheritance_printed"]


def derive(sources: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Categories and entries (both editions) from the source files."""
    rows = read_tsv(sources / ENTRIES, SHA256[ENTRIES])
    pheniei_rows = read_tsv(sources / PHENIEI, SHA256[PHENIEI])
    pheniei_gene = {row["Gene"]: (row["UpdatedGene"], row["GeneID"]) for row in pheniei_rows}
    pheniei: dict[tuple[str, ...], list[Row]] = {}
    for row in pheniei_rows:
        place = (table_of(row["Major category"]), table_of(row["Subcategory"]), row["Disease"])
        pheniei.setdefault(key(*place, row["Inheritance"], row["Gene"]), []).append(row)
    entries = [entry_from(row, pheniei_gene) for row in rows]
    for row, entry in zip(rows, entries, strict=True):
        joined = join_pheniei(row, entry, pheniei) if entry["edition"] == "2022" else []
        lab = lab_values(joined) if joined else None
        if lab:
            add_lab(entry, lab, [pheniei_citation(joined)])
    entries.sort(key=sort_key)
    assign_ids(entries)
    earlier = matches_2024(entries)
    for entry in entries:
        old = earlier.get(entry["id"])
        if old and old.get("lab_edition"):
            note = f"Laboratory columns from the IUIS 2022 entry {old['id']}; the 2024 ones were not read."
            add_lab(entry, {name: old[name] for name in LAB_FIELDS}, old["citations"].split(" | "), note)
    return categories(rows), entries


def write(path: Path, names: list[str], rows: list[dict[str, str]]) -> None:
    """A TSV with a header, Unix line ends and only the given columns."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, names, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Parse the arguments, derive, write and print the counts."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=Path, default=SOURCES)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    cats, entries = derive(args.sources)
    write(args.out / "categories.tsv", columns(IuisCategory), cats)
    for edition in SOURCE_OF:
        rows = [e for e in entries if e["edition"] == edition]
        write(args.out / f"entries_{edition}.tsv", columns(IuisEntry), rows)
        single = {e["genes"] for e in rows if e["genes"] and ";" not in e["genes"]}
        with_lab = sum(1 for e in rows if e.get("lab_edition"))
        print(
            f"{edition}: {len(rows)} entries, {len(single)} single genes, {with_lab} with laboratory columns"
        )
    print(f"{len(cats)} categories")


if __name__ == "__main__":
    main()
