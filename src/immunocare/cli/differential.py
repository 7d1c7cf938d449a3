"""``immunocare differential``: rank inborn errors of immunity from HPO terms, one case or a batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from immunocare.clinical.differential import (
    Differential,
    DifferentialMode,
    PhenotypeQuery,
    gene_panel,
    model_for,
    rank,
)
from immunocare.interop.phenopackets import export_phenopacket, import_phenopacket
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.iuis import IuisIndex
from immunocare.services.differential import parse_age, parse_sex, rank_batch

from ._common import console, error_console, errors, state

__all__ = ["differential_command"]


class Mode(StrEnum):
    """Which diseases to rank."""

    IEI = "iei"
    ALL = "all"


def _ids(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _print(kb: KnowledgeBase, result: Differential) -> None:
    for issue in result.issues:
        replaced = f", replaced by {issue.replaced_by}" if issue.replaced_by else ", left out"
        error_console.print(f"[yellow]{issue.term}[/]: {issue.problem}{replaced}")
    console.print(
        f"[bold]Differential ({result.mode}): {len(result.observed)} observed, "
        f"{len(result.excluded)} excluded terms[/]"
    )
    for ranked in result.ranked:
        genes = ", ".join(ranked.candidate.genes) or "no gene linked"
        console.print(
            f"{ranked.rank:>3}. [bold]{ranked.candidate.id}[/] {ranked.candidate.name} — {genes} "
            f"(log10 LR {ranked.log10_ratio:.2f}, post-test {ranked.probability:.1%})",
            highlight=False,
        )
        console.print(f"     {ranked.explanation()}", highlight=False)
    console.print("")
    for line in gene_panel(result, IuisIndex.from_kb(kb)).lines():
        console.print(line, highlight=False)
    console.print("", kb.hpo.acknowledgement, highlight=False)


def _batch(kb: KnowledgeBase, mode: DifferentialMode, batch: Path, out: Path, top: int) -> None:
    model = model_for(kb, mode)
    count = 0
    with batch.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as sink:
        for result in rank_batch(model, lines, top=top):
            sink.write(json.dumps(result.line, ensure_ascii=False) + "\n")
            count += 1
            for issue in result.issues:
                error_console.print(
                    f"case {result.line['id']}: {issue.term}: {issue.problem}", highlight=False
                )
    console.print(f"{count} cases ranked into {out} (HPO {kb.hpo.release}).", highlight=False)
    console.print(kb.hpo.acknowledgement, highlight=False)


def differential_command(
    ctx: typer.Context,
    hpo: Annotated[str | None, typer.Option(help="Observed HPO ids, comma-separated.")] = None,
    excluded: Annotated[str | None, typer.Option(help="Excluded HPO ids, comma-separated.")] = None,
    sex: Annotated[str | None, typer.Option(help="MALE or FEMALE.")] = None,
    age: Annotated[str | None, typer.Option(help="Age as an ISO 8601 duration, e.g. P2Y.")] = None,
    top: Annotated[int, typer.Option(help="How many diseases to list.", min=1)] = 10,
    mode: Annotated[
        Mode, typer.Option(help="iei (IUIS 2024 diseases) or all (every hpo3 disease).")
    ] = Mode.IEI,
    phenopacket: Annotated[
        Path | None,
        typer.Option(help="Read the phenotype from a Phenopacket v2 JSON file.", exists=True, dir_okay=False),
    ] = None,
    save_phenopacket: Annotated[
        Path | None, typer.Option(help="Write the phenotype as a Phenopacket v2 JSON file.")
    ] = None,
    batch: Annotated[
        Path | None, typer.Option(help="JSON lines of cases to rank.", exists=True, dir_okay=False)
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Where the batch results go (JSON lines).")] = None,
) -> None:
    """Rank inborn errors of immunity (or all Mendelian diseases) from HPO terms, with the gene panel."""
    with errors():
        kb = load_knowledge_base(state(ctx).settings.knowledge_overlay_dir)
        chosen = DifferentialMode(mode.value)
        if batch is not None:
            if out is None:
                raise typer.BadParameter("--batch needs --out", param_hint="--out")
            _batch(kb, chosen, batch, out, top)
            return
        if phenopacket is not None:
            query = import_phenopacket(json.loads(phenopacket.read_text(encoding="utf-8")))
        else:
            query = PhenotypeQuery(
                observed=_ids(hpo),
                excluded=_ids(excluded),
                sex=parse_sex(sex, "--sex"),
                age=parse_age(age, "--age"),
            )
        if not query.observed:
            raise typer.BadParameter("give at least one observed HPO id", param_hint="--hpo")
        result = rank(model_for(kb, chosen), query, top=top)
        if save_phenopacket is not None:
            used = PhenotypeQuery(
                observed=result.observed, excluded=result.excluded, sex=query.sex, age=query.age, id=query.id
            )
            packet = export_phenopacket(
                used, kb.hpo, packet_id=query.id or "immunocare-differential", created=datetime.now(UTC)
            )
            save_phenopacket.write_text(
                json.dumps(packet, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        _print(kb, result)
