"""Interoperability: the record and the clinical core's answers in other systems' formats.

- :mod:`~immunocare.interop.fhir`: FHIR R4 resources (parsed with fhir.resources) to the
  domain's :class:`~immunocare.domain.PatientRecord`.
- :mod:`~immunocare.interop.cdshooks`: CDS Hooks 2.0: the discovery document, request
  validation, and cards from what :func:`immunocare.clinical.recognize.recognize` found.

Everything here is pure translation: no I/O, no clock, no database. The services call it.
"""

__all__: list[str] = []
