"""The Human Phenotype Ontology, through the hpo3 package (imported as ``pyhpo``).

hpo3 bundles an HPO release with its disease and gene annotations. Loading it takes about a
second and 200 MB, so it is loaded once, on first use, and shared. HPO's terms of use require
the acknowledgement in :data:`HPO_ACKNOWLEDGEMENT` and the release wherever HPO data are shown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from immunocare.domain.codes import hpo_problem
from immunocare.errors import ValidationError

__all__ = ["HPO_ACKNOWLEDGEMENT", "Hpo", "HpoTerm"]

HPO_ACKNOWLEDGEMENT = (
    "This service uses the Human Phenotype Ontology (version {release}). "
    "Find out more at http://www.human-phenotype-ontology.org"
)


@dataclass(frozen=True, slots=True)
class HpoTerm:
    """An HPO term as the record needs it."""

    id: str
    name: str
    obsolete: bool
    replaced_by: str | None


_LOCK = threading.Lock()
_LOADED: list[Any] = []


def _ontology() -> Any:
    """hpo3's ontology, built once per process (it is immutable package data)."""
    with _LOCK:
        if not _LOADED:
            from pyhpo import Ontology

            Ontology()
            _LOADED.append(Ontology)
    return _LOADED[0]


class Hpo:
    """Access to the hpo3 ontology, loaded on first use and shared by the whole process."""

    def _load(self) -> Any:
        return _ontology()

    @property
    def ontology(self) -> Any:
        """The loaded ``pyhpo.Ontology`` (for the differential diagnosis)."""
        return self._load()

    @property
    def release(self) -> str:
        """The HPO release date bundled with hpo3, e.g. ``2025-11-24``."""
        return str(self._load().version())

    @property
    def acknowledgement(self) -> str:
        """The text HPO's terms of use ask to be shown with the release."""
        return HPO_ACKNOWLEDGEMENT.format(release=self.release)

    def term(self, term_id: str) -> HpoTerm:
        """A term by id; unknown ids raise a :class:`ValidationError` on ``hpo_id``."""
        problem = hpo_problem(term_id)
        if problem:
            raise ValidationError.single("hpo_id", problem)
        try:
            term = self._load().get_hpo_object(term_id)
        except (RuntimeError, KeyError, ValueError):
            raise ValidationError.single("hpo_id", f"{term_id} is not a term of HPO {self.release}") from None
        replaced = term.replaced_by
        return HpoTerm(id=term.id, name=term.name, obsolete=term.is_obsolete, replaced_by=replaced or None)

    def current(self, term_id: str) -> HpoTerm:
        """The term, or its replacement when it is obsolete and has one."""
        term = self.term(term_id)
        if term.obsolete and term.replaced_by:
            return self.term(term.replaced_by)
        return term
