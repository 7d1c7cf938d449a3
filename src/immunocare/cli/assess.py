"""``immunocare assess RECORD.json``: the assessment of a record document, as text or JSON."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from immunocare.domain import Assessment, Finding, FindingStatus
from immunocare.knowledge import KnowledgeBase
from immunocare.services import parse_record_document
from immunocare.services.assessments import assess_document, assessment_json

from ._common import console, errors, state

__all__ = ["assess_command", "assessment_text"]

_MARK = {
    FindingStatus.MET: "[green]✔ met[/]",
    FindingStatus.NOT_MET: "✘ not met",
    FindingStatus.UNDETERMINED: "[yellow]? undetermined[/]",
}


class OutputFormat(StrEnum):
    """How to print the assessment."""

    TEXT = "text"
    JSON = "json"


def _finding_lines(kb: KnowledgeBase, finding: Finding, depth: int, detail: bool) -> list[str]:
    indent = "  " * depth
    flag = "" if finding.verified else " [yellow](unverified)[/]"
    lines = [
        f"{indent}{_MARK[finding.status]}  [bold]{finding.title}[/]{flag}",
        f"{indent}   {finding.explanation}",
    ]
    if detail:
        lines += [f"{indent}   · {e.summary}" for e in finding.evidence[:6]]
        lines += [f"{indent}   missing: {m}" for m in finding.missing]
        sources = [kb.citations[c].short() for c in finding.citations if c in kb.citations]
        lines += [f"{indent}   source: {'; '.join(sources)}"] if sources else []
    for part in finding.parts if detail and depth < 1 else ():
        lines += _finding_lines(kb, part, depth + 1, detail=part.status is not FindingStatus.NOT_MET)
    return lines


def assessment_text(kb: KnowledgeBase, assessment: Assessment) -> list[str]:
    """The assessment as lines of (rich-markup) text."""
    lines = [
        f"[bold]Assessment as of {assessment.as_of.isoformat()}[/] — knowledge base {assessment.kb_version}, "
        f"HPO {assessment.hpo_release}"
    ]
    for section in assessment.sections:
        lines += ["", f"[bold underline]{section.title}[/]"]
        shown = [f for f in section.findings if f.status is not FindingStatus.NOT_MET] or section.findings[:1]
        for finding in shown:
            lines += _finding_lines(kb, finding, 0, detail=True)
        hidden = len(section.findings) - len(shown)
        lines += [f"  ({hidden} not met, not shown)"] if hidden > 0 else []
        for advice in section.recommendations:
            lines += [
                f"  → [bold]{advice.urgency.value.upper()}[/]: {advice.text}",
                f"     because {advice.rationale}",
            ]
    lines += ["", "immunocare recommends and explains; it does not order or prescribe."]
    lines.append(kb.hpo.acknowledgement)
    return lines


def assess_command(
    ctx: typer.Context,
    record: Annotated[Path, typer.Argument(help="A record document (JSON).", exists=True, dir_okay=False)],
    as_of: Annotated[str, typer.Option("--as-of", help="The day to assess on (YYYY-MM-DD).")],
    format_: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
) -> None:
    """Assess a record document: warning signs, referral, laboratory results, ESID classification."""
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date; use YYYY-MM-DD", param_hint="--as-of") from None
    with errors():
        context = state(ctx).context()
        assessment = assess_document(context, document=parse_record_document(record.read_bytes()), as_of=day)
    if format_ is OutputFormat.JSON:
        typer.echo(json.dumps(assessment_json(assessment), indent=2, ensure_ascii=False))
        return
    for line in assessment_text(context.kb, assessment):
        console.print(line, highlight=False)
