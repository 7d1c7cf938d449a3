"""The gene panel: the top-ranked genes, and the IUIS (sub)table panels they belong to."""

from __future__ import annotations

from dataclasses import dataclass

from immunocare.knowledge.topics.iuis import IuisIndex

from ._rank import Differential

__all__ = ["GenePanel", "PanelGene", "TablePanel", "gene_panel"]

_EDITION = 2024


@dataclass(frozen=True, slots=True)
class PanelGene:
    """A gene of the panel, at the rank of its best candidate disease."""

    symbol: str
    rank: int
    diseases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TablePanel:
    """An IUIS 2024 table or subtable, as a panel of all its genes."""

    table: int
    subtable: int | None
    title: str
    genes: tuple[str, ...]

    @property
    def number(self) -> str:
        """``3.1``-style number."""
        return f"{self.table}" + (f".{self.subtable}" if self.subtable else "")


@dataclass(frozen=True, slots=True)
class GenePanel:
    """The genes a genetics laboratory could test first, and the wider IUIS panels around them."""

    genes: tuple[PanelGene, ...]
    panels: tuple[TablePanel, ...]
    hpo_release: str

    def lines(self) -> list[str]:
        """The panel as plain text lines (one gene per line, then each IUIS panel)."""
        lines = [f"# Gene panel from the phenotype-driven differential (HPO {self.hpo_release})"]
        lines += [f"{g.symbol}\trank {g.rank}\t{', '.join(g.diseases)}" for g in self.genes]
        for panel in self.panels:
            lines += ["", f"# IUIS 2024 {panel.number}: {panel.title} ({len(panel.genes)} genes)"]
            lines.append(", ".join(panel.genes))
        lines += ["", "# Decision support only: the panel is a suggestion for the clinician, not an order."]
        return lines


def gene_panel(differential: Differential, index: IuisIndex, *, size: int = 10) -> GenePanel:
    """The first ``size`` genes of the ranked candidates and the IUIS 2024 (sub)tables they sit in."""
    diseases: dict[str, list[str]] = {}
    ranks: dict[str, int] = {}
    for ranked in differential.ranked:
        for gene in ranked.candidate.genes:
            ranks.setdefault(gene, ranked.rank)
            diseases.setdefault(gene, []).append(ranked.candidate.id)
    top = [PanelGene(gene, ranks[gene], tuple(diseases[gene])) for gene in list(ranks)[:size]]
    categories = {
        (c.table, c.subtable): c for g in top for c in index.categories_of_gene(g.symbol, edition=_EDITION)
    }
    panels = tuple(
        TablePanel(c.table, c.subtable, c.title, index.genes_of(c.table, c.subtable, edition=_EDITION))
        for c in categories.values()
    )
    return GenePanel(tuple(top), panels, differential.hpo_release)
