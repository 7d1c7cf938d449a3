"""What every command shares: settings built once, the service context, and error reporting."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pydantic
import typer
from rich.console import Console

from immunocare.config import Settings
from immunocare.errors import ImmunocareError, ValidationError
from immunocare.services import Actor, ServiceContext, build_context
from immunocare.services.schemas import issues_from_pydantic

__all__ = ["CliState", "console", "errors", "operator", "state"]

console = Console()
error_console = Console(stderr=True)


@dataclass
class CliState:
    """Settings for this invocation, and the service context built on first use."""

    settings: Settings
    _ctx: ServiceContext | None = field(default=None, repr=False)

    def context(self) -> ServiceContext:
        """The service context (connects to the database and loads the knowledge base once)."""
        if self._ctx is None:
            self._ctx = build_context(self.settings)
        return self._ctx


def state(typer_ctx: typer.Context) -> CliState:
    """The state the root callback stored."""
    value: CliState = typer_ctx.obj
    return value


def operator() -> Actor:
    """The person running the command line, audited as ``cli:<login name>`` with the admin role."""
    return Actor.command_line(getpass.getuser())


@contextmanager
def errors() -> Iterator[None]:
    """Report immunocare's errors as readable messages and exit with status 1."""
    try:
        yield
    except (ValidationError, pydantic.ValidationError) as error:
        issues = error.issues if isinstance(error, ValidationError) else issues_from_pydantic(error)
        error_console.print("[bold red]Invalid input:[/]")
        for issue in issues:
            error_console.print(f"  [red]{issue.field}[/]: {issue.message}")
        raise typer.Exit(1) from None
    except ImmunocareError as error:
        error_console.print(f"[bold red]{type(error).__name__}:[/] {error}")
        raise typer.Exit(1) from None
