"""``shopbot transcripts``: summarise Rasa's event log and export review data."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(
    help="Transcripts from Rasa's SQL event broker: ingest, export corrections, benchmark.",
    no_args_is_help=True,
)


@app.command("ingest")
def ingest() -> None:
    """Fold new Rasa events into the console's conversation summary (incremental)."""
    from bot.bootstrap import services
    from bot.console.ingest import ingest_new_events

    count = ingest_new_events(services().database)
    typer.echo(f"Ingested {count} new event(s).")


@app.command("export-nlu")
def export_nlu(
    out: Path = typer.Option(Path("nlu_corrections.yml"), "--out", help="Output YAML file."),
) -> None:
    """Write reviewers' intent corrections as Rasa NLU training data (masked texts)."""
    from bot.bootstrap import services
    from bot.console.review import corrections_nlu_yaml

    out.write_text(corrections_nlu_yaml(services().database), encoding="utf-8")
    typer.echo(f"Wrote {out}.")


@app.command("bench")
def bench(
    conversations: int = typer.Option(100_000, help="How many summary rows to generate."),
    queries: int = typer.Option(200, help="How many list queries to time."),
) -> None:
    """Generate a large summary set (if smaller) and time the list query; prints p50/p95/plan."""
    from bot.bootstrap import services
    from bot.console.bench import run_bench

    report = run_bench(services().database, conversations, queries)
    typer.echo(report)
