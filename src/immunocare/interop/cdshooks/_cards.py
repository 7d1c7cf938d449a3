"""Cards from what Recognize found: referral advice, and the watch on secondary immunodeficiency.

- **Referral** (one card, when any referral rule of the knowledge base is met and no
  immunodeficiency is diagnosed yet): the warning signs met, with the record items behind each,
  the signs the data could not decide, the reasons for referral and what to order first. Its
  suggestion creates a draft ServiceRequest (intent ``proposal``) for a referral to immunology:
  immunocare proposes, the clinician decides. Indicator ``critical`` for an urgent referral,
  else ``warning``.
- **Secondary immunodeficiency** (one card, when a drug that lowers immunity calls for action):
  the drugs watched and the monitoring advice. Indicator ``warning`` when the advice is due soon,
  else ``info``.

Every card's ``source`` is the primary source of its first rule (label and address from the
bibliography); the detail lists every source with its place, marks what could not be verified,
and says what was read from the EHR and what was passed over. Text that came from the EHR is
escaped before it enters the Markdown.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from fhir.resources.R4B.servicerequest import ServiceRequest

from immunocare.clinical.recognize import Recognition
from immunocare.domain import Finding, FindingStatus, Recommendation, Urgency
from immunocare.errors import NotFoundError
from immunocare.interop.fhir import FhirRecord
from immunocare.knowledge import KnowledgeBase

from ._request import CdsRequest

__all__ = ["SUMMARY_LIMIT", "cds_response"]

SUMMARY_LIMIT = 140
"""A card's summary is shorter than this many characters (CDS Hooks, Card attributes)."""

_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")
_UNVERIFIED = " *(unverified)*"
_PRIORITY = {Urgency.URGENT: "urgent", Urgency.SOON: "routine", Urgency.ROUTINE: "routine"}


