"""``shopbot db``: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from bot.bootstrap import services
from bot.db import migrate

app = typer.Typer(help="Database schema: create and upgrade the tables.", no_args_is_help=True)
console = Console()


@app.command()
def upgrade(
    revision: str = typer.Argument("heads", help="Target revision (default: newest)."),
) -> None:
    """Apply Alembic migrations to the configured database (DATABASE_URL)."""
    settings = services().settings
    console.print(f"[bold]Upgrading[/] {settings.describe_stores()}")
    migrate.upgrade(settings.database_url, revision)
    console.print("[green]Schema is up to date.[/]")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Revision to go back to.")) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(services().settings.database_url, revision)
    console.print(f"[green]Downgraded to {revision}.[/]")
