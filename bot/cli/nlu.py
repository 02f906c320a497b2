"""``shopbot nlu``: lookup tables from the catalog and the pipeline evaluation."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bot.bootstrap import services
from bot.db.session import DatabaseError
from bot.nlu import evaluate as ev
from bot.nlu.lookups import collect_lookups, write_lookups
from bot.settings import PROJECT_ROOT

app = typer.Typer(help="NLU: catalog lookup tables and pipeline evaluation.", no_args_is_help=True)
console = Console()
log = logging.getLogger(__name__)

DEFAULT_LOOKUP_DIR = PROJECT_ROOT / "data" / "nlu" / "lookups"


@app.command()
def lookups(
    out: Path = typer.Option(DEFAULT_LOOKUP_DIR, help="Folder for the lookup table files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Generate the product, colour and material lookup tables from the catalog (DATABASE_URL).

    If the database has no products the existing files are kept, so training still works.
    """
    try:
        tables = collect_lookups(services().database)
    except DatabaseError as exc:
        log.warning("Could not read the catalog: %s", exc)
        console.print(
            "[yellow]Could not read the catalog from the database "
            f"({type(exc).__name__}); lookup tables left unchanged.[/] "
            "Run `shopbot db upgrade` and load a shop first."
        )
        raise typer.Exit(1) from None
    if tables.is_empty():
        console.print("[yellow]The catalog has no products; keeping the existing lookup tables.[/]")
        return
    written = write_lookups(tables, out)
    if not quiet:
        for name, count in written.items():
            console.print(f"[green]wrote[/] {out / name}: {count} values", soft_wrap=True)


@app.command()
def evaluate(
    candidate: list[str] = typer.Option(
        None, "--candidate", "-c", help="Only these candidates (file stems in bot/nlu/pipelines)."
    ),
    folds: int = typer.Option(5, min=2, help="Number of cross-validation folds."),
    nlu: Path = typer.Option(PROJECT_ROOT / "data" / "nlu", help="NLU training data."),
    results: Path = typer.Option(PROJECT_ROOT / "results" / "nlu-cv", help="Rasa's raw output."),
    docs: Path = typer.Option(
        PROJECT_ROOT / "var" / "reports" / "nlu",
        help="Where the report goes (ignored folder; `make report` passes docs/nlu).",
    ),
    kept: Path = typer.Option(
        PROJECT_ROOT / "docs" / "nlu", help="Committed results of candidates not run this time."
    ),
    report_only: bool = typer.Option(
        False, "--report-only", help="Do not run Rasa; rebuild the report from earlier results."
    ),
) -> None:
    """Cross-validate the candidate NLU pipelines and write docs/nlu/pipeline-comparison.md.

    CPU-heavy: each candidate trains one model per fold. Progress is shown per fold.
    """
    try:
        candidates = ev.discover_candidates(candidate or None)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    if not report_only and not ev.RASA_BIN.exists():
        console.print(f"[red]Rasa is not installed at {ev.RASA_BIN}; run `make setup`.[/]")
        raise typer.Exit(1)
    if not report_only:
        columns = (
            TextColumn("[bold]{task.fields[name]}"),
            BarColumn(),
            TextColumn("fold {task.completed}/{task.total}"),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as bar:
            tasks = {
                c.name: bar.add_task("", total=folds, name=c.name, status="waiting")
                for c in candidates
            }

            def on_progress(name: str, done: int, status: str) -> None:
                bar.update(tasks[name], completed=done, status=status)

            for c in candidates:
                try:
                    timing = ev.run_cross_validation(
                        c, folds=folds, nlu_dir=nlu, out_dir=results / c.name, progress=on_progress
                    )
                except RuntimeError as exc:
                    bar.update(tasks[c.name], status="[red]failed")
                    console.print(f"[red]{exc}[/]")
                    raise typer.Exit(1) from None
                bar.update(
                    tasks[c.name],
                    completed=folds,
                    status=f"done in {timing['cv_wall_seconds']:.0f}s",
                )
    measured = []
    # The report compares every candidate: fresh results where this run (or an earlier one on
    # this machine) produced them, else the result kept in docs/nlu/cv by an earlier run.
    for c in ev.discover_candidates(None):
        if (results / c.name / "intent_report.json").exists():
            measured.append(ev.read_result(c, results / c.name))
        elif (earlier := ev.kept_result(c, docs) or ev.kept_result(c, kept)) is not None:
            measured.append(earlier)
        else:
            console.print(f"[yellow]No results for {c.name} in {results} or {docs}; skipped.[/]")
    if not measured:
        console.print("[red]Nothing to report.[/]")
        raise typer.Exit(1)
    path = ev.write_reports(measured, results, docs)
    chosen = ev.choose(measured)
    for r in measured:
        console.print(
            f"{r.name}: macro F1 {r.macro_f1:.3f}, accuracy {r.accuracy:.3f}, "
            f"training {r.train_seconds_per_fold:.0f}s/fold"
        )
    console.print(f"[green]Chosen: {chosen.name}[/]; report written to {path}")


@app.command()
def independent(
    model: Path = typer.Option(PROJECT_ROOT / "models" / "shopbot.tar.gz", help="Trained model."),
    eval_set: str = typer.Option(
        "independent",
        "--set",
        help="independent (eval/nlu/, report only), dev (eval/nlu_dev/, used for choosing), "
        "zh (eval/nlu_zh/, Chinese, report only) or zh_dev (eval/nlu_zh_dev/, Chinese, used "
        "for choosing).",
    ),
    data: Path = typer.Option(None, help="Another folder of labelled messages (overrides --set)."),
    out: Path = typer.Option(
        None,
        help="Report folder (default var/reports/nlu-<set>; `make report` keeps docs/nlu/ copies).",
    ),
) -> None:
    """Score the trained model on a set written by others (see bot/nlu/independent)."""
    from bot.nlu import independent as ind

    chosen = ind.EVAL_SETS.get(eval_set)
    if chosen is None:
        console.print(f"[red]Unknown set {eval_set!r}; choose from {', '.join(ind.EVAL_SETS)}.[/]")
        raise typer.Exit(2)
    data = data or chosen.directory
    out = out or PROJECT_ROOT / "var" / "reports" / f"nlu-{chosen.name}"
    if not model.exists():
        console.print(f"[red]No trained model at {model}; run `make train`.[/]")
        raise typer.Exit(1)
    if not data.is_dir() or not any(data.glob("*.yml")):
        console.print(f"[red]No evaluation messages in {data}.[/]")
        raise typer.Exit(1)
    with console.status(f"rasa test nlu on {data} ..."):
        try:
            predictions = ind.run_rasa(model, data, out / "rasa")
        except RuntimeError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
    threshold = ind.fallback_threshold()
    result = ind.score(predictions, threshold)
    result.entities = ind.entity_figures(out / "rasa")
    title = chosen.name.capitalize()
    ind.plot_confusion(predictions, out / f"{chosen.name}_confusion.png", threshold, title)
    report = out / f"{chosen.name}.md"
    report.write_text(ind.render_markdown(result, model.name, chosen), encoding="utf-8")
    console.print(
        f"{chosen.name} set, {result.messages} messages: macro F1 {result.macro_f1:.3f}, accuracy "
        f"{result.accuracy:.3f}, fallback {result.fallback_rate:.1%}, out-of-scope recall "
        f"{result.oos_recall:.3f}, in-scope taken for out-of-scope {result.oos_false_alarms:.1%}"
        + (" (used for choosing: optimistic)" if chosen.name in ("dev", "zh_dev") else "")
    )
    console.print(f"Report written to {report}")
