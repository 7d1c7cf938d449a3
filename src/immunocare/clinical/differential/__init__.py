"""Phenotype-driven differential diagnosis of inborn errors of immunity, and the gene panel.

- :func:`record_phenotypes`: the observed and excluded HPO terms of a record, with the terms its
  laboratory results stand for (knowledge-base rules, topic ``phenotype_rules``).
- :func:`model_for`: the candidates (IUIS 2024 diseases, or every hpo3 Mendelian disease) and
  their precomputed annotation structures, built once per process.
- :func:`rank`: the candidates ranked by a LIRICAL-style likelihood ratio, each with its evidence.
- :func:`gene_panel`: the top genes and the IUIS (sub)table panels they belong to.

>>> from immunocare.clinical.differential import DifferentialMode
>>> DifferentialMode("all").value
'all'
"""

from __future__ import annotations

from ._findings import differential_findings
from ._method import DEFAULT_PARAMETERS, ScoringParameters
from ._model import Candidate, DifferentialMode, DifferentialModel, build_model, model_for
from ._panel import GenePanel, PanelGene, TablePanel, gene_panel
from ._phenotypes import RecordPhenotypes, RecordTerm, record_phenotypes
from ._rank import Differential, PhenotypeQuery, RankedDisease, Scores, TermMatch, rank, score_all
from ._terms import TermIssue

__all__ = [
    "DEFAULT_PARAMETERS",
    "Candidate",
    "Differential",
    "DifferentialMode",
    "DifferentialModel",
    "GenePanel",
    "PanelGene",
    "PhenotypeQuery",
    "RankedDisease",
    "RecordPhenotypes",
    "RecordTerm",
    "Scores",
    "ScoringParameters",
    "TablePanel",
    "TermIssue",
    "TermMatch",
    "build_model",
    "differential_findings",
    "gene_panel",
    "model_for",
    "rank",
    "record_phenotypes",
    "score_all",
]
