"""``shopbot shop``: generate the demo shop, import shop data, show what the database holds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from bot.bootstrap import services
from bot.db.session import Database
from bot.settings import PROJECT_ROOT
from bot.shop.errors import ShopDataError
from bot.shop.loader import ImportReport, load_shop_data
from bot.shop.records import ShopData

app = typer.Typer(
    help="Shop data: demo shop, importers (demo, τ-bench, feeds), stats.", no_args_is_help=True
)
load_app = typer.Typer(help="Import shop data into the configured database.", no_args_is_help=True)
app.add_typer(load_app, name="load")
console = Console()
log = logging.getLogger(__name__)

DEMO_DIR = PROJECT_ROOT / "data" / "shop" / "demo"


def _open_database() -> Database:
    """The configured database with every table created (works on a fresh database)."""
    from bot.db import migrate

    migrate.upgrade(services().settings.database_url)
    return services().database


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Keep migration and import INFO logs out of one-line outputs (``make run``)."""
    loggers = [logging.getLogger(name) for name in ("alembic", "bot.shop")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _fail(exc: Exception) -> typer.Exit:
    log.warning("shop import failed: %s", exc)
    # soft_wrap: file paths in the message must stay copyable, never broken across lines.
    console.print(f"[bold red]Import failed:[/] {escape(str(exc))}", soft_wrap=True)
    console.print("Nothing was written to the database.")
    return typer.Exit(1)


def _run_import(read: Callable[[], ShopData], quiet: bool = False) -> ImportReport:
    """Read (validate) then load in one transaction, with a progress bar and a summary."""
    try:
        data = read()
    except ShopDataError as exc:
        raise _fail(exc) from None
    db = _open_database()
    try:
        with Progress(
            TextColumn("[bold]{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=False,
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def start(label: str, total: int) -> None:
                tasks[label] = progress.add_task(label, total=max(total, 1))
                if total == 0:
                    progress.update(tasks[label], completed=1)

            def advance(label: str, n: int) -> None:
                progress.advance(tasks[label], n)

            report = load_shop_data(db, data, on_start=start, on_advance=advance)
    except ShopDataError as exc:
        raise _fail(exc) from None
    finally:
        db.dispose()
    if not quiet:
        _print_report(report)
    return report


def _print_report(report: ImportReport) -> None:
    table = Table(title=f"Import of {report.source} data ({report.seconds:.2f}s)")
    table.add_column("table")
    for name in ("created", "updated", "unchanged"):
        table.add_column(name, justify="right")
    for name, counts in report.tables.items():
        table.add_row(name, str(counts.created), str(counts.updated), str(counts.unchanged))
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]Note:[/] {note}")
    if report.changed == 0:
        console.print("[green]Already up to date: nothing changed.[/]")


@load_app.command("demo")
def load_demo(
    folder: Path = typer.Option(DEMO_DIR, "--from", help="Folder with the demo shop JSON files."),
) -> None:
    """Load the project's demo shop (data/shop/demo/) into the database."""
    from bot.shop.demo import read_demo

    _run_import(lambda: read_demo(folder))


@load_app.command("tau")
def load_tau(
    path: Path = typer.Argument(..., help="Folder with τ-bench products/users/orders.json."),
) -> None:
    """Load the τ-bench retail data set (e.g. ../shared/data/tau_retail)."""
    from bot.shop.tau import read_tau

    _run_import(lambda: read_tau(path))


@load_app.command("feed")
def load_feed(
    file: Path = typer.Argument(..., help="A product feed, .csv or .json (docs/product-feed.md)."),
) -> None:
    """Load a product feed in CSV or JSON (columns in docs/product-feed.md)."""
    from bot.shop.feed import read_feed

    _run_import(lambda: read_feed(file))


@app.command("ensure-demo")
def ensure_demo() -> None:
    """Load the demo shop only if the database has no products yet (used by `make run`)."""
    from bot.shop.demo import read_demo
    from bot.shop.stats import product_count

    with _quiet_logs():
        db = _open_database()
        try:
            existing = product_count(db)
        finally:
            db.dispose()
        if existing:
            console.print(f"Shop database has {existing} products; demo shop not loaded.")
            return
        report = _run_import(lambda: read_demo(DEMO_DIR), quiet=True)
    counts = report.tables
    console.print(
        f"Loaded the demo shop: {counts['products'].total} products, "
        f"{counts['customers'].total} customers, {counts['orders'].total} orders "
        f"({report.seconds:.1f}s)."
    )


@app.command("generate-demo")
def generate_demo(
    out: Path = typer.Option(DEMO_DIR, "--out", help="Folder to write the JSON files to."),
    seed: int = typer.Option(20261129, help="Random seed (same seed, same shop)."),
) -> None:
    """Generate the demo shop's JSON files deterministically (commit the output)."""
    from bot.shop.demo_gen import generate_demo_shop, write_demo_shop

    shop = generate_demo_shop(seed)
    files = write_demo_shop(shop, out)
    for file in files:
        console.print(f"wrote {file}")
    console.print(
        f"[green]{len(shop['products'])} products, {len(shop['customers'])} customers, "
        f"{len(shop['orders'])} orders.[/]"
    )


@app.command()
def stats() -> None:
    """Show counts of categories, products, customers, orders, payments and policy passages."""
    from bot.shop.stats import shop_stats

    db = _open_database()
    try:
        rows = shop_stats(db)
    finally:
        db.dispose()
    table = Table(title="Shop database")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in rows:
        style = "dim" if ":" in label else None
        table.add_row(label, str(value), style=style)
    console.print(table)
