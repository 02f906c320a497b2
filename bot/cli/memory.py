"""``shopbot memory``: read or erase what the bot remembers about one shopper."""

from __future__ import annotations

import json

import typer
from rich.console import Console

app = typer.Typer(help="Session memory: show or erase a shopper's memory.", no_args_is_help=True)
console = Console()


def _store():
    from bot.bootstrap import services

    if not services().settings.redis_url:
        console.print(
            "[yellow]REDIS_URL is not set: memory lives inside the action server process "
            "and cannot be read from here.[/]"
        )
    return services().memory


@app.command()
def show(sender: str = typer.Argument(..., help="The conversation's sender id.")) -> None:
    """Print the session memory of SENDER as JSON (summary, products, preferences)."""
    from bot.memory import MemoryUnavailable

    try:
        state = _store().load(sender)
    except MemoryUnavailable as exc:
        console.print(f"[red]Memory store unreachable:[/] {exc}")
        raise typer.Exit(1) from exc
    if state.is_empty():
        console.print(f"No memory for {sender}.")
        return
    console.print_json(json.dumps(state.to_dict()))


@app.command()
def erase(
    sender: str = typer.Argument(..., help="The conversation's sender id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Erase everything remembered about SENDER (a shopper's request to be forgotten)."""
    from bot.memory import MemoryUnavailable

    if not yes and not typer.confirm(f"Erase the session memory of {sender}?"):
        raise typer.Abort()
    try:
        removed = _store().erase(sender)
    except MemoryUnavailable as exc:
        console.print(f"[red]Memory store unreachable; nothing erased:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Erased memory of {sender}." if removed else f"No memory for {sender}.")
