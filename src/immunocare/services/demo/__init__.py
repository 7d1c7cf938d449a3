"""The synthetic demo cohort: invented patients and demo users, loaded by ``immunocare demo``.

The cohort is data (``cohort.yaml``), with dates relative to an anchor day so that it reads as
recent; the same anchor always gives the same records. Demo users have published passwords, so
the demo is refused in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib.resources import files
from typing import Any

import yaml

from immunocare.config import Environment
from immunocare.errors import ConfigurationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics._criteria import LabTest
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.store import PatientRepository, Role, UserRepository

from .._context import Actor, ServiceContext, transaction
from ..accounts import UserCreate, create_user
from ..documents import import_record, parse_record_document
from ..schemas import RecordDocument

__all__ = ["DEFAULT_ANCHOR", "DemoResult", "DemoUser", "demo_documents", "demo_password", "load_demo"]

DEFAULT_ANCHOR = date(2026, 11, 1)
"""The day the demo cohort's relative dates count back from."""

_RELATIVE = re.compile(r"^-(?:(\d+)y)?(?:(\d+)d)?(?: (\d{2}):(\d{2}))?$")


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo login."""

    username: str
    password: str
    role: Role


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What loading the demo did."""

    created: int
    already_present: int
    users: list[DemoUser]


def demo_password(username: str) -> str:
    """The published password of a demo user."""
    return f"{username}-demo-pass"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _resolve_date(text: str, anchor: date) -> str:
    match = _RELATIVE.match(text)
    if match is None:
        return text
    years, days, hour, minute = match.groups()
    day = _years_before(anchor, int(years or 0)) - timedelta(days=int(days or 0))
    if hour is None:
        return day.isoformat()
    return datetime.combine(day, time(int(hour), int(minute))).isoformat()


def _resolve(value: Any, anchor: date) -> Any:
    if isinstance(value, str):
        return _resolve_date(value, anchor)
    if isinstance(value, list):
        return [_resolve(v, anchor) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, anchor) for k, v in value.items()}
    return value


def _lab(raw: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """A result named by analyte id (with a value) or by test id (with a result text)."""
    if "test" in raw:
        test = kb.get(raw["test"])
        if not isinstance(test, LabTest) or not test.loinc:
            raise ConfigurationError(f"demo cohort: {raw['test']!r} is not a test with a LOINC code")
        lab = {k: v for k, v in raw.items() if k not in ("test", "result")}
        return {**lab, "loinc": test.loinc[0], "analyte": test.title, "value_text": raw["result"]}
    analyte = kb.get(raw["analyte"])
    if not isinstance(analyte, Analyte) or not analyte.loinc:
        raise ConfigurationError(f"demo cohort: {raw['analyte']!r} is not an analyte with a LOINC code")
    lab = {k: v for k, v in raw.items() if k not in ("analyte", "value")}
    value = {"value": raw["value"], "unit": analyte.unit}
    return {**lab, "loinc": analyte.loinc[0], "analyte": analyte.title, "value": value}


def _cohort() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        (files(__package__) / "cohort.yaml").read_text(encoding="utf-8")
    )
    return document


def demo_documents(kb: KnowledgeBase, *, anchor: date = DEFAULT_ANCHOR) -> list[RecordDocument]:
    """The cohort as record documents, dated relative to ``anchor``."""
    documents = []
    for raw in _cohort()["patients"]:
        resolved = _resolve(raw, anchor)
        resolved["labs"] = [_lab(lab, kb) for lab in resolved.get("labs", [])]
        documents.append(parse_record_document(resolved))
    return documents


def _load_users(ctx: ServiceContext, actor: Actor) -> list[DemoUser]:
    users = []
    for raw in _cohort()["users"]:
        username, role = raw["username"], Role(raw["role"])
        with transaction(ctx) as session:
            exists = UserRepository(session).get_by_username(username=username) is not None
            patient = PatientRepository(session).get_by_mrn(mrn=raw["mrn"]) if "mrn" in raw else None
        if not exists:
            create_user(
                ctx,
                actor=actor,
                data=UserCreate(
                    username=username,
                    display_name=raw["display_name"],
                    role=role,
                    password=demo_password(username),
                    patient_id=patient.id if patient else None,
                ),
            )
        users.append(DemoUser(username, demo_password(username), role))
    return users


def load_demo(ctx: ServiceContext, *, anchor: date = DEFAULT_ANCHOR) -> DemoResult:
    """Load the demo cohort and users; patients and users already present are left as they are."""
    if ctx.settings.environment is Environment.PRODUCTION:
        raise ConfigurationError("the demo cohort and its published passwords are refused in production")
    actor = Actor.command_line("demo")
    created = present = 0
    for document in demo_documents(ctx.kb, anchor=anchor):
        with transaction(ctx) as session:
            exists = PatientRepository(session).get_by_mrn(mrn=document.patient.mrn) is not None
        if exists:
            present += 1
        else:
            import_record(ctx, actor=actor, document=document)
            created += 1
    return DemoResult(created, present, _load_users(ctx, actor))
