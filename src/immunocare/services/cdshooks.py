"""CDS Hooks as a use case: an EHR asks about the patient on screen, immunocare answers with cards.

The EHR authenticates with an immunocare API token (a user with a clinical role); the call is a
read of patient data and is audited like one. The patient is not in immunocare's store: the
audit entry names the FHIR Patient id, the hook instance, the EHR user and the FHIR server the
data came from. Nothing is stored but the audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.recognize import recognize
from immunocare.interop.cdshooks import CdsRequest, cds_response, discovery, parse_request, prefetched_record
from immunocare.interop.fhir import FhirRecord

from ._context import Actor, ServiceContext, transaction
from .authz import Action, audit, authorize

__all__ = ["cds_discovery", "patient_view"]


def cds_discovery() -> dict[str, Any]:
    """The discovery document: the services immunocare offers (no patient data, no login needed)."""
    return discovery()


def _detail(request: CdsRequest, mapped: FhirRecord, cards: int) -> str:
    server = request.fhir_server or "prefetch only"
    return (
        f"CDS Hooks {request.hook} {request.hook_instance}: FHIR Patient/{request.context.patient_id} "
        f"from {server}, EHR user {request.context.user_id}; {cards} card(s); {mapped.summary()}"
    )


def patient_view(
    ctx: ServiceContext, *, actor: Actor | None, body: bytes, as_of: date | None = None
) -> dict[str, Any]:
    """The cards for a patient-view call (the POST body as sent), as of ``as_of`` (default today).

    Raises:
        AuthenticationError: no valid API token.
        PermissionDeniedError: the token's user may not read patient data.
        MissingPrefetchError: prefetched data the service needs were not sent.
        ValidationError: the request or a FHIR resource in it is malformed.
    """
    actor = authorize(ctx, actor, Action.READ)
    request = parse_request(body)
    mapped = prefetched_record(request, ctx.kb, ctx.settings.zone)
    recognition = recognize(Evaluation(mapped.record, ctx.kb, as_of or ctx.today()))
    response = cds_response(request, mapped, recognition, ctx.kb)
    with transaction(ctx) as session:
        audit(ctx, session, actor, Action.READ, detail=_detail(request, mapped, len(response["cards"])))
    return response
