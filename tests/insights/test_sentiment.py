"""The default sentiment model: rules behave, and the labelled set's figures hold."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.insights.evaluate import DataError, evaluate_model, figures, read_labelled
from bot.insights.sentiment import LABELS, LexiconSentiment

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVAL = PROJECT_ROOT / "data" / "eval" / "sentiment.csv"
model = LexiconSentiment()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("refund still not arrived", "negative"),
        ("I am not happy with this jacket", "negative"),
        ("not bad at all, thanks", "positive"),
        ("WHERE IS MY PARCEL", "negative"),
        ("damn, the code failed", "negative"),
        ("What sizes does the rain jacket come in?", "neutral"),
        ("No, that's wrong", "negative"),
        ("Great, thanks so much!", "positive"),
    ],
)
def test_rules(text: str, label: str) -> None:
    assert model.score(text).label == label


def test_intensifiers_and_emphasis_strengthen() -> None:
    plain = model.score("this is bad").score
    assert model.score("this is really bad").score < plain
    assert model.score("this is bad!!!").score < plain
    assert -1.0 <= model.score("THIS IS REALLY BAD!!! DAMN").score < -0.9


def test_eval_set_is_balanced_and_large_enough() -> None:
    rows = list(csv.DictReader(EVAL.open()))
    counts = {label: sum(r["label"] == label for r in rows) for label in LABELS}
    assert len(rows) >= 200
    assert min(counts.values()) >= 0.9 * max(counts.values())
    assert len({r["text"] for r in rows}) == len(rows)  # no duplicates


def test_default_model_figures_on_eval_set() -> None:
    fig = evaluate_model(model, read_labelled(EVAL))
    assert fig.accuracy >= 0.9
    assert all(f.f1 >= 0.85 for f in fig.per_class.values())


def test_metrics_by_hand() -> None:
    fig = figures(
        ["negative", "negative", "neutral", "positive"],
        ["negative", "neutral", "neutral", "neutral"],
    )
    assert fig.accuracy == 0.5
    assert fig.per_class["negative"].precision == 1.0
    assert fig.per_class["negative"].recall == 0.5
    assert fig.per_class["neutral"].precision == pytest.approx(1 / 3)
    assert fig.per_class["positive"].f1 == 0.0
    assert fig.confusion == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_bad_csv_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,angry\n")
    with pytest.raises(DataError, match="row 2"):
        read_labelled(bad)
    from bot.cli.sentiment import app

    result = CliRunner().invoke(app, ["train", "--data", str(bad), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "Cannot read the labelled data" in result.output
    assert "Traceback" not in result.output
