from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from immunocare import services
from immunocare.app import create_app
from immunocare.services import Actor, ServiceContext
from immunocare.store import Role
from tests.factories import add_user, register_patient


@dataclass(frozen=True)
class World:
    """Two patients and a user of every role, each with an API token."""

    client: TestClient
    ctx: ServiceContext
    tokens: dict[str, str]
    own_patient: int
    other_patient: int

    def as_(self, username: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"} if username else {}


@pytest.fixture
def world(ctx: ServiceContext) -> Iterator[World]:
    operator = Actor.command_line("test")
    own, other = register_patient(ctx, "API-1", "Martin"), register_patient(ctx, "API-2", "Okoro")
    tokens = {}
    for role in Role:
        add_user(ctx, role.value, role, patient_id=own if role is Role.PATIENT else None)
        tokens[role.value], _ = services.create_api_token(
            ctx, actor=operator, username=role.value, name="tests"
        )
    with TestClient(create_app(ctx.settings, ctx=ctx)) as client:
        yield World(client, ctx, tokens, own, other)
