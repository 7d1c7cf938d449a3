"""Cited, versioned clinical knowledge: every clinical number and rule immunocare uses.

The data live in ``data/`` as YAML and CSV files, one folder per topic, with the bibliography in
``data/citations.yaml``. Each topic module in :mod:`immunocare.knowledge.topics` declares its
schema; :func:`load_knowledge_base` reads every file, validates it, applies a site overlay and
checks the whole (unknown or unused citations, duplicate ids, cross-topic references), returning
a :class:`KnowledgeBase` whose :attr:`~KnowledgeBase.version` is stamped on every assessment.

Items that could not be verified against a source that was read carry ``verified: false`` and a
note; every door shows them as unverified.
"""

from ._base import Citation, CitationRef, KBItem, KBModel, Topic, citation_ids
from ._kb import KnowledgeBase
from ._loader import builtin_data, load_knowledge_base
from .hpo import HPO_ACKNOWLEDGEMENT, Hpo, HpoTerm

__all__ = [
    "HPO_ACKNOWLEDGEMENT",
    "Citation",
    "CitationRef",
    "Hpo",
    "HpoTerm",
    "KBItem",
    "KBModel",
    "KnowledgeBase",
    "Topic",
    "builtin_data",
    "citation_ids",
    "load_knowledge_base",
]
