"""``shopbot customer``: act on one shop customer's personal data (erasure requests)."""

from __future__ import annotations

import getpass

import typer

app = typer.Typer(help="A customer's personal data (erasure).", no_args_is_help=True)


@app.command("erase")
def erase(
    who: str = typer.Argument(..., help="The customer's e-mail or customer id."),
    reason: str = typer.Option("", "--reason", help="The request or ticket, kept in the audit."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    key_prefix: str = typer.Option(
        "shopbot", "--key-prefix", help="Redis key prefix of the tracker/lock stores."
    ),
) -> None:
    """Erase every conversation, tracker, memory and profile of a customer (audited)."""
    from bot.bootstrap import services
    from bot.console.erasure import ErasureError, erase_customer

    if not yes and not typer.confirm(f"Erase {who} everywhere? This cannot be undone"):
        raise typer.Exit(1)
    try:
        report = erase_customer(
            services().database,
            who,
            staff=f"cli:{getpass.getuser()}",
            redis_url=services().settings.redis_url,
            key_prefix=key_prefix,
            reason=reason,
        )
    except ErasureError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Erased {report.describe()}.")
