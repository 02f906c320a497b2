"""``shopbot sentiment``: score messages, evaluate the default model, train a classifier."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.settings import PROJECT_ROOT

app = typer.Typer(
    help="Sentiment of shopper messages: score, evaluate, train.", no_args_is_help=True
)
console = Console()

EVAL_FILE = PROJECT_ROOT / "data" / "eval" / "sentiment.csv"
BLIND_FILE = PROJECT_ROOT / "data" / "eval" / "sentiment_blind.csv"
DOC_FILE = PROJECT_ROOT / "docs" / "insights.md"
IMG_DIR = PROJECT_ROOT / "docs" / "img"
# Run output of `make eval-sentiment` (ignored); `make report` writes DOC_FILE instead.
REPORT_FILE = PROJECT_ROOT / "var" / "reports" / "insights.md"
START, END = "<!-- sentiment-eval:start -->", "<!-- sentiment-eval:end -->"


def _print_figures(title: str, fig) -> None:  # noqa: ANN001 - Figures
    table = Table(title=title)
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column)
    for label, f in fig.per_class.items():
        table.add_row(label, f"{f.precision:.3f}", f"{f.recall:.3f}", f"{f.f1:.3f}", str(f.support))
    table.add_row("accuracy", "", "", f"{fig.accuracy:.3f}", str(fig.n))
    table.add_row("macro F1", "", "", f"{fig.macro_f1:.3f}", "")
    console.print(table)


@app.command()
def score(text: str = typer.Argument(..., help="A shopper message.")) -> None:
    """Score one message with the configured model (label, score in [-1, 1], confidence)."""
    from bot.insights.sentiment import get_model

    model = get_model()
    result = model.score(text)
    console.print(
        f"{result.label} score={result.score:+.3f} confidence={result.confidence:.2f} "
        f"(model: {model.name})"
    )


@app.command()
def evaluate(
    data: Path = typer.Option(EVAL_FILE, help="Labelled CSV (text,label)."),
    blind: Path = typer.Option(BLIND_FILE, help="A second set written after the lexicon froze."),
    doc_file: Path = typer.Option(
        REPORT_FILE,
        help="Markdown whose evaluation section is (re)written, images in an img/ folder beside "
        "it. `make report` passes docs/insights.md, the committed copy.",
    ),
    write_docs: bool = typer.Option(True, help="Write the markdown section and images."),
) -> None:
    """Figures of the default (lexicon) model on the project's labelled set, with a report."""
    from bot.insights.evaluate import DataError, evaluate_model, plot_confusion, read_labelled
    from bot.insights.sentiment import LexiconSentiment

    try:
        examples = read_labelled(data)
        blind_examples = read_labelled(blind) if blind.exists() else []
    except DataError as exc:
        console.print(f"[red]Cannot read the labelled data:[/] {exc}")
        raise typer.Exit(1) from exc
    model = LexiconSentiment()
    fig = evaluate_model(model, examples)
    _print_figures(f"Lexicon model on {data.name}", fig)
    blind_fig = evaluate_model(model, blind_examples) if blind_examples else None
    if blind_fig:
        _print_figures(f"Lexicon model on {blind.name} (not used for tuning)", blind_fig)
    if not write_docs:
        return
    img_dir = IMG_DIR if doc_file.resolve() == DOC_FILE.resolve() else doc_file.parent / "img"
    image = plot_confusion(
        fig, img_dir / "sentiment_confusion_default.png", f"lexicon model, {data.name} (n={fig.n})"
    )
    section = [
        START,
        f"Default model (`lexicon`) on `{_rel(data)}` ({fig.n} messages), "
        "written by `shopbot sentiment evaluate` (`make eval-sentiment`):",
        "",
        fig.table_markdown(),
        "",
        f"![confusion matrix, lexicon model]({_rel(image, doc_file.parent)})",
    ]
    if blind_fig:
        blind_image = plot_confusion(
            blind_fig,
            img_dir / "sentiment_confusion_default_blind.png",
            f"lexicon model, {blind.name} (n={blind_fig.n})",
        )
        section += [
            "",
            f"The same model on `{_rel(blind)}` ({blind_fig.n} messages written after the word "
            "list was frozen, never used for tuning). This is the honest figure for unseen "
            "wording:",
            "",
            blind_fig.table_markdown(),
            "",
            f"![confusion matrix, lexicon model, blind set]({_rel(blind_image, doc_file.parent)})",
        ]
    section.append(END)
    _write_section("\n".join(section), doc_file)
    console.print(f"Updated {_rel(doc_file)} and {_rel(image)}")


@app.command()
def train(
    data: Path = typer.Option(..., "--data", help="Labelled CSV (text,label)."),
    out: Path = typer.Option(PROJECT_ROOT / "models" / "sentiment", "--out", help="Model folder."),
    seed: int = typer.Option(13, help="Split and initialisation seed."),
    blind: Path | None = typer.Option(None, help="Also score this labelled CSV with the result."),
) -> None:
    """Train a MiniLM-embedding + MLP classifier (cross-entropy, early stopping); save it.

    Reports accuracy and per-class precision/recall/F1 on a held-out split and writes a
    confusion-matrix PNG into the model folder. Use it with SHOPBOT_SENTIMENT_MODEL=OUT.
    """
    from bot.insights.evaluate import DataError, evaluate_model, plot_confusion, read_labelled
    from bot.insights.trained import TrainedSentiment
    from bot.insights.trained import train as run_training

    try:
        examples = read_labelled(data)
    except DataError as exc:
        console.print(f"[red]Cannot read the labelled data:[/] {exc}")
        raise typer.Exit(1) from exc
    with Progress(
        TextColumn("training"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("embedding messages", total=300)

        def tick(epoch: int, val_loss: float) -> None:
            progress.update(
                task, completed=epoch, description=f"epoch {epoch} val loss {val_loss:.3f}"
            )

        try:
            report = run_training(examples, out, seed=seed, progress=tick)
        except ValueError as exc:
            console.print(f"[red]Cannot train:[/] {exc}")
            raise typer.Exit(1) from exc
        progress.update(task, completed=300)
    console.print(
        f"train {report.train_n} / validation {report.val_n} / held-out test {report.test_n}; "
        f"stopped after epoch {report.epochs_run}, best epoch {report.best_epoch} "
        f"(val loss {report.best_val_loss:.3f})"
    )
    _print_figures("Trained model on the held-out split", report.test)
    image = plot_confusion(
        report.test, out / "confusion.png", f"trained model, held-out (n={report.test.n})"
    )
    console.print(
        f"Saved model to {out} (confusion matrix {image}). Use it: SHOPBOT_SENTIMENT_MODEL={out}"
    )
    if blind is not None:
        try:
            blind_fig = evaluate_model(TrainedSentiment.load(out), read_labelled(blind))
        except DataError as exc:
            console.print(f"[red]Cannot read {blind}:[/] {exc}")
            raise typer.Exit(1) from exc
        _print_figures(f"Trained model on {blind.name}", blind_fig)


def _rel(path: Path, base: Path = PROJECT_ROOT) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _write_section(section: str, doc_file: Path) -> None:
    text = doc_file.read_text() if doc_file.exists() else "# Customer insight\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip() + "\n\n## Sentiment evaluation\n\n" + section + "\n"
    doc_file.parent.mkdir(parents=True, exist_ok=True)
    doc_file.write_text(text)
