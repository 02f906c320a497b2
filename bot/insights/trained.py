"""A sentiment classifier trained on the shop's own labelled messages.

Features are mean-pooled all-MiniLM-L6-v2 sentence embeddings (the catalog's encoder, bundled
offline); the head is a small MLP trained with cross-entropy and early stopping on a
validation split. The saved folder holds ``head.pt`` and ``meta.json``; point
``SHOPBOT_SENTIMENT_MODEL`` at it to use it everywhere.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.insights.evaluate import Example, Figures, figures
from bot.insights.sentiment import LABELS, Label, Sentiment

EMBEDDING_DIM = 384


def _head(hidden: int, dropout: float):  # -> torch.nn.Module
    import torch.nn as nn

    return nn.Sequential(
        nn.Dropout(dropout),
        nn.Linear(EMBEDDING_DIM, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, len(LABELS)),
    )


def embed(texts: Sequence[str]) -> np.ndarray:
    from bot.catalog.embeddings import get_encoder

    return get_encoder().encode(list(texts))


class TrainedSentiment:
    name = "trained"

    def __init__(self, head, path: Path) -> None:  # noqa: ANN001 - torch module
        self.head = head
        self.path = path

    @classmethod
    def load(cls, path: str | Path) -> TrainedSentiment:
        import torch

        folder = Path(path)
        meta = json.loads((folder / "meta.json").read_text())
        if tuple(meta["labels"]) != LABELS:
            raise ValueError(f"{folder}: labels {meta['labels']} do not match {LABELS}")
        head = _head(meta["hidden"], meta["dropout"])
        head.load_state_dict(torch.load(folder / "head.pt", weights_only=True))
        head.eval()
        return cls(head, folder)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        with torch.no_grad():
            logits = self.head(torch.from_numpy(embed(texts)).float())
            return torch.softmax(logits, dim=1).numpy()

    def score(self, text: str) -> Sentiment:
        probs = self.probabilities([text or " "])[0]
        best = int(probs.argmax())
        label: Label = LABELS[best]
        value = float(probs[LABELS.index("positive")] - probs[LABELS.index("negative")])
        return Sentiment(
            label=label, score=round(value, 3), confidence=round(float(probs[best]), 3)
        )


@dataclass
class TrainReport:
    train_n: int
    val_n: int
    test_n: int
    epochs_run: int
    best_epoch: int
    best_val_loss: float
    test: Figures
    out_dir: Path


def stratified_split(
    examples: Sequence[Example], seed: int, val: float = 0.15, test: float = 0.2
) -> tuple[list[Example], list[Example], list[Example]]:
    """Per-label shuffle and cut, so every split keeps the label balance."""
    rng = random.Random(seed)
    train_part: list[Example] = []
    val_part: list[Example] = []
    test_part: list[Example] = []
    for label in LABELS:
        group = [e for e in examples if e.label == label]
        rng.shuffle(group)
        n_test = max(1, round(len(group) * test))
        n_val = max(1, round(len(group) * val))
        test_part += group[:n_test]
        val_part += group[n_test : n_test + n_val]
        train_part += group[n_test + n_val :]
    return train_part, val_part, test_part


def train(
    examples: Sequence[Example],
    out_dir: Path,
    *,
    seed: int = 13,
    hidden: int = 64,
    dropout: float = 0.2,
    lr: float = 3e-3,
    max_epochs: int = 300,
    patience: int = 25,
    progress: Callable[[int, float], None] | None = None,
) -> TrainReport:
    """Train, early-stop on validation loss, report on the held-out test split, save."""
    import torch

    if len({e.label for e in examples}) < len(LABELS):
        raise ValueError("the training data needs examples of every label")
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # a tiny MLP: threads only add contention on a shared box
    train_part, val_part, test_part = stratified_split(examples, seed)

    def tensors(part: list[Example]):
        x = torch.from_numpy(embed([e.text for e in part])).float()
        y = torch.tensor([LABELS.index(e.label) for e in part])
        return x, y

    x_train, y_train = tensors(train_part)
    x_val, y_val = tensors(val_part)
    x_test, y_test = tensors(test_part)
    head = _head(hidden, dropout)
    optimiser = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    best_loss, best_epoch, best_state = float("inf"), 0, None
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        head.train()
        permutation = torch.randperm(len(x_train))
        for start in range(0, len(x_train), 32):
            batch = permutation[start : start + 32]
            optimiser.zero_grad()
            loss = loss_fn(head(x_train[batch]), y_train[batch])
            loss.backward()
            optimiser.step()
        head.eval()
        with torch.no_grad():
            val_loss = float(loss_fn(head(x_val), y_val))
        if progress:
            progress(epoch, val_loss)
        if val_loss < best_loss - 1e-4:
            best_loss, best_epoch = val_loss, epoch
            best_state = {k: v.clone() for k, v in head.state_dict().items()}
        elif epoch - best_epoch >= patience:
            break
    assert best_state is not None
    head.load_state_dict(best_state)
    head.eval()
    with torch.no_grad():
        predicted = head(x_test).argmax(dim=1).tolist()
    test_figures = figures(
        [LABELS[i] for i in y_test.tolist()],
        [LABELS[i] for i in predicted],
        [e.text for e in test_part],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save(best_state, out_dir / "head.pt")
    meta = {
        "labels": list(LABELS),
        "hidden": hidden,
        "dropout": dropout,
        "features": "all-MiniLM-L6-v2 mean-pooled (bot.catalog.embeddings)",
        "seed": seed,
        "best_epoch": best_epoch,
        "best_val_loss": round(best_loss, 4),
        "test_accuracy": round(test_figures.accuracy, 4),
        "sizes": {"train": len(train_part), "val": len(val_part), "test": len(test_part)},
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2))
    return TrainReport(
        train_n=len(train_part),
        val_n=len(val_part),
        test_n=len(test_part),
        epochs_run=epoch,
        best_epoch=best_epoch,
        best_val_loss=best_loss,
        test=test_figures,
        out_dir=out_dir,
    )
