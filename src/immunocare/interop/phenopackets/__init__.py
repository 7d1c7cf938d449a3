"""GA4GH Phenopacket v2 documents (plain JSON) for the differential's phenotype.

- :func:`export_phenopacket`: a query's observed and excluded HPO terms, sex and age as a
  Phenopacket v2 document, its ``metaData`` naming the HPO release.
- :func:`import_phenopacket`: a Phenopacket v2 document back to a
  :class:`~immunocare.clinical.differential.PhenotypeQuery`; a malformed one raises a
  :class:`~immunocare.errors.ValidationError` naming the field.

Field names follow the schema's JSON form (camelCase), as in its published examples.
"""

from __future__ import annotations

from ._v2 import SCHEMA_VERSION, export_phenopacket, import_phenopacket

__all__ = ["SCHEMA_VERSION", "export_phenopacket", "import_phenopacket"]
