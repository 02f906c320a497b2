"""``shopbot profile``: build, show and erase customers' preference profiles."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

app = typer.Typer(
    help="Preference profiles (sizes, colours, budgets, categories, brands) with evidence.",
    no_args_is_help=True,
)
console = Console()


def _db():
    from bot.db.session import get_database

    return get_database()


@app.command()
def build(
    customer_id: str = typer.Argument(None, help="One customer; omit to rebuild everyone."),
) -> None:
    """Rebuild profiles from orders and identified conversations (Rasa events)."""
    from bot.insights.profiles import build_profile
    from bot.orders.repository import OrderRepository

    db = _db()
    if customer_id:
        try:
            profile = build_profile(db, customer_id)
        except LookupError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from exc
        state = "erased on request, not built" if profile.erased else "built"
        console.print(f"{customer_id}: {len(profile.preferences)} preferences ({state})")
        return
    with db.session() as session:
        ids = OrderRepository(session).customer_ids()
    with Progress(console=console) as progress:
        task = progress.add_task("building profiles", total=len(ids))
        for cid in ids:
            build_profile(db, cid)
            progress.advance(task)
    console.print(f"Built {len(ids)} profiles.")


@app.command()
def show(
    customer_id: str = typer.Argument(..., help="The customer id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print a customer's stored profile with the evidence for each preference."""
    from bot.insights.profiles import load_profile

    profile = load_profile(_db(), customer_id)
    if as_json:
        console.print_json(json.dumps(profile.as_dict()))
        return
    if profile.erased:
        console.print(f"The profile of {customer_id} was erased on request.")
        return
    if profile.is_empty():
        console.print(f"No profile for {customer_id} (run `shopbot profile build {customer_id}`).")
        return
    table = Table(title=f"Profile of {customer_id}")
    for column in ("kind", "value", "for", "weight", "evidence"):
        table.add_column(column)
    for pref in profile.preferences:
        evidence = "\n".join(e.describe() for e in pref.evidence[:3])
        if len(pref.evidence) > 3:
            evidence += f"\n(+{len(pref.evidence) - 3} more)"
        table.add_row(pref.kind, pref.value, pref.category, str(pref.weight), evidence)
    console.print(table)


@app.command()
def erase(
    customer_id: str = typer.Argument(..., help="The customer id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Erase a customer's profile on their request; later builds skip them."""
    from bot.insights.profiles import erase_profile

    if not yes and not typer.confirm(f"Erase the preference profile of {customer_id}?"):
        raise typer.Exit(1)
    deleted = erase_profile(_db(), customer_id)
    console.print(f"Erased {deleted} preference facts of {customer_id}; future builds skip them.")
