"""``shopbot copy``: grounded product texts for one product or a whole category."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()


def command(
    product: str = typer.Option(None, "--product", help="One product id."),
    category: str = typer.Option(None, "--category", help="Every product of a category (slug)."),
    kind: str = typer.Option("listing", "--kind", help="listing | social | email"),
    tone: str = typer.Option("friendly", "--tone", help="friendly | premium | playful"),
    language: str = typer.Option("en", "--language", "--lang", help="en | de | fr | es | zh"),
    out: Path = typer.Option(..., "--out", help="Output file: .csv or .json"),
) -> None:
    """Write product copy through the configured LLM backend (template composer by default).

    Every text is checked against the catalog (prices, materials, sizes, colours, features);
    a failing text is regenerated once and then written with status "flagged" and the reasons.
    """
    from bot.bootstrap import services
    from bot.insights.copy import KINDS, LANGUAGES, TONES, products_for
    from bot.insights.copy import write_copy as write_one

    for value, allowed, name in ((kind, KINDS, "kind"), (tone, TONES, "tone"),
                                 (language, LANGUAGES, "language")):  # fmt: skip
        if value not in allowed:
            console.print(f"[red]--{name} must be one of {', '.join(allowed)}[/]")
            raise typer.Exit(2)
    if bool(product) == bool(category):
        console.print("[red]Give exactly one of --product ID or --category SLUG.[/]")
        raise typer.Exit(2)
    if out.suffix.lower() not in (".csv", ".json"):
        console.print("[red]--out must end in .csv or .json[/]")
        raise typer.Exit(2)
    try:
        facts = products_for(services().database, product, category)
        generate, backend = services().copy_generator()
    except Exception as exc:  # database or backend unreachable: say so, no traceback
        console.print(f"[red]Cannot start:[/] {exc}")
        raise typer.Exit(1) from exc
    if not facts:
        what = f"product {product}" if product else f"category {category}"
        console.print(f"[red]No {what} in the catalog.[/]")
        raise typer.Exit(1)
    results = []
    with Progress(
        TextColumn("writing copy"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console,
    ) as progress:  # fmt: skip
        task = progress.add_task("copy", total=len(facts))
        for fact in facts:
            results.append(write_one(fact, kind, tone, language, generate, backend))
            progress.advance(task)
    rows = [r.row() for r in results]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    flagged = [r for r in results if r.status != "ok"]
    console.print(
        f"Wrote {len(results)} text(s) to {out} with backend {backend}: "
        f"{len(results) - len(flagged)} ok, {len(flagged)} flagged."
    )
    for r in flagged[:10]:
        console.print(f"[yellow]flagged[/] {r.product_id}: {'; '.join(r.reasons)}")
