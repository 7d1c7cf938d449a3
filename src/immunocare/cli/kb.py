"""``immunocare kb validate|show|export``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.review import review_markdown

from ._common import console, error_console, errors, state

__all__ = ["kb_app"]

kb_app = typer.Typer(help="Check, inspect and export the clinical knowledge base.", no_args_is_help=True)


class ExportFormat(StrEnum):
    """Formats of the review document."""

    MD = "md"


def _load(ctx: typer.Context) -> KnowledgeBase:
    return load_knowledge_base(state(ctx).settings.knowledge_overlay_dir)


@kb_app.command("validate")
def validate(ctx: typer.Context) -> None:
    """Load and check every knowledge file; exit 1 on any problem."""
    try:
        kb = _load(ctx)
    except KnowledgeBaseError as error:
        error_console.print(f"[bold red]{len(error.problems)} problem(s) in the knowledge base:[/]")
        for problem in error.problems:
            error_console.print(f"  [red]•[/] {problem}")
        raise typer.Exit(1) from None
    table = Table("topic", "items", "unverified", "local")
    for topic, items in kb.topics.items():
        table.add_row(
            kb.topic_titles[topic],
            str(len(items)),
            str(sum(not i.verified for i in items)),
            str(sum(i.local for i in items)),
        )
    console.print(table)
    total = sum(len(items) for items in kb.topics.values())
    console.print(
        f"Knowledge base {kb.version}: {total} items, {len(kb.citations)} sources, "
        f"{len(kb.unverified())} unverified. HPO release {kb.hpo.release}. [green]Valid.[/]"
    )


@kb_app.command("show")
def show(ctx: typer.Context, item_id: Annotated[str, typer.Argument(help="A knowledge item id.")]) -> None:
    """Show one item with its sources."""
    with errors():
        kb = _load(ctx)
        item = kb.get(item_id)
    status = "[green]verified[/]" if item.verified else "[yellow]UNVERIFIED[/]"
    console.print(f"[bold]{item.title}[/]  ({item.id}, {status}{', local' if item.local else ''})")
    if item.note:
        console.print(item.note)
    for source in kb.cite(item):
        console.print(f"  source: {source}")
    console.print_json(
        item.model_dump_json(exclude={"id", "title", "citations", "verified", "note", "local"})
    )


@kb_app.command("export")
def export(
    ctx: typer.Context,
    format_: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.MD,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """A review document for clinicians: every rule with its source, grouped by topic."""
    with errors():
        text = review_markdown(_load(ctx))
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}")
