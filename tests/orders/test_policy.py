"""The policy file, its overrides, and the customer-facing passages that must agree with it."""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest

from bot.orders.policy import (
    DEFAULT_POLICY_FILE,
    ShopPolicy,
    canonical_number,
    get_policy,
    load_policy,
    load_policy_passages,
)
from bot.settings import Settings

REQUIRED_TOPICS = {
    "refunds", "returns", "exchanges", "cancellation", "cancellation_fee", "delivery_options",
    "delivery_period", "payment_methods", "payment_issue", "invoices", "order_changes",
    "shipping_address", "account", "password", "privacy", "newsletter", "reviews", "contact",
}  # fmt: skip


def test_default_policy_holds_the_shop_rules() -> None:
    policy = load_policy()
    assert policy.cancellation.reasons == ("no longer needed", "ordered by mistake")
    assert policy.allows("cancel", "pending") and not policy.allows("cancel", "delivered")
    assert policy.allows("return", "delivered") and not policy.allows("return", "pending")
    assert policy.allows("exchange", "delivered") and policy.allows("modify", "pending")
    assert policy.modification.items_once is True
    assert policy.refunds.return_destinations == ("original_method", "gift_card")
    assert policy.refund_timing("gift_card") == "immediately"
    assert policy.refund_timing("credit_card") == "in 5 to 7 business days"
    assert policy.cancellation.fee == Decimal("0.00")
    assert {o.id for o in policy.delivery_options} == {"standard", "express", "next_day"}
    assert all(isinstance(o.price, Decimal) for o in policy.delivery_options)
    assert set(policy.payment_methods.accepted) == {"credit_card", "gift_card", "paypal"}
    assert policy.identification.mode == "standard"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_policy_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(
        tmp_path,
        "cancellation:\n  reasons: [Changed My Mind]\n  fee: '2.50'\n"
        "statuses:\n  cancel: [pending, processed]\n",
    )
    monkeypatch.setenv("SHOPBOT_POLICY_FILE", str(path))
    policy = get_policy(Settings())
    assert policy.cancellation.reasons == ("changed my mind",)
    assert policy.cancellation.fee == Decimal("2.50")
    assert policy.allows("cancel", "processed")
    # Sections not in the file keep the defaults.
    assert policy.allows("return", "delivered")


def test_identification_setting_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPBOT_IDENTIFICATION", "strict")
    assert get_policy(Settings()).identification.mode == "strict"
    monkeypatch.delenv("SHOPBOT_IDENTIFICATION")
    assert get_policy(Settings()).identification.mode == "standard"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("cancellation:\n  reasonz: [x]\n", "reasonz"),  # typo must not pass silently
        ("refunds: [1, 2\n", "not valid YAML"),
        ("- a\n- b\n", "mapping"),
        ("address:\n  zip_pattern: '(['\n", "zip_pattern"),
        (
            "delivery_options:\n  - {id: x, name: X, price: '1.00', "
            "min_business_days: 5, max_business_days: 2}\n",
            "min_business_days",
        ),
    ],
)
def test_bad_policy_file_is_a_clear_error(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as err:
        load_policy(_write(tmp_path, text))
    assert fragment in str(err.value)
    assert "policy" in str(err.value)


def test_parsed_policy_is_reused_until_the_file_changes(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    path = _write(tmp_path, text)
    first = load_policy(path)
    assert load_policy(path) is first  # not parsed again for every action call
    path.write_text(
        text.replace(
            'free_standard_delivery_from: "50.00"', 'free_standard_delivery_from: "75.00"'
        ),
        encoding="utf-8",
    )
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    edited = load_policy(path)
    assert edited is not first
    assert str(edited.free_standard_delivery_from) == "75.00"
    assert str(first.free_standard_delivery_from) == "50.00"


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        load_policy(tmp_path / "nope.yml")


def test_passages_cover_every_topic_with_unique_ids() -> None:
    passages = load_policy_passages()
    topics = {p.topic for p in passages}
    assert topics >= REQUIRED_TOPICS
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))
    for p in passages:
        assert re.fullmatch(r"[a-z0-9-]+", p.id)
        assert p.title and len(p.body) > 80, p.id
        assert "<!--" not in p.body and "## " not in p.body


