"""``immunocare screen --omop SOURCE --out RESULT``: case-finding over a whole OMOP population."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from immunocare.knowledge import load_knowledge_base

from ._common import console, errors, state

__all__ = ["screen_command"]


class Engine(StrEnum):
    """Which engine runs the rules."""

    DUCKDB = "duckdb"
    SPARK = "spark"


def screen_command(
    ctx: typer.Context,
    omop: Annotated[
        str,
        typer.Option(
            help="The OMOP CDM source: a DuckDB file, a folder of Parquet or CSV files, "
            "postgresql://user@host/db?schema=cdm, or spark:DATABASE."
        ),
    ],
    out: Annotated[Path, typer.Option(help="The ranked list to write: a .parquet or .csv file.")],
    engine: Annotated[Engine, typer.Option(help="The engine that runs the rules.")] = Engine.DUCKDB,
    as_of: Annotated[
        str | None, typer.Option(help="The day of the screen (YYYY-MM-DD); today if left out.")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Also write the HTML report here.")] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(help="With --engine spark: the Spark master (spark://host:7077); local[*] if left out."),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            help="With DuckDB: the most memory the screen may hold (2GB, 512MiB); beyond it DuckDB "
            "spills to a temporary folder. DuckDB's own limit (80% of memory) if left out."
        ),
    ] = None,
) -> None:
    """Rank the persons of an OMOP population by the warning signs in their coded history."""
    import duckdb

    from immunocare.errors import FieldIssue, ValidationError
    from immunocare.population import render_report, screen, write_result
    from immunocare.population.sources import open_source, spark_session

    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date; use YYYY-MM-DD", param_hint="--as-of") from None
    with errors():
        kb = load_knowledge_base(state(ctx).settings.knowledge_overlay_dir)
        source = open_source(
            omop,
            engine=engine.value,
            spark=spark_session(spark_master) if engine is Engine.SPARK and spark_master else None,
            memory_limit=memory_limit,
        )
        try:
            result = screen(source, kb, as_of=day, progress=True)
        except duckdb.OutOfMemoryException:
            limit = memory_limit or "DuckDB's own limit (80% of this machine's memory)"
            raise ValidationError(
                [FieldIssue("memory_limit", f"the screen needs more memory than {limit} allows")]
            ) from None
        written = write_result(result, out)
        if report is not None:
            report.write_text(render_report(result), encoding="utf-8")
            written.append(report)
    refer = int(result.ranked["to_refer"].sum())
    console.print(
        f"{result.persons_screened} persons screened as of {day.isoformat()} ({result.source}, "
        f"{result.engine}): "
        f"{len(result.ranked)} with a sign, {refer} to refer (score ≥ {result.threshold:g}), "
        f"{len(result.already_coded)} already coded, "
        f"{len(result.surveillance_gap)} in the surveillance gap.",
        highlight=False,
    )
    unverified = sorted({sign.title for sign in result.signs if not sign.verified})
    if unverified:
        console.print(f"  unverified signs (see their notes): {'; '.join(unverified)}", highlight=False)
    for notice in result.notices:
        console.print(f"  notice: {notice}", highlight=False)
    for path in written:
        console.print(f"  wrote {path}", highlight=False)
