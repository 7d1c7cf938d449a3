"""``immunocare ig plan``: an immunoglobulin replacement plan, every number with its source."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from immunocare.clinical.immunoglobulin import Cited, IgPlan, PlanRequest, Source, ig_plan
from immunocare.domain import IgRoute, Quantity, Sex
from immunocare.knowledge import load_knowledge_base

from ._common import console, errors, state

__all__ = ["ig_app"]

ig_app = typer.Typer(
    help="Immunoglobulin replacement: doses, vials and infusion schedules.", no_args_is_help=True
)


class OutputFormat(StrEnum):
    """How the plan is printed."""

    TEXT = "text"
    JSON = "json"


class DoseWeight(StrEnum):
    """Which weight the doses use (both are shown)."""

    ACTUAL = "actual"
    ADJUSTED = "adjusted"


def _quantity(value: float | None, unit: str) -> Quantity | None:
    return None if value is None else Quantity(value, unit)


def _cited(cited: Cited) -> dict[str, Any]:
    return {
        "label": cited.label,
        "value": cited.shown(),
        "how": cited.how,
        "verified": cited.verified,
        "sources": [
            {"item": s.item_id, "citations": list(s.citations), "verified": s.verified} for s in cited.sources
        ],
    }


def _document(plan: IgPlan) -> dict[str, Any]:
    return {
        "product": {"id": plan.product.id, "brand": plan.product.brand, "label": plan.product.label},
        "route": plan.route.value,
        "actual_weight": str(plan.weights.actual),
        "adjusted_weights": [_cited(c) for c in plan.weights.adjusted],
        "dosing_weight": str(plan.dosing_weight),
        "doses": [_cited(c) for c in plan.doses],
        "vial_rounding": [
            {
                "dose": str(r.dose),
                "down": r.down.describe() if r.down else None,
                "up": r.up.describe(),
            }
            for r in plan.rounding
        ],
        "schedules": [
            {
                "title": s.title,
                "applies": "yes" if s.decided else "check the patient's age or group",
                "lines": [_cited(c) for c in s.lines],
                "warnings": list(s.warnings),
            }
            for s in plan.schedules
        ],
        "measles_exposure": [_cited(c) for c in plan.measles_exposure],
        "notes": list(plan.notes),
        "decision_support": "Suggestions for the prescribing clinician to check; not an order.",
    }


def _table(title: str, rows: tuple[Cited, ...]) -> Table:
    table = Table("what", "value", "how", "source", title=title, title_justify="left")
    for row in rows:
        source = "; ".join(str(s) for s in row.sources) or "your input"
        table.add_row(row.label, row.shown(), row.how, source)
    return table


def _sources(plan: IgPlan) -> list[Source]:
    rows = (
        *plan.weights.adjusted,
        *plan.doses,
        *plan.measles_exposure,
        *(c for s in plan.schedules for c in s.lines),
    )
    return list({source.item_id: source for row in rows for source in row.sources}.values())


def _print(plan: IgPlan) -> None:
    console.print(
        f"[bold]{plan.product.brand}[/] ({plan.product.id}, {plan.product.label}), {plan.route.label}"
    )
    console.print(f"Actual weight {plan.weights.actual}; doses below use {plan.dosing_weight}.")
    if plan.weights.adjusted:
        console.print(_table("Dose-determining weight (the clinician chooses)", plan.weights.adjusted))
    console.print(_table("Doses", plan.doses))
    for rounding in plan.rounding:
        down = rounding.down.describe() if rounding.down else "below the smallest container"
        console.print(f"{rounding.dose} in whole containers: down {down}; up {rounding.up.describe()}")
    for schedule in plan.schedules:
        applies = "" if schedule.decided else " [yellow](check the patient's age or group)[/]"
        console.print(_table(f"Infusion schedule: {schedule.title}{applies}", schedule.lines))
        for warning in schedule.warnings:
            console.print(f"[yellow]Warning:[/] {warning}")
    if plan.measles_exposure:
        console.print(_table("Measles exposure", plan.measles_exposure))
    for note in plan.notes:
        console.print(f"Note: {note}")
    console.print("[bold]Sources[/]")
    for source in _sources(plan):
        console.print(
            f"  {source.item_id}{'' if source.verified else ' (UNVERIFIED)'}: {'; '.join(source.citations)}"
        )
    console.print("Decision support: suggestions for the prescribing clinician to check, not an order.")


@ig_app.command("plan")
def plan_command(
    ctx: typer.Context,
    product: Annotated[str, typer.Option(help="Product id or brand, e.g. hizentra_us or Privigen.")],
    route: Annotated[IgRoute, typer.Option(help="iv, sc or fsc (facilitated SC).")],
    weight: Annotated[float | None, typer.Option(help="Body weight in kg.")] = None,
    height: Annotated[float | None, typer.Option(help="Height in cm (for the adjusted weight).")] = None,
    sex: Annotated[Sex | None, typer.Option(help="Sex (for the adjusted weight).")] = None,
    age: Annotated[float | None, typer.Option(help="Age in years (picks the label's age bands).")] = None,
    from_ivig_dose: Annotated[float | None, typer.Option(help="Previous IVIG dose in g.")] = None,
    from_ivig_interval_weeks: Annotated[
        float | None, typer.Option(help="Weeks between previous IVIG doses.")
    ] = None,
    dose_weight: Annotated[
        DoseWeight, typer.Option(help="Dose by the actual or the obesity-adjusted weight.")
    ] = DoseWeight.ACTUAL,
    format_: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.TEXT,
) -> None:
    """Doses, vials and the infusion schedule for one product and route, each number with its source."""
    with errors():
        kb = load_knowledge_base(state(ctx).settings.knowledge_overlay_dir)
        request = PlanRequest(
            weight=_quantity(weight, "kg"),
            product=product,
            route=route,
            height=_quantity(height, "cm"),
            sex=sex,
            age=_quantity(age, "a"),
            from_ivig_dose=_quantity(from_ivig_dose, "g"),
            from_ivig_interval=_quantity(from_ivig_interval_weeks, "wk"),
            use_adjusted_weight=dose_weight is DoseWeight.ADJUSTED,
        )
        plan = ig_plan(kb, request)
    if format_ is OutputFormat.JSON:
        console.print_json(json.dumps(_document(plan)))
    else:
        _print(plan)
