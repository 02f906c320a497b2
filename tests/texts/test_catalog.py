"""The message catalog: every entry renders, every key the code names exists and every entry is
used, Rasa's responses are generated from it, and no shopper-facing English is left in the code
that speaks through it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bot import texts
from bot.texts import PlaceholderError, UnknownMessage, placeholders, t, use_locale
from bot.texts.domain import RESPONSES_FILE, build_responses, render, response_names

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CODE = [p for d in ("bot", "actions", "rasa_addons") for p in (PROJECT_ROOT / d).rglob("*.py")]
KEY_SHAPE = re.compile(r"^[a-z][a-z_]*(\.[a-z0-9_]+)+$")
FILE_NAME = re.compile(r"\.(ya?ml|md|html|py|json|js|css|txt|po)$")


def _sample(names: frozenset[str]) -> dict[str, str]:
    return {name: f"<{name}>" for name in names}


def test_every_entry_renders_with_its_placeholders() -> None:
    assert len(texts.keys()) > 150
    for lang in texts.available_languages():
        for key, text in texts.catalog(lang).items():
            english = texts.catalog("en")[key]
            assert placeholders(text) <= placeholders(english), (lang, key)
            rendered = t(key, lang, **_sample(placeholders(english)))
            assert rendered.strip() or "separator" in key, (lang, key)
            assert "{" not in rendered.replace("{example}", ""), (lang, key)


def test_unknown_keys_and_wrong_placeholders_fail_loudly() -> None:
    with pytest.raises(UnknownMessage):
        t("order.no_such_sentence")
    with pytest.raises(PlaceholderError):
        t("order.not_found")  # missing order_id
    with pytest.raises(PlaceholderError):
        t("order.not_found", order_id="#S1", extra="x")
    assert t("order.not_found", order_id="#S1000001") == (
        "I couldn't find an order #S1000001 on your account. Could you check the number?"
    )


def _literals(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno


def test_keys_in_code_exist_and_every_entry_is_used() -> None:
    catalog = texts.keys()
    namespaces = {key.split(".")[0] for key in catalog}
    used: set[str] = {texts.domain.message_key(name) for name in response_names()}
    missing = []
    for path in CODE:
        for value, line in _literals(path):
            if (
                KEY_SHAPE.match(value)
                and not FILE_NAME.search(value)
                and value.split(".")[0] in namespaces
            ):
                if value in catalog:
                    used.add(value)
                elif not path.is_relative_to(PROJECT_ROOT / "bot" / "texts"):
                    missing.append(f"{path.relative_to(PROJECT_ROOT)}:{line} {value}")
    assert not missing, f"keys not in the catalog: {missing}"
    assert not catalog - used, f"catalog entries no code uses: {sorted(catalog - used)}"


def test_domain_responses_are_generated_from_the_catalog() -> None:
    assert RESPONSES_FILE.read_text(encoding="utf-8") == render(), (
        "domain/responses.yml is stale: run python -m bot.texts.domain"
    )
    responses = build_responses()["responses"]
    assert responses["utter_greet"][-1]["text"] == t("utter.greet")
    others = [p for p in (PROJECT_ROOT / "domain").glob("*.yml") if p != RESPONSES_FILE]
    for path in others:  # one place for Rasa's sentences
        assert not (yaml.safe_load(path.read_text()) or {}).get("responses"), path


# Calls whose string arguments the shopper reads: every one must come from the catalog.
SPEAKING = {"Reply", "Refused", "Check", "button", "text_button", "utter_message", "choices"}
SPOKEN_ARGS = {"text", "message", "title", "question", "heading", "empty"}
MIGRATED = [
    *(PROJECT_ROOT / "bot" / "orders" / "tasks").glob("*.py"),
    PROJECT_ROOT / "bot" / "orders" / "service.py",
    PROJECT_ROOT / "bot" / "dialogue" / "conversation.py",
    PROJECT_ROOT / "bot" / "dialogue" / "replies.py",
    *(PROJECT_ROOT / "actions").glob("*.py"),
]


def _english(node: ast.expr) -> bool:
    """A literal (or f-string, or sum of them) with words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2,}\W+[A-Za-z]", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_english(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _english(node.left) or _english(node.right)
    if isinstance(node, ast.IfExp):
        return _english(node.body) or _english(node.orelse)
    return False


def test_no_shopper_facing_english_left_in_the_migrated_code() -> None:
    found = []
    for path in MIGRATED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in SPEAKING:
                continue
            args = [*node.args, *(k.value for k in node.keywords if k.arg in SPOKEN_ARGS)]
            found += [f"{path.relative_to(PROJECT_ROOT)}:{a.lineno}" for a in args if _english(a)]
    assert not found, f"shopper-facing literals outside the catalog: {found}"


