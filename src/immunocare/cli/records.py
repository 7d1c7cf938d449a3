"""``immunocare record export|import`` and ``immunocare audit``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from immunocare import services

from ._common import console, errors, operator, state

__all__ = ["audit", "record_app"]

record_app = typer.Typer(
    help="Export and import whole patient records as JSON documents.", no_args_is_help=True
)


@record_app.command("export")
def export(
    ctx: typer.Context,
    patient_id: Annotated[int, typer.Argument(help="The patient's id.", min=1)],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write a patient's whole record as one JSON document."""
    with errors():
        document = services.export_record(state(ctx).context(), actor=operator(), patient_id=patient_id)
    text = document.model_dump_json(indent=2, exclude_none=True)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"Wrote {out}")


@record_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A record document (JSON).", exists=True, dir_okay=False)],
) -> None:
    """Create a patient and all of its items from a record document; nothing is written on error."""
    with errors():
        document = services.parse_record_document(file.read_bytes())
        patient = services.import_record(state(ctx).context(), actor=operator(), document=document)
    name = f"{patient.family_name.upper()}, {patient.given_names}"
    console.print(f"Imported {name} (MRN {patient.mrn}) as patient {patient.id}")


def audit(
    ctx: typer.Context,
    patient_id: Annotated[
        int | None, typer.Option("--patient", help="Only entries about this patient.")
    ] = None,
    action: Annotated[str | None, typer.Option(help="Only this action (read, create, login…).")] = None,
    limit: Annotated[int, typer.Option(help="How many entries.", min=1, max=10_000)] = 50,
) -> None:
    """List audit entries, newest first."""
    with errors():
        entries = services.list_audit_entries(
            state(ctx).context(), actor=operator(), patient_id=patient_id, action=action, limit=limit
        )
    table = Table("when (UTC)", "who", "role", "action", "outcome", "patient", "item", "detail")
    for entry in entries:
        item = f"{entry.item_kind or ''}{f' #{entry.item_id}' if entry.item_id else ''}"
        table.add_row(
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            entry.username or "anonymous",
            entry.role or "",
            entry.action,
            entry.outcome,
            str(entry.patient_id or ""),
            item,
            (entry.detail or "")[:60],
        )
    console.print(table)
