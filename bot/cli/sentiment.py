"""``shopbot sentiment``: score messages, evaluate the default model, train a classifier."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
EVAL_ZH_FILE = PROJECT_ROOT / "data" / "eval" / "sentiment_zh.csv"
BLIND_ZH_FILE = PROJECT_ROOT / "data" / "eval" / "sentiment_zh_blind.csv"
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
    """Score one message with the model for its script (label, score in [-1, 1], confidence)."""
    from bot.insights.sentiment import model_for

    model = model_for(text)
    result = model.score(text)
    console.print(
        f"{result.label} score={result.score:+.3f} confidence={result.confidence:.2f} "
        f"(model: {model.name})"
    )


@dataclass(frozen=True)
class _EvalSet:
    path: Path
    image: str  # file name of its confusion matrix
    title: str  # the plot's title and the alt text
    intro: str  # the sentence before its table ({name} and {n} filled in)


_HOW = "written by `shopbot sentiment evaluate` (`make eval-sentiment`)"
_INTROS = {
    "dev": "Default model (`lexicon`) on `{name}` ({n} messages), " + _HOW + ":",
    "blind": "The same model on `{name}` ({n} messages written after the word list was frozen, "
    "never used for tuning). This is the honest figure for unseen wording:",
    "dev_zh": "Chinese messages go to the Chinese lexicon (`lexicon-zh`, chosen by the "
    "message's script; bot/insights/sentiment_zh.py). On `{name}` ({n} messages we wrote; the "
    "lexicon was written with them in view, so this figure is optimistic):",
    "blind_zh": "The Chinese lexicon on `{name}` ({n} messages and comments written blind by "
    "another author, who never saw the lexicon or our set; never used for tuning). This is "
    "the honest figure for Chinese:",
}


@app.command()
def evaluate(
    data: Path = typer.Option(EVAL_FILE, help="Labelled CSV (text,label)."),
    blind: Path = typer.Option(BLIND_FILE, help="A second set written after the lexicon froze."),
    data_zh: Path = typer.Option(EVAL_ZH_FILE, help="Chinese labelled CSV (development set)."),
    blind_zh: Path = typer.Option(
        BLIND_ZH_FILE, help="Chinese set written blind by someone who never saw the lexicon."
    ),
    doc_file: Path = typer.Option(
        REPORT_FILE,
        help="Markdown whose evaluation section is (re)written, images in an img/ folder beside "
        "it. `make report` passes docs/insights.md, the committed copy.",
    ),
    write_docs: bool = typer.Option(True, help="Write the markdown section and images."),
) -> None:
    """Figures of the default lexicons (English and Chinese, chosen by the message's script)
    on the project's labelled sets, with a report."""
    from bot.insights.evaluate import DataError, evaluate_model, plot_confusion, read_labelled
    from bot.insights.sentiment import ByScript, LexiconSentiment

    sets = [
        _EvalSet(data, "sentiment_confusion_default.png", "lexicon model", _INTROS["dev"]),
        _EvalSet(
            blind, "sentiment_confusion_default_blind.png", "lexicon model, blind set",
            _INTROS["blind"],
        ),
        _EvalSet(data_zh, "sentiment_confusion_zh.png", "Chinese lexicon", _INTROS["dev_zh"]),
        _EvalSet(
            blind_zh, "sentiment_confusion_zh_blind.png", "Chinese lexicon, blind set",
            _INTROS["blind_zh"],
        ),
    ]  # fmt: skip
    try:
        loaded = [
            (s, read_labelled(s.path)) for i, s in enumerate(sets) if i == 0 or s.path.exists()
        ]
    except DataError as exc:
        console.print(f"[red]Cannot read the labelled data:[/] {exc}")
        raise typer.Exit(1) from exc
    model = ByScript(LexiconSentiment())
    results = []
    for eval_set, examples in loaded:
        fig = evaluate_model(model, examples)
        _print_figures(f"{eval_set.title} on {eval_set.path.name}", fig)
        results.append((eval_set, fig))
    if not write_docs:
        return
    img_dir = IMG_DIR if doc_file.resolve() == DOC_FILE.resolve() else doc_file.parent / "img"
    section = [START]
    for eval_set, fig in results:
        image = plot_confusion(
            fig, img_dir / eval_set.image, f"{eval_set.title}, {eval_set.path.name} (n={fig.n})"
        )
        intro = eval_set.intro.format(name=_rel(eval_set.path), n=fig.n)
        alt = f"confusion matrix, {eval_set.title}"
        section += [
            intro,
            "",
            fig.table_markdown(),
            "",
            f"![{alt}]({_rel(image, doc_file.parent)})",
            "",
        ]
    section[-1] = END
    _write_section("\n".join(section), doc_file)
    console.print(
        f"Updated {_rel(doc_file)} and {len(results)} confusion matrices in {_rel(img_dir)}"
    )


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
