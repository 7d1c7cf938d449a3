"""The finding of a vaccine challenge, with a part per antigen, its evidence and its sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from immunocare.domain import Evidence, Finding, FindingStatus, ItemKind, summarize
from immunocare.knowledge import KBItem, KnowledgeBase, citation_ids
from immunocare.knowledge.topics._criteria import LabTest
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.diagnostic_vaccination import (
    PolysaccharideResponse,
    ProtectiveLevel,
    SampleWindow,
)

from ._polysaccharide import NORMAL
from ._vaccine_rows import POLYSACCHARIDE, AntigenRow, describe, rules_for

if TYPE_CHECKING:
    from .vaccine_response import Challenge

__all__ = ["challenge_finding"]


def challenge_finding(
    kb: KnowledgeBase, challenge: Challenge, polysaccharide: PolysaccharideResponse | None
) -> Finding:
    """The challenge's finding: met when the response is impaired (polysaccharide) or protective."""
    rows = challenge.rows
    rules = {row.analyte: rules_for(kb, row.analyte) for row in rows}
    first_level = next((level for level, _ in rules.values() if level), None)
    rule: KBItem | None = polysaccharide if challenge.target == POLYSACCHARIDE else first_level
    assert rule is not None
    used = [rule, challenge.window, challenge.vaccine, *(i for pair in rules.values() for i in pair if i)]
    used += [a for row in rows if row.judged and isinstance(a := kb.get(row.analyte), Analyte)]
    status, explanation, missing = _status(challenge)
    prerequisite = polysaccharide.prerequisite if polysaccharide and rule is polysaccharide else None
    if status is FindingStatus.MET and prerequisite:
        explanation += f" Prerequisite: {prerequisite}"
    vaccination = challenge.vaccination
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        status=status,
        explanation=explanation,
        evidence=(
            Evidence(
                summary=f"{summarize(vaccination)} on {vaccination.given_on.isoformat()}",
                kind=ItemKind.VACCINATIONS,
                item_id=vaccination.id,
            ),
            *(e for row in rows for e in row.evidence()),
        ),
        missing=missing,
        orders=_orders(kb, challenge) if status is FindingStatus.UNDETERMINED else (),
        citations=citation_ids(*dict.fromkeys(used)),
        verified=all(item.verified for item in used),
        parts=tuple(_part(row, rules[row.analyte][0], challenge.window) for row in rows),
    )


def _status(challenge: Challenge) -> tuple[FindingStatus, str, tuple[str, ...]]:
    vaccine = challenge.vaccine.abbreviation or challenge.vaccine.title
    head = f"{vaccine} (CVX {challenge.vaccine.cvx}) on {challenge.vaccination.given_on.isoformat()}"
    if challenge.target == POLYSACCHARIDE:
        judged = [row for row in challenge.rows if row.judged]
        count = sum(row.protective is True for row in judged)
        left_out = sum(row.excluded is not None for row in challenge.rows)
        head += f", {challenge.age_group}: {count} of {len(judged)} serotypes protective"
        head += f" ({left_out} left out as covered by a conjugate vaccine)" if left_out else ""
    else:
        head += ": " + "; ".join(describe(row, challenge.window) for row in challenge.rows)
    wanted = f"a post-vaccination sample drawn {challenge.window_text}"
    if challenge.problem:
        return FindingStatus.UNDETERMINED, f"{head}. {challenge.problem}.", (challenge.problem,)
    if not challenge.timing_ok:
        return FindingStatus.UNDETERMINED, f"{head}. The sample was drawn outside the window.", (wanted,)
    if not any(row.judged for row in challenge.rows):
        return FindingStatus.UNDETERMINED, f"{head}.", (wanted,)
    if challenge.target == POLYSACCHARIDE:
        impaired = challenge.grade != NORMAL
        status = FindingStatus.MET if impaired else FindingStatus.NOT_MET
        return status, f"{head}: {challenge.grade} {'phenotype' if impaired else 'response'}.", ()
    flags = [row.protective for row in challenge.rows if row.judged]
    if None in flags:
        return FindingStatus.UNDETERMINED, f"{head}.", ("a post-vaccination level that can be compared",)
    return (FindingStatus.MET if all(flags) else FindingStatus.NOT_MET), f"{head}.", ()


def _part(row: AntigenRow, level: ProtectiveLevel | None, window: SampleWindow) -> Finding:
    status = {True: FindingStatus.MET, False: FindingStatus.NOT_MET, None: FindingStatus.UNDETERMINED}
    return Finding(
        rule_id=level.id if level else row.analyte,
        title=row.antigen,
        status=status[row.protective if row.judged else None],
        explanation=describe(row, window),
        evidence=row.evidence(),
        citations=citation_ids(level) if level else (),
        verified=level.verified if level else True,
    )


def _orders(kb: KnowledgeBase, challenge: Challenge) -> tuple[str, ...]:
    """The tests whose outcome a judged challenge gives: what would settle an undetermined one."""
    source = "polysaccharide_grade" if challenge.target == POLYSACCHARIDE else "antigen_protection"
    return tuple(test.id for test in kb.of(LabTest) if test.derived_from == source)
