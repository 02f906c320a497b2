"""Every sentence a shopper reads, in one message catalog per language (gettext .po, via Babel).

Layout: ``bot/texts/locales/<locale>/LC_MESSAGES/shopbot.po``; English (``en``) is the source of
truth and the default. A new language is a new .po file with the same message ids, nothing else:
``t`` takes the locale, and a missing translation falls back to English. A catalog's directory
may name a language (``en``) or a locale (``zh_CN``); either way it serves its language, so
``t(key, "zh")``, ``"zh_CN"`` and ``"zh-Hans"`` read the same Chinese catalog.

Message ids are stable dotted keys (``order.cancel.preview``), not English sentences, because
(1) rewording the English then never orphans a translation, (2) a key says where a sentence is
used, and two identical English sentences used in different places can be translated apart,
and (3) tests can check keys both ways: every key the code names exists in the catalog and every
catalog entry is used (tests/texts). Placeholders are named, in ``str.format`` braces
(``{order_id}``); ``t`` fails loudly on an unknown key, a missing placeholder or an unexpected one.

The .po files are read with ``babel.messages.pofile.read_po`` at first use and kept in memory;
nothing compiled is written into the tree.

The locale: ``t(key, locale)`` when the caller knows it; otherwise the conversation's, set once
per turn with ``use_locale`` (a context variable, so concurrent turns of different shoppers never
mix languages), which is how a plan deep in the order service speaks the shopper's language
without every function taking a ``locale`` argument. Money, numbers and dates are formatted here
too (``money``, ``number``, ``date``), by locale, and nowhere else.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date as Date
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

DOMAIN = "shopbot"
DEFAULT_LOCALE = "en"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
# How a bare language is formatted (numbers, money, dates): the region the shop serves.
REGIONS = {"en": "en_US", "zh": "zh_Hans_CN"}

_active: ContextVar[str] = ContextVar("shopbot_locale", default=DEFAULT_LOCALE)


class UnknownMessage(KeyError):
    """A key the English catalog does not have: a typo in code or a sentence never added."""


class PlaceholderError(KeyError):
    """The named values given to ``t`` are not exactly the message's placeholders."""


def language(locale: str | None) -> str:
    """'zh_CN', 'zh-Hans', 'ZH' → 'zh'; None → the active locale's language."""
    raw = (locale or _active.get() or DEFAULT_LOCALE).replace("-", "_")
    return raw.split("_")[0].lower() or DEFAULT_LOCALE


def _catalog_files() -> dict[str, Path]:
    """Language → its .po file. Two directories of one language (``zh`` and ``zh_CN``) would
    make the choice silent, so they fail loudly instead."""
    files: dict[str, Path] = {}
    for path in sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = language(path.parent.parent.name)
        if lang in files:
            raise ValueError(f"two catalogs for language {lang!r}: {files[lang]} and {path}")
        files[lang] = path
    return files


@cache
def available_languages() -> tuple[str, ...]:
    """The languages with a catalog file ('en', 'zh'), English first."""
    return tuple(sorted(_catalog_files(), key=lambda lang: (lang != DEFAULT_LOCALE, lang)))


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """Key → text of one language's .po file (empty for a language without one); ``lang``
    may be a locale ('zh_CN')."""
    path = _catalog_files().get(language(lang))
    if path is None:
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=path.parent.parent.name, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


