"""The command line: ``immunocare --help`` lists every command.

Settings are built once in the root callback (from ``IMMUNOCARE_*`` variables or ``.env``) and
passed to every command; the command line acts as ``cli:<login name>`` with the admin role, and
its reads and writes of patient data are audited like any other.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from immunocare.config import Settings
from immunocare.errors import ConfigurationError

from ._common import CliState, console, errors, state
from .assess import assess_command
from .differential import differential_command
from .immunoglobulin import ig_app
from .kb import kb_app
from .population import screen_command
from .population_synth import population_app
from .records import audit, record_app
from .users import users_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="immunocare",
    help="immunocare: records and decision support for immunodeficiency care centers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(record_app, name="record")
app.add_typer(kb_app, name="kb")
app.add_typer(ig_app, name="ig")
app.add_typer(population_app, name="population")
app.command("audit")(audit)
app.command("assess")(assess_command)
app.command("differential")(differential_command)
app.command("screen")(screen_command)


@app.callback()
def root(ctx: typer.Context) -> None:
    """Build the settings once for the command that follows."""
    try:
        ctx.obj = CliState(Settings())
    except ConfigurationError as error:
        raise typer.BadParameter(str(error)) from None


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context, revision: Annotated[str, typer.Option(help="Target revision.")] = "head"
) -> None:
    """Apply the database migrations (creates the SQLite file if needed)."""
    from immunocare.store import upgrade_database

    settings = state(ctx).settings
    with errors():
        upgrade_database(settings.database_url, revision)
    console.print(f"Database at {settings.database_url} is at revision {revision}.")


@app.command("demo")
def demo(
    ctx: typer.Context,
    anchor: Annotated[
        str | None, typer.Option(help="Day the synthetic dates count back from (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Fill the database with the synthetic demo cohort and demo users, and print the logins."""
    from immunocare.services.demo import DEFAULT_ANCHOR, load_demo

    day = date.fromisoformat(anchor) if anchor else DEFAULT_ANCHOR
    with errors():
        result = load_demo(state(ctx).context(), anchor=day)
    console.print(
        f"Demo cohort: {result.created} patients created, {result.already_present} already present."
    )
    console.print("Demo logins (synthetic data only):")
    for user in result.users:
        console.print(
            f"  {user.role.value:<11} username [bold]{user.username}[/]  password [bold]{user.password}[/]"
        )


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Bring the database to the latest migration, then serve the web pages and the API."""
    import uvicorn

    from immunocare.app import create_app
    from immunocare.store import upgrade_database

    with errors():
        upgrade_database(state(ctx).settings.database_url)
        application = create_app(state(ctx).settings, ctx=state(ctx).context())
    console.print(
        f"immunocare is serving on [bold]http://{host}:{port}[/] (API docs at /docs). Ctrl+C stops it."
    )
    uvicorn.run(application, host=host, port=port, log_level="info")


def main() -> None:
    """The ``immunocare`` console script."""
    app()
