"""``immunocare screen --omop SOURCE --out RESULT``: case-finding over a whole OMOP population."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from immunocare.errors import FieldIssue, ValidationError
from immunocare.knowledge import load_knowledge_base

from ._common import console, errors, state

if TYPE_CHECKING:
    import ibis  # type: ignore[import-untyped, unused-ignore]
    import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]

__all__ = ["screen_command"]


class Engine(StrEnum):
    """Which engine runs the rules."""

    DUCKDB = "duckdb"
    SPARK = "spark"


@dataclass(frozen=True)
class _DuckDBFile:
    """A DuckDB OMOP file, until ``population.sources.open_source`` reads every kind of source."""

    path: Path
    engine: str = "duckdb"

    @property
    def description(self) -> str:
        """The file, in words."""
        return f"DuckDB file {self.path.name}"

    @cached_property
    def backend(self) -> ibis.BaseBackend:
        """One read-only connection for every table (Ibis joins tables of one connection only)."""
        from immunocare.population._duckdb import connect_duckdb

        return connect_duckdb(self.path, read_only=True)

    def table(self, name: str) -> ir.Table:
        """The table with lower-case column names."""
        table = self.backend.table(name)
        return table.rename({column.lower(): column for column in table.columns if column != column.lower()})

    def has(self, name: str) -> bool:
        """Whether the file has the table."""
        rows = self.backend.raw_sql("select lower(table_name) from information_schema.tables").fetchall()
        return name in {row[0] for row in rows}


def _open(spec: str, engine: Engine) -> _DuckDBFile:
    path = Path(spec)
    if engine is not Engine.DUCKDB or path.suffix not in (".duckdb", ".db") or not path.is_file():
        raise ValidationError([FieldIssue("omop", f"{spec}: give an existing .duckdb file (duckdb engine)")])
    return _DuckDBFile(path)


def screen_command(
    ctx: typer.Context,
    omop: Annotated[str, typer.Option(help="The OMOP CDM source (a DuckDB file).")],
    out: Annotated[Path, typer.Option(help="The ranked list to write: a .parquet or .csv file.")],
    engine: Annotated[Engine, typer.Option(help="The engine that runs the rules.")] = Engine.DUCKDB,
    as_of: Annotated[
        str | None, typer.Option(help="The day of the screen (YYYY-MM-DD); today if left out.")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Also write the HTML report here.")] = None,
) -> None:
    """Rank the persons of an OMOP population by the warning signs in their coded history."""
    from immunocare.population import screen, write_result

    day = date.fromisoformat(as_of) if as_of else date.today()
    with errors():
        kb = load_knowledge_base(state(ctx).settings.knowledge_overlay_dir)
        result = screen(_open(omop, engine), kb, as_of=day, progress=True)
        written = write_result(result, out)
        if report is not None:
            from immunocare.population.report import render_report  # type: ignore[import-not-found, unused-ignore]

            report.write_text(render_report(result), encoding="utf-8")
            written.append(report)
    refer = int(result.ranked["to_refer"].sum())
    console.print(
        f"{result.persons_screened} persons screened as of {day.isoformat()}: "
        f"{len(result.ranked)} with a sign, {refer} to refer (score ≥ {result.threshold:g}), "
        f"{len(result.already_coded)} already coded, "
        f"{len(result.surveillance_gap)} in the surveillance gap.",
        highlight=False,
    )
    for notice in result.notices:
        console.print(f"  notice: {notice}", highlight=False)
    for path in written:
        console.print(f"  wrote {path}", highlight=False)
