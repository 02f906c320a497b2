"""Figures for a sentiment model on labelled messages: accuracy, per-class P/R/F1, confusions.

Computed by hand (no scikit-learn needed at runtime) so the numbers in docs/insights.md are
exactly what this code prints.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.insights.sentiment import LABELS, SentimentModel


class DataError(ValueError):
    """The labelled CSV is missing, empty or malformed (message says which row)."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def read_labelled(path: Path) -> list[Example]:
    """Rows of ``text,label`` (labels negative|neutral|positive)."""
    if not path.exists():
        raise DataError(f"{path} does not exist")
    examples: list[Example] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise DataError(f"{path} needs a header with the columns 'text' and 'label'")
        for number, row in enumerate(reader, start=2):
            text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip().lower()
            if not text:
                continue
            if label not in LABELS:
                raise DataError(f"{path} row {number}: label {label!r} is not one of {LABELS}")
            examples.append(Example(text, label))
    if not examples:
        raise DataError(f"{path} has no labelled rows")
    return examples


@dataclass
class ClassFigures:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Figures:
    accuracy: float
    per_class: dict[str, ClassFigures]
    confusion: list[list[int]]  # rows = true label, columns = predicted, in LABELS order
    n: int
    macro_f1: float = 0.0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # text, true, predicted

    def table_markdown(self) -> str:
        lines = ["| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for label, f in self.per_class.items():
            lines.append(
                f"| {label} | {f.precision:.3f} | {f.recall:.3f} | {f.f1:.3f} | {f.support} |"
            )
        lines.append(f"| **accuracy** | | | {self.accuracy:.3f} | {self.n} |")
        lines.append(f"| macro F1 | | | {self.macro_f1:.3f} | |")
        return "\n".join(lines)


def figures(truth: Sequence[str], predicted: Sequence[str], texts: Sequence[str] = ()) -> Figures:
    index: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
    confusion = [[0] * len(LABELS) for _ in LABELS]
    for t, p in zip(truth, predicted, strict=True):
        confusion[index[t]][index[p]] += 1
    per_class: dict[str, ClassFigures] = {}
    for i, label in enumerate(LABELS):
        tp = confusion[i][i]
        predicted_n = sum(row[i] for row in confusion)
        support = sum(confusion[i])
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = ClassFigures(precision, recall, f1, support)
    n = len(truth)
    correct = sum(confusion[i][i] for i in range(len(LABELS)))
    errors = [(text, t, p) for text, t, p in zip(texts, truth, predicted, strict=False) if t != p]
    return Figures(
        accuracy=correct / n if n else 0.0,
        per_class=per_class,
        confusion=confusion,
        n=n,
        macro_f1=sum(f.f1 for f in per_class.values()) / len(LABELS),
        errors=errors,
    )


def evaluate_model(model: SentimentModel, examples: Sequence[Example]) -> Figures:
    predicted = [model.score(e.text).label for e in examples]
    return figures([e.label for e in examples], predicted, [e.text for e in examples])


def plot_confusion(fig: Figures, path: Path, title: str) -> Path:
    """Write the confusion matrix as a PNG (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(4.2, 3.6), dpi=110)
    axes.imshow(fig.confusion, cmap="Blues")
    axes.set_xticks(range(len(LABELS)), LABELS)
    axes.set_yticks(range(len(LABELS)), LABELS)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title, fontsize=9)
    peak = max(max(row) for row in fig.confusion) or 1
    for i, row in enumerate(fig.confusion):
        for j, value in enumerate(row):
            colour = "white" if value > peak / 2 else "black"
            axes.text(j, i, str(value), ha="center", va="center", color=colour)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
