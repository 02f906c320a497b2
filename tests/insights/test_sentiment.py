"""The default sentiment model: rules behave, and the labelled set's figures hold."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.insights.evaluate import DataError, evaluate_model, figures, read_labelled
from bot.insights.sentiment import LABELS, ByScript, LexiconSentiment, model_for, score_text
from bot.insights.sentiment_zh import ChineseLexiconSentiment

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


# -- Chinese ---------------------------------------------------------------------------------

EVAL_ZH = PROJECT_ROOT / "data" / "eval" / "sentiment_zh.csv"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("质量太差了，再也不买了", "negative"),  # the brief's own example
        ("不太好用", "negative"),  # negation of a positive word, softened
        ("一点也不舒服", "negative"),
        ("没有色差，很满意", "positive"),  # negation of a negative word
        ("外观很好看，但是用了两天就坏了", "negative"),  # the verdict follows the contrast
        ("虽然等了几天，但是东西很好", "positive"),
        ("这件外套有蓝色的吗？", "neutral"),
        ("能推荐一款适合登山的外套吗", "neutral"),  # asking is not praising
        ("快递什么时候到", "neutral"),  # 快递 is not 快
        ("五星好评 👍", "positive"),
        ("给个差评", "negative"),
        ("真是太“好”了，等了半个月", "negative"),  # praise in quotes is sarcasm
        ("绝绝子，yyds", "positive"),
        ("踩雷了，无语", "negative"),
        ("😡😡", "negative"),  # no words: the emoji speak
    ],
)
def test_chinese_rules(text: str, label: str) -> None:
    assert score_text(text).label == label


def test_degree_words_and_emphasis_strengthen_chinese() -> None:
    zh = ChineseLexiconSentiment()
    assert zh.score("太差了").score < zh.score("差").score < zh.score("有点差").score < 0
    assert zh.score("太差了！！！").score < zh.score("太差了").score


def test_the_message_script_picks_the_model() -> None:
    assert model_for("质量太差了").name == "lexicon-zh"
    assert model_for("我想退货 order #S1000029").name == "lexicon-zh"
    assert model_for("the quality is terrible").name == "lexicon"
    both = ByScript(LexiconSentiment())
    assert both.score("质量太差了").label == both.score("terrible quality").label == "negative"


def test_chinese_dev_set_is_balanced_and_its_figures_hold() -> None:
    rows = list(csv.DictReader(EVAL_ZH.open(encoding="utf-8")))
    counts = {label: sum(r["label"] == label for r in rows) for label in LABELS}
    assert len(rows) >= 120 and min(counts.values()) >= 0.9 * max(counts.values())
    assert len({r["text"] for r in rows}) == len(rows)
    fig = evaluate_model(ByScript(LexiconSentiment()), read_labelled(EVAL_ZH))
    assert fig.accuracy >= 0.95 and fig.macro_f1 >= 0.95


def test_evaluate_reports_the_chinese_sets_beside_the_english(tmp_path: Path) -> None:
    from bot.cli.sentiment import app

    blind_zh = tmp_path / "blind_zh.csv"
    blind_zh.write_text("text,label\n质量太差了,negative\n请问有货吗,neutral\n很好用,positive\n")
    doc = tmp_path / "insights.md"
    result = CliRunner().invoke(
        app, ["evaluate", "--blind-zh", str(blind_zh), "--doc-file", str(doc)]
    )
    assert result.exit_code == 0, result.output
    text = doc.read_text()
    assert "sentiment_zh.csv" in text and str(blind_zh.name) in text
    for image in ("default", "default_blind", "zh", "zh_blind"):
        assert (tmp_path / "img" / f"sentiment_confusion_{image}.png").exists()
