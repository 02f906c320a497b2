"""``shopbot web``: serve the web app alone, or run the whole product locally."""

from __future__ import annotations

import secrets
import signal
import time
from pathlib import Path

import typer
from rich.console import Console

from bot.bootstrap import services
from bot.runtime.stack import DEFAULT_MODEL, Stack, StackConfig, StackError

app = typer.Typer(help="Run the web app or the whole stack.", no_args_is_help=True)
console = Console()


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface (default SHOPBOT_WEB_HOST)."),
    port: int = typer.Option(None, help="Port (default SHOPBOT_WEB_PORT)."),
) -> None:
    """Serve the storefront, widget and staff console (needs a running Rasa for chat)."""
    import uvicorn

    settings = services().settings
    uvicorn.run(
        "bot.web.app:create_app",
        factory=True,
        host=host or settings.web_host,
        port=port or settings.web_port,
        # The app resolves client addresses itself from SHOPBOT_TRUSTED_PROXIES
        # (bot/web/limits.py); uvicorn's own rewrite would trust any local peer.
        proxy_headers=False,
    )


@app.command("run-stack")
def run_stack(
    rasa_port: int = typer.Option(5005, help="Rasa server port."),
    actions_port: int = typer.Option(5055, help="Action server port."),
    web_port: int = typer.Option(8000, help="Web app port."),
    model: str = typer.Option(str(DEFAULT_MODEL), help="Trained Rasa model."),
) -> None:
    """Start Rasa, the action server and the web app; print the URLs; stop on Ctrl-C."""
    settings = services().settings
    console.print(f"[bold]shopbot[/] starting with {settings.describe_stores()}")
    config = StackConfig(
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        rasa_port=rasa_port,
        actions_port=actions_port,
        web_port=web_port,
        model=Path(model),
    )
    # The operator's secrets when set (each process refuses weak ones outside the embedded
    # default); otherwise the stack's random per-run ones, passed to both sides.
    if settings.rasa_token is not None:
        config.rasa_token = settings.rasa_token.get_secret_value()
    if settings.action_server_token is not None:
        config.action_token = settings.action_server_token.get_secret_value()
    if settings.secret_key is not None:
        config.secret_key = settings.secret_key.get_secret_value()
    config.cors_origins = settings.cors_origins
    if settings.is_embedded and settings.customer_token_secret is None:
        # The demo sign-in (on when embedded) signs shopper tokens the actions verify.
        config.extra_env["SHOPBOT_CUSTOMER_TOKEN_SECRET"] = secrets.token_hex(32)
    stack = Stack(config)
    try:
        with console.status("Starting Rasa (loading the model takes ~30 s), actions, web app"):
            stack.start()
    except StackError as exc:
        console.print(f"[red]Could not start the stack:[/] {exc}")
        raise typer.Exit(1) from None
    console.print(f"  Storefront with chat  [link]{stack.web_url}/[/link]")
    console.print(f"  Staff console         [link]{stack.web_url}/console/[/link]")
    console.print(f"  Rasa server           {stack.rasa_url}  (HTTP API token-protected)")
    console.print(f"  Action server         {stack.actions_url}")
    console.print(f"  Logs                  {config.log_dir}")
    console.print("Press Ctrl-C to stop.")
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for name in ("rasa", "actions", "web"):
                if stack.process(name).poll() is not None:
                    console.print(f"[red]{name} stopped unexpectedly:[/]\n{stack.tail(name)}")
                    stopping = True
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        console.print("Stopping…")
        stack.stop()