@cache
def placeholders(text: str) -> frozenset[str]:
    """The named placeholders of one message text."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def keys() -> frozenset[str]:
    """Every message id (the English catalog defines them)."""
    return frozenset(catalog(DEFAULT_LOCALE))


def t(key: str, locale: str | None = None, **named: object) -> str:
    """The message ``key`` in ``locale`` (default: the conversation's), placeholders filled.

    Raises ``UnknownMessage`` for a key English lacks and ``PlaceholderError`` unless ``named``
    gives exactly the English message's placeholders (a translation may use fewer).
    """
    english = catalog(DEFAULT_LOCALE)
    if key not in english:
        raise UnknownMessage(key)
    wanted = placeholders(english[key])
    if set(named) != wanted:
        missing, extra = sorted(wanted - set(named)), sorted(set(named) - wanted)
        raise PlaceholderError(f"{key}: missing {missing}, unexpected {extra}")
    text = catalog(language(locale)).get(key) or english[key]
    return text.format(**named) if wanted else text


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Speak ``locale`` (a language with a catalog, else English) inside the block."""
    lang = language(locale or DEFAULT_LOCALE)
    lang = lang if lang in available_languages() else DEFAULT_LOCALE
    token = _active.set(lang)
    try:
        yield lang
    finally:
        _active.reset(token)


def active_locale() -> str:
    return _active.get()


def _babel_locale(locale: str | None) -> Locale:
    return _babel_locale_of(language(locale))


@cache
def _babel_locale_of(lang: str) -> Locale:
    """Parsed once per language: ``Locale.parse`` took a fifth of ``money``'s time."""
    try:
        return Locale.parse(REGIONS.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(REGIONS[DEFAULT_LOCALE])


def money(
    amount: Decimal | int | float | str, currency: str = "USD", locale: str | None = None
) -> str:
    """'$1,234.50' (en): the one way an amount is written for a shopper."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return _money_text(str(value), currency, language(locale))


@lru_cache(maxsize=8192)
def _money_text(value: str, currency: str, lang: str) -> str:
    """Babel's formatting, remembered: an answer writes ~80 prices, mostly the same few
    (the fact sheet is rendered for the prompt and again for the grounding check), and
    ``format_currency`` was a quarter of the answer path (bench/answer_latency.py profile).
    Keyed by the text of the amount so ``-0.00`` and ``0.00`` stay apart."""
    return format_currency(Decimal(value), currency, locale=_babel_locale_of(lang))


def number(value: Decimal | int | float, locale: str | None = None) -> str:
    """'1,234' / '4.5' by locale."""
    return format_decimal(value, locale=_babel_locale(locale))


def date(value: Date | datetime, locale: str | None = None, fmt: str = "medium") -> str:
    """'Dec 5, 2026' (en, medium) by locale; a datetime is shown with its time."""
    if isinstance(value, datetime):
        return format_datetime(value, format=fmt, locale=_babel_locale(locale))
    return format_date(value, format=fmt, locale=_babel_locale(locale))


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


# Full-width punctuation (CJK symbols, full-width forms), and that or a Han character.
_WIDE_MARK = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
_WIDE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def reflow(text: str) -> str:
    """Shop text (a policy passage) without the line breaks of its file: the lines of a
    paragraph join with a space (none beside Chinese); blank lines between paragraphs and list
    items stay."""
    paragraphs = re.split(r"\n\s*\n", (text or "").strip())
    out = []
    for paragraph in paragraphs:
        lines: list[str] = []
        for raw in paragraph.splitlines():
            line = " ".join(raw.split())
            if not line:
                continue
            if lines and not _LIST_ITEM.match(raw):
                # Chinese has no spaces between words: a line broken between Han characters
                # or full-width marks joins without one ("在我们⏎收到" is "在我们收到"); beside
                # a Latin word or a number it keeps the space the Chinese passages use.
                before, after = lines[-1][-1], line[0]
                tight = (_WIDE.match(before) and _WIDE.match(after)) or any(
                    _WIDE_MARK.match(c) for c in (before, after)
                )
                joint = "" if tight else " "
                lines[-1] = f"{lines[-1]}{joint}{line}"
            else:
                lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(p for p in out if p)


def payment_title(method: Any) -> str:
    """How a payment method (a stored one or its view: ``kind``, ``brand``, ``last_four``,
    ``balance``, ``label``) is shown to its owner in the conversation's language: brand and
    last four of a card, a gift card's balance ("礼品卡（余额 US$20.00）"), PayPal. Never more."""
    kind = str(getattr(getattr(method, "kind", ""), "value", getattr(method, "kind", "")))
    if kind == "gift_card":
        return t("payment.method.gift_card", balance=money(getattr(method, "balance", 0) or 0))
    last_four = getattr(method, "last_four", "") or ""
    if kind == "credit_card" and last_four:
        brand = (getattr(method, "brand", "") or "").title()
        if not brand:
            return t("payment.method.card_plain", last_four=last_four)
        return t("payment.method.card", brand=brand, last_four=last_four)
    return str(getattr(method, "label", "") or "")


def describe_options(options: Mapping[str, object] | None, locale: str | None = None) -> str:
    """'size M, colour blue' (empty without options)."""
    sep = t("item.option_separator", locale)
    return sep.join(t("item.option", locale, name=k, value=v) for k, v in (options or {}).items())


def describe_item(
    name: str, options: Mapping[str, object] | None, locale: str | None = None
) -> str:
    """'T-shirt (size M, colour blue)', or the name alone."""
    opts = describe_options(options, locale)
    return t("item.with_options", locale, name=name, options=opts) if opts else name


def list_words(words: Sequence[str], locale: str | None = None) -> str:
    """'a', 'a and b', 'a, b and c' (the catalog holds the joiners, so a language sets its own)."""
    if len(words) <= 1:
        return "".join(words)
    head = t("list.separator", locale).join(words[:-1])
    return t("list.last", locale, head=head, last=words[-1])


def list_alternatives(words: Sequence[str], locale: str | None = None) -> str:
    """'a', 'a or b', 'a, b or c' (joiners from the catalog, as in :func:`list_words`)."""
    if len(words) <= 1:
        return "".join(words)
    head = t("list.separator", locale).join(words[:-1])
    return t("list.or_last", locale, head=head, last=words[-1])


__all__ = [
    "DEFAULT_LOCALE",
    "PlaceholderError",
    "UnknownMessage",
    "active_locale",
    "available_languages",
    "catalog",
    "date",
    "describe_item",
    "describe_options",
    "keys",
    "language",
    "list_alternatives",
    "list_words",
    "money",
    "number",
    "placeholders",
    "reflow",
    "t",
    "use_locale",
]