def test_passages_parser_reports_a_missing_topic(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text("# Policy\n\n## Refunds\nMoney goes back.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has no topic"):
        load_policy_passages(path)
    path.write_text("## Refunds\n<!-- topic: refunds -->\nMoney back.\n", encoding="utf-8")
    [passage] = load_policy_passages(path)
    assert (passage.id, passage.topic, passage.title, passage.body) == (
        "refunds",
        "refunds",
        "Refunds",
        "Money back.",
    )


_MONEY = re.compile(r"\$(\d+(?:\.\d{1,2})?)")
_DAYS = re.compile(r"(\d+)(?:\s*(?:to|-|–)\s*(\d+))?\s+(?:business\s+)?days?\b")
# policy.zh.md: "30 天", "5 到 7 个工作日".
_DAYS_ZH = re.compile(r"(\d+)(?:\s*(?:到|至)\s*(\d+))?\s*个?\s*(?:工作日|天)")


def quoted_numbers(text: str) -> set[Decimal]:
    numbers = {Decimal(m) for m in _MONEY.findall(text)}
    for low, high in _DAYS.findall(text) + _DAYS_ZH.findall(text):
        numbers.add(Decimal(low))
        if high:
            numbers.add(Decimal(high))
    return {canonical_number(n) for n in numbers}


def test_quoted_numbers_extraction() -> None:
    assert quoted_numbers("costs $4.99, takes 3 to 5 business days, or 1 day; $50") == {
        Decimal("4.99"),
        Decimal("3"),
        Decimal("5"),
        Decimal("1"),
        Decimal("50"),
    }


def check_passages_against(
    policy: ShopPolicy, passages_file: Path | None = None, language: str = "en"
) -> list[str]:
    problems = []
    for p in load_policy_passages(passages_file, language):
        allowed = policy.numbers_for_topic(p.topic)
        if allowed is None:
            continue
        wrong = quoted_numbers(p.body) - allowed
        if wrong:
            problems.append(f"{p.id}: {sorted(wrong)} not in policy.yml {sorted(allowed)}")
    return problems


def test_passage_numbers_agree_with_policy_yml() -> None:
    policy = load_policy(DEFAULT_POLICY_FILE)
    assert check_passages_against(policy) == []
    # And the check has teeth: passages quoting numbers must actually be checked.
    checked = [p for p in load_policy_passages() if policy.numbers_for_topic(p.topic)]
    assert sum(bool(quoted_numbers(p.body)) for p in checked) >= 6


def test_chinese_passages_match_the_english_ones_and_policy_yml(tmp_path: Path) -> None:
    policy = load_policy(DEFAULT_POLICY_FILE)
    english, chinese = load_policy_passages(), load_policy_passages(language="zh")
    assert [p.topic for p in chinese] == [p.topic for p in english]
    assert [p.id for p in chinese] == [f"zh-{p.topic}" for p in english]
    assert {p.language for p in chinese} == {"zh"}
    assert check_passages_against(policy, language="zh") == []
    # Every passage quotes the same numbers in both languages (the check has teeth).
    for en, zh in zip(english, chinese, strict=True):
        assert quoted_numbers(zh.body) == quoted_numbers(en.body), zh.id
    assert sum(bool(quoted_numbers(p.body)) for p in chinese) >= 6
    changed = DEFAULT_POLICY_FILE.read_text(encoding="utf-8").replace(
        "window_days: 30", "window_days: 14"
    )
    assert check_passages_against(load_policy(_write(tmp_path, changed)), language="zh")


def test_number_check_catches_a_changed_config(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    changed = text.replace("window_days: 30", "window_days: 14").replace(
        'price: "12.99"', 'price: "14.99"'
    )
    assert changed != text
    problems = check_passages_against(load_policy(_write(tmp_path, changed)))
    assert any(p.startswith("returning-delivered-items") and "30" in p for p in problems)
    assert any(p.startswith("delivery-options-and-prices") and "12.99" in p for p in problems)
