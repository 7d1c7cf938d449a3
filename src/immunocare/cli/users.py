"""``immunocare users add|list|token``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from immunocare import services
from immunocare.services import UserCreate
from immunocare.store import Role

from ._common import console, errors, operator, state

__all__ = ["users_app"]

users_app = typer.Typer(help="Manage users and API tokens.", no_args_is_help=True)


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Lower-case login name.")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    name: Annotated[str, typer.Option("--name", help="The name shown in the application.")],
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters."),
    ],
    patient_id: Annotated[int | None, typer.Option(help="For the patient role: their record's id.")] = None,
) -> None:
    """Add a user."""
    with errors():
        data = UserCreate(
            username=username, display_name=name, role=role, password=password, patient_id=patient_id
        )
        user = services.create_user(state(ctx).context(), actor=operator(), data=data)
    console.print(f"Added {user.username} ({user.role.value})")


@users_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List users."""
    with errors():
        users = services.list_users(state(ctx).context(), actor=operator())
    table = Table("id", "username", "name", "role", "patient", "active")
    for user in users:
        table.add_row(
            str(user.id),
            user.username,
            user.display_name,
            user.role.value,
            str(user.patient_id or ""),
            "yes" if user.active else "no",
        )
    console.print(table)


@users_app.command("token")
def token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user the machine client acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    days: Annotated[int, typer.Option(help="Days until it expires.", min=1, max=3650)] = 365,
) -> None:
    """Issue an API token (shown once) for a machine client."""
    with errors():
        raw, stored = services.create_api_token(
            state(ctx).context(), actor=operator(), username=username, name=name, days=days
        )
    console.print(f"Token for {username} ({name}), valid until {stored.expires_at:%Y-%m-%d}:")
    typer.echo(raw)
