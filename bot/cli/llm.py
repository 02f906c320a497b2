"""``shopbot llm``: try the answer pipeline and the configured LLM backend from a terminal."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="LLM answers: ask a question, check the backend.", no_args_is_help=True)
console = Console()


@app.command()
def ask(
    question: str = typer.Argument(..., help="The shopper's question."),
    sender: str = typer.Option("cli", help="Sender id (whose session memory to use)."),
    customer: str | None = typer.Option(None, help="Verified customer id, for order questions."),
    show_facts: bool = typer.Option(False, "--facts", help="Print the numbered facts used."),
) -> None:
    """Answer QUESTION like the bot would (retrieval, prompt, generation, grounding check)."""
    from bot.bootstrap import services

    service = services().answers
    try:
        answer = asyncio.run(service.answer(question, sender_id=sender, customer_id=customer))
    except Exception as exc:
        console.print(f"[red]Could not answer:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(answer.text)
    console.print(
        f"[dim]backend={answer.backend} grounded={answer.grounded} "
        f"fell_back={answer.fell_back} kind={answer.kind} {answer.latency_ms:.0f} ms[/]"
    )
    for problem in answer.problems:
        console.print(f"[yellow]rejected:[/] {problem}")
    if answer.cards:
        console.print("[dim]cards: " + ", ".join(c["id"] for c in answer.cards) + "[/]")
    if show_facts:
        table = Table("ref", "kind", "fact")
        for fact in answer.facts:
            table.add_row(fact["ref"], fact["kind"], fact["text"])
        console.print(table)


@app.command()
def check(
    prompt: str = typer.Option("Say hello in five words.", help="A test prompt."),
) -> None:
    """Send one test prompt to the configured backend (SHOPBOT_LLM_*) and show the reply."""
    from bot.bootstrap import services
    from bot.llm.base import ChatMessage, LLMError

    settings = services().settings
    console.print(f"backend: [bold]{settings.llm_backend}[/]  model: {settings.llm_model or '-'}")
    if settings.llm_backend == "template":
        console.print("The template backend needs no model; it composes answers from facts.")
        return

    async def run() -> str:
        backend = services().llm
        try:
            return await backend.generate(
                [ChatMessage("user", prompt)],
                max_new_tokens=40,
                timeout=settings.llm_timeout_s,
            )
        finally:
            await backend.aclose()

    try:
        console.print(asyncio.run(run()))
    except LLMError as exc:
        console.print(f"[red]Backend failed:[/] {exc}")
        raise typer.Exit(1) from exc
