"""Shared fixtures: the real knowledge base, a service context on a real database, actors.

Databases (SQLite and PostgreSQL, freshly migrated per test) come from tests/_db.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from immunocare.config import Environment, Settings
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.services import Actor, FixedClock, ServiceContext, build_context
from immunocare.store import Role

pytest_plugins = ["tests._db"]

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
"""The fixed 'now' of service tests."""


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The built-in knowledge base, loaded once."""
    return load_knowledge_base()


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for a test database, with cheap password hashing."""
    values: dict[str, object] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 256,
        "timezone": "Europe/Amsterdam",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def ctx(database_url: str, kb: KnowledgeBase) -> Iterator[ServiceContext]:
    """A service context on a fresh database (SQLite and PostgreSQL), with a fixed clock."""
    context = build_context(make_settings(database_url), clock=FixedClock(NOW), kb=kb)
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(sqlite_url: str, kb: KnowledgeBase) -> Iterator[ServiceContext]:
    """A service context on a fresh SQLite database only."""
    context = build_context(make_settings(sqlite_url), clock=FixedClock(NOW), kb=kb)
    yield context
    context.close()


@pytest.fixture
def physician() -> Actor:
    return Actor("dr.jenner", Role.PHYSICIAN, user_id=None, client="test")


@pytest.fixture
def nurse() -> Actor:
    return Actor("nurse.okafor", Role.NURSE, client="test")


@pytest.fixture
def admin() -> Actor:
    return Actor("admin", Role.ADMIN, client="test")


@pytest.fixture
def researcher() -> Actor:
    return Actor("rae", Role.RESEARCHER, client="test")
