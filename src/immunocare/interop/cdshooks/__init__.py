"""CDS Hooks 2.0: the patient-view service that looks for signs of immunodeficiency.

- :func:`discovery`: the discovery document (``GET /cds-services``) with :data:`SERVICE_ID`,
  its hook and its prefetch templates (:data:`PREFETCH`).
- :func:`parse_request`: a POST body to a :class:`CdsRequest` (400-worthy problems are
  :class:`~immunocare.errors.ValidationError`); :func:`prefetched_record`: its prefetched FHIR
  resources to a record (:class:`MissingPrefetchError`, 412-worthy, when a key is not sent).
- :func:`cds_response`: the cards for what :func:`immunocare.clinical.recognize.recognize` found.

No I/O: the service (:mod:`immunocare.services.cdshooks`) authenticates, audits and calls these.
"""

from ._cards import SUMMARY_LIMIT, cds_response
from ._discovery import SERVICE_ID, discovery
from ._request import (
    HOOK,
    PREFETCH,
    CdsContext,
    CdsRequest,
    MissingPrefetchError,
    parse_request,
    prefetched_record,
)

__all__ = [
    "HOOK",
    "PREFETCH",
    "SERVICE_ID",
    "SUMMARY_LIMIT",
    "CdsContext",
    "CdsRequest",
    "MissingPrefetchError",
    "cds_response",
    "discovery",
    "parse_request",
    "prefetched_record",
]
