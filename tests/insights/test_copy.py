"""Grounded product copy: template copy passes the checker; invented specs get flagged."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.answers.facts import FactNumberer, FactSheet, load_product_facts
from bot.answers.grounding import check_copy, check_product_specs
from bot.db.session import Database
from bot.insights.copy import (
    KINDS,
    LANGUAGES,
    TONES,
    compose_copy,
    copy_name,
    facts_line,
    llm_generator,
    products_for,
    write_copy,
)
from bot.llm.base import ChatMessage

SHOE = "SB-P0001"  # Fernfoot Harbor Trail Running Shoe: waterproof mesh, $95.49, EU 38-46


class ScriptedBackend:
    """An LLM backend that says what the test scripts, and records the prompts it got."""

    name = "scripted"

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[list[ChatMessage]] = []

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int, timeout: float
    ) -> str:
        self.prompts.append(list(messages))
        return self.replies.pop(0)

    async def stream(self, messages, *, max_new_tokens, timeout) -> AsyncIterator[str]:  # noqa: ANN001
        yield await self.generate(messages, max_new_tokens=max_new_tokens, timeout=timeout)

    async def aclose(self) -> None:
        return None


BAD = (
    "The Fernfoot Harbor Trail Running Shoe is made of 100% merino wool, now only $59.99, "
    "in sizes 38 to 52 and in gold."
)
GOOD = "The Fernfoot Harbor Trail Running Shoe keeps feet dry: waterproof mesh, $95.49."


def shoe(db: Database):
    return load_product_facts(db, [SHOE], FactNumberer())[0]


def test_template_copy_passes_the_checker_everywhere(shop: Database) -> None:
    products = (
        products_for(shop, None, "footwear")[:4] + products_for(shop, None, "beauty-care")[:2]
    )
    assert len(products) == 6
    for product in products:
        for kind in KINDS:
            for tone in TONES:
                for language in LANGUAGES:
                    result = write_copy(product, kind, tone, language, _template)
                    assert result.status == "ok", (product.id, kind, tone, language, result)
                    name = copy_name(product, language)  # the Chinese name in Chinese
                    assert result.attempts == 1 and name in result.text


def _template(product, kind, tone, language, problems):  # noqa: ANN001, ANN202
    return compose_copy(product, kind, tone, language)


def test_template_copy_says_the_catalog_facts(shop: Database) -> None:
    product = shoe(shop)
    listing = compose_copy(product, "listing", "friendly", "en")
    assert "$95.49" in listing and "waterproof mesh" in listing
    assert "Sizes 38, 39, 40, 41, 42, 44, 45 and 46" in listing  # 43 is sold out
    social = compose_copy(product, "social", "playful", "en")
    assert len(social) <= 280 and "#Fernfoot" in social
    email = compose_copy(product, "email", "premium", "de")
    assert email.startswith("Betreff: ") and "Entdecken Sie" in email
    assert "Tailles" in compose_copy(product, "listing", "premium", "fr")
    assert "price $95.49" in facts_line(product)


def test_invented_specs_are_regenerated_once_then_flagged(shop: Database) -> None:
    backend = ScriptedBackend([BAD, BAD])
    result = write_copy(shoe(shop), "listing", "friendly", "en", llm_generator(backend), "scripted")
    assert result.status == "flagged" and result.attempts == 2
    reasons = " | ".join(result.reasons)
    assert "merino" in reasons and "wool" in reasons
    assert "$59.99" in reasons
    assert "size 52" in reasons
    assert "100%" in reasons
    assert "gold" in reasons
    assert "size 38" not in reasons  # a size the shoe does come in
    retry = backend.prompts[1][-1].content
    assert "unsupported claims" in retry and "merino" in retry


def test_a_good_retry_is_accepted(shop: Database) -> None:
    backend = ScriptedBackend([BAD, GOOD])
    result = write_copy(shoe(shop), "social", "friendly", "en", llm_generator(backend), "scripted")
    assert result.status == "ok" and result.attempts == 2 and result.text == GOOD


def test_spec_checks(shop: Database) -> None:
    bottle = products_for(shop, None, "home-kitchen")[0]
    assert not bottle.attributes.get("waterproof")
    assert check_product_specs("A waterproof bottle.", bottle)
    assert not check_product_specs("Not waterproof, but insulated.", bottle)
    assert check_product_specs("Handmade in Italy.", bottle)
    assert not check_product_specs("Comes in charcoal.", bottle)
    assert check_product_specs("Comes in pink.", bottle)


def test_copy_cli_writes_status_columns(shop: Database, tmp_path: Path) -> None:
    from bot.cli.main import app

    runner = CliRunner()
    out = tmp_path / "footwear.csv"
    result = runner.invoke(
        app, ["copy", "--category", "footwear", "--kind", "social", "--tone", "playful",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(products_for(shop, None, "footwear")) > 10
    assert {r["status"] for r in rows} == {"ok"} and all(r["facts"] for r in rows)
    single = tmp_path / "one.json"
    result = runner.invoke(app, ["copy", "--product", SHOE, "--language", "es", "--out",
                                 str(single)])  # fmt: skip
    assert result.exit_code == 0
    (row,) = json.loads(single.read_text())
    assert row["status"] == "ok" and row["language"] == "es" and "Precio: $95.49" in row["text"]


@pytest.mark.parametrize(
    "args",
    [
        ["--product", SHOE, "--kind", "poem", "--out", "x.csv"],
        ["--out", "x.csv"],
        ["--product", SHOE, "--out", "x.txt"],
        ["--product", "SB-P9999", "--out", "x.csv"],
    ],
)
def test_copy_cli_bad_input_is_friendly(shop: Database, tmp_path: Path, args: list[str]) -> None:
    from bot.cli.main import app

    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = CliRunner().invoke(app, ["copy", *args])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- Chinese ---------------------------------------------------------------------------------


def test_chinese_template_copy_names_facts_in_chinese_and_passes_the_checker(
    shop: Database,
) -> None:
    product = shoe(shop)
    listing = compose_copy(product, "listing", "friendly", "zh")
    assert listing.startswith(f"为您介绍 {product.name_zh}。")  # the catalog's Chinese name
    english_only = compose_copy(replace(product, name_zh=None), "listing", "friendly", "zh")
    assert english_only.startswith(f"为您介绍 {product.name}。")  # else the English one
    assert "价格：$95.49。" in listing and "防水" in listing
    assert "尺码：38、39、40、41、42、44、45和46。" in listing  # 43 is sold out
    assert "。 " not in listing  # no spaces between Chinese sentences
    email = compose_copy(product, "email", "premium", "zh")
    assert email.startswith(f"主题：{product.name_zh}，")
    sheet = FactSheet(question="", products=[product], focus_product_id=product.id)
    for kind in KINDS:
        for tone in TONES:
            text = compose_copy(product, kind, tone, "zh")
            assert check_copy(text, sheet).ok, (kind, tone, text)


def test_chinese_name_is_used_when_the_catalog_has_one(shop: Database) -> None:
    product = shoe(shop)
    named = replace(product, name_zh="港湾越野跑鞋", description_zh="防水透气的越野跑鞋。轻便。")
    text = compose_copy(named, "listing", "playful", "zh")
    assert "港湾越野跑鞋" in text and product.name not in text
    assert "防水透气的越野跑鞋。" in text and "轻便" not in text  # its first sentence only
    assert product.name in compose_copy(named, "social", "playful", "en")


def test_invented_chinese_claims_are_flagged(shop: Database) -> None:
    bad_zh = "这款跑鞋采用羊毛材质，防风透气，有粉色可选，尺码：38、52。价格：$59.99。"
    backend = ScriptedBackend([bad_zh, bad_zh])
    result = write_copy(shoe(shop), "listing", "friendly", "zh", llm_generator(backend), "llm")
    reasons = " | ".join(result.reasons)
    assert result.status == "flagged" and result.attempts == 2
    for claim in ("wool", "windproof", "pink", "size 52", "$59.99"):
        assert claim in reasons, claim
    assert "size 38" not in reasons
    # a negated feature is not a claim
    assert not [p for p in check_product_specs("不防风，但很轻。", shoe(shop)) if "windproof" in p]


def test_copy_cli_takes_lang_zh(shop: Database, tmp_path: Path) -> None:
    from bot.cli.main import app

    out = tmp_path / "zh.json"
    result = CliRunner().invoke(app, ["copy", "--product", SHOE, "--lang", "zh", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(out.read_text(encoding="utf-8"))
    assert row["status"] == "ok" and row["language"] == "zh" and "价格：$95.49" in row["text"]
