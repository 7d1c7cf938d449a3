"""``immunocare population synth``: a synthetic OMOP population with planted cases, for benchmarks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from immunocare.knowledge import load_knowledge_base

from ._common import console, errors, state

__all__ = ["population_app"]

population_app = typer.Typer(help="Population case-finding over OMOP CDM data.", no_args_is_help=True)


@population_app.command("synth")
def synth(
    ctx: typer.Context,
    persons: Annotated[int, typer.Option(help="Persons in all, planted cases included.", min=1)],
    out: Annotated[Path, typer.Option(help="Folder for the Parquet tables and planted.csv.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 0,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Last day of every record (YYYY-MM-DD); default today.")
    ] = None,
) -> None:
    """Write a synthetic OMOP CDM 5.4 population (Parquet) with planted immunodeficiency cases.

    The background rates of infections and antibiotic courses are simulation parameters, not
    clinical knowledge; every code comes from the knowledge base. No real person is in the data.
    """
    from immunocare.population.synth import synthesize

    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None
    with errors():
        kb = load_knowledge_base(state(ctx).settings.knowledge_overlay_dir)
        summary = synthesize(persons, out, seed=seed, as_of=day, kb=kb, progress=True)
    table = Table("table", "rows")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    planted = ", ".join(f"{name} {count}" for name, count in summary.planted.items())
    console.print(f"Planted (listed in {out / 'planted.csv'}): {planted}")
    console.print(f"Open it with: immunocare screen --omop {out} --as-of {day.isoformat()}")