def _md(text: str) -> str:
    """Text with Markdown's special characters escaped, so that EHR data cannot become markup."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _clip(text: str) -> str:
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2].rstrip() + "…"


def _flag(verified: bool) -> str:
    return "" if verified else _UNVERIFIED


def _card_id(request: CdsRequest, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:immunocare:cds:{request.hook_instance}:{key}"))


def _source(kb: KnowledgeBase, citation_ids: tuple[str, ...]) -> dict[str, str]:
    if not citation_ids:
        return {"label": f"immunocare knowledge base {kb.version}"}
    citation = kb.citations[citation_ids[0]]
    url = citation.url or (f"https://doi.org/{citation.doi}" if citation.doi else None)
    source = {"label": _clip(f"{citation.short()}: {citation.title}")}
    return source | ({"url": url} if url else {})


def _sources(kb: KnowledgeBase, item_ids: list[str]) -> list[str]:
    lines: list[str] = []
    for item_id in dict.fromkeys(item_ids):
        try:
            item = kb.get(item_id)
        except NotFoundError:
            continue
        lines += [f"- {_md(text)}" for text in kb.cite(item)]
    return ["", "**Sources**", "", *dict.fromkeys(lines)] if lines else []


def _evidence(finding: Finding, mapped: FhirRecord) -> list[str]:
    """The record items a finding rests on, each with the FHIR resource(s) it was read from."""
    lines = []
    for evidence in finding.evidence:
        found = mapped.item(evidence)
        lines.append(f"    - {_md(evidence.summary)}" + (f" ({_md(found[1])})" if found else ""))
    return lines


def _findings(findings: Iterable[Finding], mapped: FhirRecord, shown: set[str]) -> list[str]:
    """Each finding with the evidence not shown yet."""
    lines = []
    for finding in findings:
        lines.append(f"- **{_md(finding.title)}**: {_md(finding.explanation)}{_flag(finding.verified)}")
        fresh = [line for line in _evidence(finding, mapped) if line not in shown]
        shown.update(fresh)
        lines += fresh
    return lines


def _signs(signs: Finding, mapped: FhirRecord) -> list[str]:
    lines = [f"**{_md(signs.title)}**: {_md(signs.explanation)}{_flag(signs.verified)}", ""]
    for sign in (p for p in signs.parts if p.status is FindingStatus.MET):
        lines += _findings([sign], mapped, set())
    open_signs = [p for p in signs.parts if p.status is FindingStatus.UNDETERMINED]
    if open_signs:
        lines += ["", "Not decided by the data sent:", ""]
        lines += [f"- {_md(p.title)}: {_md('; '.join(p.missing) or p.explanation)}" for p in open_signs]
    return lines


def _advice(recommendations: tuple[Recommendation, ...]) -> list[str]:
    lines = ["", "**What to do**", ""]
    for advice in recommendations:
        lines.append(f"- {_md(advice.text)} *({advice.urgency.value})*{_flag(advice.verified)}")
        lines.append(f"    - Why: {_md(advice.rationale)}")
    return lines


def _footer(kb: KnowledgeBase, mapped: FhirRecord, item_ids: list[str], body: list[str]) -> list[str]:
    """The sources, what *(unverified)* means when the body uses it, and what was read from the EHR."""
    lines = _sources(kb, item_ids)
    if any(_UNVERIFIED in line for line in body):
        lines += ["", "*(unverified)*: the knowledge behind it could not be checked against its source."]
    lines += ["", f"Data from the EHR: {_md(mapped.summary())}."]
    if mapped.record.phenotypes:
        lines += ["", _md(kb.hpo.acknowledgement)]
    return lines


def _referral_suggestion(
    request: CdsRequest, advice: tuple[Recommendation, ...], reasons: list[str]
) -> dict[str, Any]:
    referral = ServiceRequest.model_validate(
        {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "proposal",
            "priority": _PRIORITY[advice[0].urgency],
            "subject": {"reference": f"Patient/{request.context.patient_id}"},
            "code": {"text": "Referral to immunology"},
            "reasonCode": [{"text": reason} for reason in reasons],
            "note": [{"text": a.text} for a in advice],
        }
    )
    return {
        "label": "Refer to immunology",
        "uuid": _card_id(request, "suggestion:refer"),
        "isRecommended": True,
        "actions": [
            {
                "type": "create",
                "description": "Draft a referral to immunology, for the clinician to complete and sign",
                "resource": referral.model_dump(mode="json", by_alias=True, exclude_none=True),
            }
        ],
    }


def _referral_summary(recognition: Recognition, urgent: bool) -> str:
    advice = recognition.referral_advice[0]
    lead = next((f.title for f in recognition.referrals if f.rule_id in advice.based_on), advice.action)
    signs = recognition.warning_signs
    met = sum(p.status is FindingStatus.MET for p in signs.parts)
    parts = [lead] if urgent or signs.status is not FindingStatus.MET else []
    if signs.status is FindingStatus.MET:
        parts.append(f"{met} of {len(signs.parts)} warning signs of primary immunodeficiency")
    opening = "Urgent: consider referral to immunology" if urgent else "Consider referral to immunology"
    return _clip(f"{opening}: {'; '.join(parts)}")


def _referral_card(
    request: CdsRequest, mapped: FhirRecord, recognition: Recognition, kb: KnowledgeBase
) -> dict[str, Any] | None:
    advice = recognition.referral_advice
    if not advice:
        return None
    urgent = any(a.urgency is Urgency.URGENT for a in advice)
    signs = recognition.warning_signs
    lines = _signs(signs, mapped) if signs.status is FindingStatus.MET else []
    lines += ["", "**Why referral**", ""]
    lines += _findings(recognition.referrals, mapped, set(lines))
    lines += _advice(advice)
    item_ids = [
        signs.rule_id,
        *(f.rule_id for f in recognition.referrals),
        *(b for a in advice for b in a.based_on),
    ]
    lines += _footer(kb, mapped, item_ids, lines)
    return {
        "uuid": _card_id(request, "referral"),
        "summary": _referral_summary(recognition, urgent),
        "detail": "\n".join(lines).strip(),
        "indicator": "critical" if urgent else "warning",
        "source": _source(kb, advice[0].citations or signs.citations),
        "suggestions": [_referral_suggestion(request, advice, [f.title for f in recognition.referrals])],
        "selectionBehavior": "at-most-one",
    }


def _secondary_card(
    request: CdsRequest, mapped: FhirRecord, recognition: Recognition, kb: KnowledgeBase
) -> dict[str, Any] | None:
    advice = recognition.secondary_advice
    if not advice:
        return None
    watched = [f for f in recognition.secondary if f.status is FindingStatus.MET]
    summary = advice[0].text if len(advice) == 1 else f"{len(advice)} monitoring actions advised"
    lines = ["**Treatments that lower immunity**", ""]
    lines += _findings(watched, mapped, set())
    lines += _advice(advice)
    lines += _footer(kb, mapped, [b for a in advice for b in a.based_on], lines)
    soon = any(a.urgency is not Urgency.ROUTINE for a in advice)
    return {
        "uuid": _card_id(request, "secondary"),
        "summary": _clip(f"Secondary immunodeficiency watch: {summary}"),
        "detail": "\n".join(lines).strip(),
        "indicator": "warning" if soon else "info",
        "source": _source(kb, advice[0].citations),
    }


def cds_response(
    request: CdsRequest, mapped: FhirRecord, recognition: Recognition, kb: KnowledgeBase
) -> dict[str, Any]:
    """The CDS Hooks response: ``{"cards": [...]}``, empty when there is nothing to act on."""
    cards = [
        card
        for card in (
            _referral_card(request, mapped, recognition, kb),
            _secondary_card(request, mapped, recognition, kb),
        )
        if card is not None
    ]
    return {"cards": cards}
