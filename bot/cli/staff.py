"""``shopbot staff``: staff accounts for the console."""

from __future__ import annotations

import getpass

import typer

from bot.settings import environment_value

app = typer.Typer(
    help="Staff accounts for the console (roles: agent, supervisor, admin).",
    no_args_is_help=True,
)


@app.command("add")
def add(
    email: str = typer.Argument(..., help="The staff member's e-mail (their login)."),
    role: str = typer.Option("agent", "--role", help="agent, supervisor (may export) or admin."),
    password_env: str | None = typer.Option(
        None, "--password-env", help="Read the password from this environment variable."
    ),
) -> None:
    """Create a staff account; the password is prompted for unless --password-env is given."""
    from bot.bootstrap import services
    from bot.console.auth import StaffError, add_staff, audit

    if password_env:
        password = environment_value(password_env)
        if not password:
            typer.echo(f"Environment variable {password_env} is empty or not set.", err=True)
            raise typer.Exit(2)
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user_id = add_staff(services().database, email, password, role)
    except StaffError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    audit(services().database, _actor(), "staff-add", None, f"{email.strip().lower()} as {role}")
    typer.echo(f"Created {role} account {email.strip().lower()} (id {user_id}).")


@app.command("role")
def role(
    email: str = typer.Argument(..., help="The staff member's e-mail."),
    new_role: str = typer.Argument(..., help="agent, supervisor or admin."),
) -> None:
    """Change a staff member's role (audited)."""
    from bot.bootstrap import services
    from bot.console.auth import StaffError, set_role

    try:
        previous = set_role(services().database, email, new_role, _actor())
    except StaffError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{email.strip().lower()}: {previous} -> {new_role}.")


def _actor() -> str:
    """Who ran the command, as the audit log names a CLI user."""
    return f"cli:{getpass.getuser()}"


@app.command("list")
def list_staff() -> None:
    """Show staff accounts (e-mail, role, active)."""
    from bot.bootstrap import services
    from bot.console.auth import staff_accounts

    for email, role, active in staff_accounts(services().database):
        typer.echo(f"{email}\t{role}\t{'active' if active else 'disabled'}")
