"""Use cases: every door (web, API, CLI) calls these and nothing below them.

A use case checks who may do what (:mod:`~immunocare.services.authz`), owns its transaction,
appends the audit entry, and converts between the input/output schemas
(:mod:`~immunocare.services.schemas`) and the domain.

- :func:`build_context` builds the :class:`ServiceContext` (settings, database, knowledge, clock);
  an :class:`Actor` says who acts.
- patients: :func:`create_patient`, :func:`get_patient`, :func:`update_patient`, :func:`search_patients`.
- record items: :func:`add_item`, :func:`get_item`, :func:`replace_item`, :func:`delete_item`,
  :func:`list_items`, :func:`get_record`.
- documents: :func:`export_record`, :func:`import_record`, :func:`parse_record_document`.
- accounts: :func:`create_user`, :func:`list_users`, :func:`login`, :func:`logout`,
  :func:`session_actor`, :func:`create_api_token`, :func:`token_actor`.
- audit: :func:`list_audit_entries`.
- population screens (:mod:`~immunocare.services.population`): :class:`PopulationScreens` runs a
  case-finding screen of a configured OMOP source in the background, authorized and audited.
"""

from ._context import Actor, Clock, FixedClock, ServiceContext, SystemClock, build_context, transaction
from .accounts import (
    LoginResult,
    SessionInfo,
    UserCreate,
    UserOut,
    create_api_token,
    create_user,
    list_users,
    login,
    logout,
    session_actor,
    token_actor,
)
from .audit_log import list_audit_entries
from .authz import Action, Outcome, permits
from .documents import export_record, import_record, parse_record_document
from .patients import PatientPage, create_patient, get_patient, search_patients, update_patient
from .record import add_item, delete_item, get_item, get_record, list_items, replace_item

__all__ = [
    "Action",
    "Actor",
    "Clock",
    "FixedClock",
    "LoginResult",
    "Outcome",
    "PatientPage",
    "ServiceContext",
    "SessionInfo",
    "SystemClock",
    "UserCreate",
    "UserOut",
    "add_item",
    "build_context",
    "create_api_token",
    "create_patient",
    "create_user",
    "delete_item",
    "export_record",
    "get_item",
    "get_patient",
    "get_record",
    "import_record",
    "list_audit_entries",
    "list_items",
    "list_users",
    "login",
    "logout",
    "parse_record_document",
    "permits",
    "replace_item",
    "search_patients",
    "session_actor",
    "token_actor",
    "transaction",
    "update_patient",
]
