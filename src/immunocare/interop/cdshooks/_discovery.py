"""The discovery document: the one service immunocare offers, its hook and its prefetch templates."""

from __future__ import annotations

from typing import Any

from ._request import HOOK, PREFETCH

__all__ = ["SERVICE_ID", "discovery"]

SERVICE_ID = "immunodeficiency-warning-signs"
"""The service's id: it is called at ``{baseUrl}/cds-services/immunodeficiency-warning-signs``."""

_DESCRIPTION = (
    "Reads the patient's conditions, encounters, medication requests and observations for the "
    "Jeffrey Modell Foundation warning signs of primary immunodeficiency and the red flags that "
    "call for referral, and for drugs that lower immunity. Returns a card suggesting referral to "
    "immunology (with the evidence, the tests to order first and the sources), a card on "
    "monitoring for secondary immunodeficiency, or no card when there is nothing to act on."
)


def discovery() -> dict[str, Any]:
    """The CDS Hooks discovery document (``GET {baseUrl}/cds-services``).

    >>> service = discovery()["services"][0]
    >>> service["hook"], service["id"], service["prefetch"]["patient"]
    ('patient-view', 'immunodeficiency-warning-signs', 'Patient/{{context.patientId}}')
    """
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "Immunodeficiency warning signs",
                "description": _DESCRIPTION,
                "prefetch": dict(PREFETCH),
            }
        ]
    }
