"""A classifier trained on the shop's labelled messages is saved, reported and then used."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bootstrap import Services, install
from bot.insights import sentiment
from bot.insights.evaluate import read_labelled
from bot.insights.trained import TrainedSentiment, stratified_split, train
from bot.settings import Settings

EVAL = Path(__file__).resolve().parents[2] / "data" / "eval" / "sentiment.csv"


def test_split_keeps_labels_balanced_and_disjoint() -> None:
    examples = read_labelled(EVAL)
    train_part, val_part, test_part = stratified_split(examples, seed=1)
    assert len(train_part) + len(val_part) + len(test_part) == len(examples)
    assert not {e.text for e in test_part} & {e.text for e in train_part}
    for part in (val_part, test_part):
        counts = {label: sum(e.label == label for e in part) for label in sentiment.LABELS}
        assert max(counts.values()) - min(counts.values()) <= 2


@pytest.mark.slow
def test_train_report_and_use_via_setting(tmp_path: Path) -> None:
    out = tmp_path / "model"
    report = train(read_labelled(EVAL), out, max_epochs=60, patience=10)
    assert (out / "head.pt").exists() and (out / "meta.json").exists()
    assert report.best_epoch <= report.epochs_run <= 60
    assert report.test.n == report.test_n and report.test.accuracy >= 0.7
    model = TrainedSentiment.load(out)
    assert model.score("This is useless, my refund never arrived!").label == "negative"
    assert model.score("Thank you so much, that was great").label == "positive"

    install(Services(Settings(sentiment_model=out)))  # what the process does at start
    try:
        assert sentiment.get_model().name == "trained"
    finally:
        install(None)
    assert sentiment.get_model().name == "lexicon"


def test_a_broken_model_folder_falls_back_to_the_lexicon(tmp_path: Path) -> None:
    sentiment._configured_model.cache_clear()
    install(Services(Settings(sentiment_model=tmp_path / "missing")))
    try:
        assert sentiment.get_model().name == "lexicon"
    finally:
        install(None)
