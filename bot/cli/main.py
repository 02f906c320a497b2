"""The ``shopbot`` command: one Typer app, one sub-command group per module in bot/cli/.

A group module defines ``app = typer.Typer(help=...)`` and is listed in ``GROUPS``; groups
are added here so ``shopbot --help`` shows every area of the product.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

import typer

GROUPS: dict[str, str] = {
    "db": "bot.cli.db",
    "shop": "bot.cli.shop",
    "catalog": "bot.cli.catalog",
    "nlu": "bot.cli.nlu",
    "memory": "bot.cli.memory",
    "llm": "bot.cli.llm",
    "staff": "bot.cli.staff",
    "customer": "bot.cli.customer",
    "transcripts": "bot.cli.transcripts",
    "sentiment": "bot.cli.sentiment",
    "profile": "bot.cli.profile",
    "copy": "bot.cli.copy",
    "web": "bot.cli.web",
}

app = typer.Typer(
    help="shopbot: the customer-service assistant for online shops.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug output."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from bot.bootstrap import services

    # The command's services, built once from the settings (each service on first use);
    # the groups reach them through bot.bootstrap.services(), also when invoked alone.
    ctx.obj = services()


for _name, _module in GROUPS.items():
    if importlib.util.find_spec(_module) is None:
        continue
    _group = importlib.import_module(_module)
    if isinstance(getattr(_group, "app", None), typer.Typer):
        app.add_typer(_group.app, name=_name)
    elif callable(getattr(_group, "command", None)):
        app.command(_name)(_group.command)


if __name__ == "__main__":
    app()