def test_money_numbers_and_dates_by_locale() -> None:
    assert texts.money(Decimal("1234.5")) == "$1,234.50"
    assert texts.money(Decimal("1234.5"), "USD", "zh") == "US$1,234.50"
    assert texts.money("0.1", "EUR", "en") == "€0.10"
    assert texts.number(Decimal("1234.5")) == "1,234.5"
    assert texts.date(date(2026, 12, 5)) == "Dec 5, 2026"
    assert texts.date(date(2026, 12, 5), "zh") == "2026年12月5日"
    assert "2026" in texts.date(datetime(2026, 12, 5, 9, 30))


def test_lists_and_reflowed_passages() -> None:
    assert texts.list_words([]) == "" and texts.list_words(["a"]) == "a"
    assert texts.list_words(["a", "b", "c"]) == "a, b and c"
    assert texts.list_alternatives(['"x"', '"y"']) == '"x" or "y"'
    passage = "Standard delivery takes 3\nto 5 business days.\n\nOptions:\n- express\n- next day"
    assert texts.reflow(passage) == (
        "Standard delivery takes 3 to 5 business days.\n\nOptions:\n- express\n- next day"
    )
    # Chinese lines join without a space (seen in the widget: "退款在我们 收到"); beside a
    # Latin word or a number the space stays, as the Chinese passages write it
    zh = "退款在我们\n收到商品后发出。\n退到 PayPal 需要\n5 到 7 个工作日，\nPayPal 或\n礼品卡"
    assert (
        texts.reflow(zh)
        == "退款在我们收到商品后发出。退到 PayPal 需要 5 到 7 个工作日，PayPal 或礼品卡"
    )


@pytest.fixture
def with_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The English catalog plus a zh one with a single translated entry."""
    base = tmp_path / "locales"
    for lang in ("en", "zh"):
        (base / lang / "LC_MESSAGES").mkdir(parents=True)
    english = texts.LOCALES_DIR / "en" / "LC_MESSAGES" / "shopbot.po"
    (base / "en" / "LC_MESSAGES" / "shopbot.po").write_bytes(english.read_bytes())
    (base / "zh" / "LC_MESSAGES" / "shopbot.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: zh\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "order.not_found"\nmsgstr "您的账户中没有订单 {order_id}。请检查订单号。"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(texts, "LOCALES_DIR", base)
    texts.catalog.cache_clear()
    texts.available_languages.cache_clear()
    yield
    monkeypatch.undo()
    texts.catalog.cache_clear()
    texts.available_languages.cache_clear()


def test_a_language_is_a_translation_file(with_chinese: None) -> None:
    assert texts.available_languages() == ("en", "zh")
    with use_locale("zh_CN"):
        assert t("order.not_found", order_id="#S1") == "您的账户中没有订单 #S1。请检查订单号。"
        assert t("money.none") == "No money changes hands."  # untranslated: English
        assert texts.money(5) == "US$5.00"
    assert t("order.not_found", order_id="#S1").startswith("I couldn't find")
    with use_locale("fr"):  # no catalog: English
        assert t("money.none") == "No money changes hands."
    zh = [v for v in build_responses()["responses"]["utter_greet"] if "condition" in v]
    assert zh and zh[0]["condition"] == [{"type": "slot", "name": "language", "value": "zh"}]


# Modules that only produce shopper text (no Reply objects): no sentence at all outside the
# catalog, except docstrings, log messages and regular expressions.
TEXT_ONLY = [
    PROJECT_ROOT / "bot" / "answers" / "compose.py",
    PROJECT_ROOT / "bot" / "insights" / "recommend.py",
]


def test_text_only_modules_hold_no_sentences() -> None:
    found = []
    for path in TEXT_ONLY:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                skip.add(id(body[0].value))  # docstrings
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and getattr(node.func.value, "id", "") == "log"
            ):
                skip.update(id(a) for a in node.args)  # log messages
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and "\\b" not in node.value
                and re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}", node.value)
            ):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.value[:40]}")
    assert not found, found


def test_payment_methods_are_shown_in_the_conversations_language() -> None:
    """Seen in the widget: a Chinese chat offered "gift card (balance $20.00)"."""
    from types import SimpleNamespace as Method

    from bot.texts import payment_title, use_locale

    gift = Method(kind="gift_card", balance=Decimal("20"), label="gift card (balance $20.00)")
    visa = Method(kind="credit_card", brand="visa", last_four="4242", label="Visa ending 4242")
    plain = Method(kind="credit_card", brand="", last_four="1111", label="Card ending 1111")
    paypal = Method(kind="paypal", label="PayPal")
    assert [payment_title(m) for m in (gift, visa, plain, paypal)] == [
        "gift card (balance $20.00)",
        "Visa ending 4242",
        "card ending 1111",
        "PayPal",
    ]
    with use_locale("zh_CN"):
        assert payment_title(gift) == "礼品卡（余额 US$20.00）"
        assert payment_title(visa) == "Visa（尾号 4242）"
        assert payment_title(paypal) == "PayPal"
