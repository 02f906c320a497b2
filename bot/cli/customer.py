"""``shopbot customer``: act on one shop customer's personal data (erasure), sign links."""

from __future__ import annotations

import getpass

import typer

app = typer.Typer(
    help="A customer's personal data (erasure) and signed links.", no_args_is_help=True
)


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


@app.command("telegram-link")
def telegram_link(
    customer_id: str = typer.Argument(..., help="The customer id the link vouches for."),
    bot: str = typer.Option(..., "--bot", help="The Telegram bot's username (without @)."),
    ttl_s: int = typer.Option(3600, "--ttl", help="Seconds the link stays valid."),
) -> None:
    """Print a Telegram deep link that identifies the customer (signed with the customer-token
    secret; a shop's backend does the same with ``sign_link_token``)."""
    import re

    from bot.bootstrap import services
    from bot.safety.customer_token import sign_link_token

    secret = services().settings.customer_token_secret
    if secret is None or not secret.get_secret_value():
        typer.echo("SHOPBOT_CUSTOMER_TOKEN_SECRET is not set: links cannot be signed.", err=True)
        raise typer.Exit(1)
    if not re.fullmatch(r"[A-Za-z0-9_]{5,32}", bot):
        typer.echo("--bot must be the bot's username, e.g. my_shop_bot.", err=True)
        raise typer.Exit(1)
    try:
        token = sign_link_token(customer_id, secret, ttl_s)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"https://t.me/{bot}?start={token}")
