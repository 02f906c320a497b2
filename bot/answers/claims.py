"""Read the claims of a text as values: numbers in words, money, durations, promises.

The grounding checker runs the same readers over the reply and over the facts and compares
values, so "twenty dollars", "$20" and "20 bucks" are one claim, and "a full year" is the
duration 12 months. Promise words (free, refund, warranty, price match, waive ...) are read
as claims that a fact has to state too. English only, like the rest of the checker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.orders.money import money

# -- number words -> digits --------------------------------------------------------------

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = "|".join(sorted([*_SMALL, *_TENS, *_SCALES, "dozen"], key=len, reverse=True))
_NUMBER_PHRASE = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_NUMBER_WORD}))*\b", re.IGNORECASE
)
# "a month", "an hour", "a full year", "a dollar": the article is the number one.
_UNITS = r"(?:days?|weeks?|months?|years?|hours?|hrs?|minutes?|dollars?|bucks?|fortnights?)"
_ARTICLE_ONE = re.compile(
    rf"\b(?:a|an|one|single)\s+(?:(?:full|whole|entire|extra|additional|single)\s+)?(?={_UNITS}\b)",
    re.IGNORECASE,
)
_SPECIAL = [
    (re.compile(r"\ba\s+couple\s+of\b", re.IGNORECASE), "2"),
    (re.compile(r"\ba\s+dozen\b", re.IGNORECASE), "12"),
    (re.compile(r"\b(\d+)\s+fortnights?\b", re.IGNORECASE), None),
    (re.compile(r"\bhalf\s+a\s+year\b", re.IGNORECASE), "6 months"),
    (re.compile(r"\bhalf\s+(?:the\s+)?(?:price|off)\b", re.IGNORECASE), "50% off"),
    (re.compile(r"\b(\d+)\s+and\s+(?:a\s+)?half\b", re.IGNORECASE), None),
]


def _phrase_value(words: list[str]) -> int | None:
    total, current = 0, 0
    for w in words:
        if w in _SMALL:
            current += _SMALL[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        elif w == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


def words_to_digits(text: str) -> str:
    """``text`` with English number words written as digits ("twenty-four hours" -> "24 hours")."""

    def phrase(m: re.Match[str]) -> str:
        words = [w for w in re.split(r"[\s-]+", m.group(0).lower()) if w != "and"]
        value = _phrase_value(words)
        return m.group(0) if value is None else str(value)

    text = _ARTICLE_ONE.sub("1 ", text)
    for pattern, replacement in _SPECIAL:
        if replacement is not None:
            text = pattern.sub(replacement, text)
    text = _NUMBER_PHRASE.sub(phrase, text)
    text = _ARTICLE_ONE.sub("1 ", text)
    text = re.sub(
        r"\b(\d+)\s+fortnights?\b", lambda m: f"{int(m.group(1)) * 14} days", text, flags=re.I
    )
    text = re.sub(r"\b(\d+)\s+and\s+(?:a\s+)?half\b", r"\1.5", text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(?:a\s+)?(\d+)\s+dollars?\s+and\s+(\d{1,2})\s+cents?\b",
        lambda m: f"${m.group(1)}.{int(m.group(2)):02d}",
        text,
        flags=re.IGNORECASE,
    )
    return text


# -- money ---------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_CUR_BEFORE = r"US\$|\$|USD|EUR|€|£|GBP"
_CUR_AFTER = r"US\$|\$|USD|EUR|€|£|GBP|dollars?|bucks?|euros?"
_RANGE = r"\s?(?:-|–|—|to)\s?"
_MONEY = re.compile(
    rf"(?:{_CUR_BEFORE})\s?(?P<a>{_NUM})(?:{_RANGE}(?:{_CUR_BEFORE})?\s?(?P<b>{_NUM}))?"
    rf"|(?<![\w.,])(?P<c>{_NUM})(?:{_RANGE}(?P<d>{_NUM}))?\s?(?:{_CUR_AFTER})(?![\w])"
    rf"|(?<![\w.,])(?P<e>\d{{1,2}})\s?cents?\b",
    re.IGNORECASE,
)
# Words that make an amount a bound ("under $120") rather than a price of something.
_BOUND_BEFORE = re.compile(
    r"(?:under|below|less\s+than|up\s+to|at\s+most|no\s+more\s+than|max(?:imum)?|within"
    r"|budget(?:\s+of)?|over|above|more\s+than|at\s+least|from|cheaper\s+than|between"
    r"|between\s+\S+\s+and)\s*$",
    re.IGNORECASE,
)
_UPPER_BOUND = re.compile(
    r"(?:under|below|less\s+than|up\s+to|at\s+most|no\s+more\s+than|max(?:imum)?|within"
    r"|budget(?:\s+of)?|cheaper\s+than|between\s+\S+\s+and)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Money:
    value: Decimal
    text: str
    start: int
    end: int
    bound: str | None  # "max" / "min" when the amount is a bound ("under $120")


def dec(raw: str) -> Decimal | None:
    try:
        return money(raw.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def money_amounts(text: str) -> list[Money]:
    """Every amount of money in ``text`` (number words already as digits), ranges as two."""
    out: list[Money] = []
    for m in _MONEY.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        bound = None
        if _BOUND_BEFORE.search(before):
            bound = "max" if _UPPER_BOUND.search(before) else "min"
        if m.group("e"):
            raws = [str(Decimal(m.group("e")) / 100)]
        else:
            raws = [r for r in (m.group("a"), m.group("b"), m.group("c"), m.group("d")) if r]
        for raw in raws:
            value = dec(raw)
            if value is not None:
                out.append(Money(value, m.group(0).strip(), m.start(), m.end(), bound))
    for m in _MONEY_ZH.finditer(text):
        value = dec(m.group(1))
        if value is not None:
            out.append(Money(value, m.group(0).strip(), m.start(), m.end(), None))
    return out


# -- percentages, durations, dates ---------------------------------------------------------

_PERCENT = re.compile(rf"(?<![\w.])({_NUM})\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?<![\w.])({_NUM})(?:\s?(?:-|–|to|or)\s?({_NUM}))?[\s-]?"
    r"(?:(?:business|working|calendar|full|whole|extra)[\s-])?"
    r"(days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?)\b",
    re.IGNORECASE,
)
# Unit -> (family, factor): a week is 7 days and a year 12 months; hours stay hours (a
# "business day" is not "24 hours").
_DURATION_UNITS = {
    "day": ("day", 1),
    "week": ("day", 7),
    "month": ("month", 1),
    "year": ("month", 12),
    "hour": ("hour", 1),
    "hr": ("hour", 1),
    "minute": ("minute", 1),
    "min": ("minute", 1),
}


# The same in Chinese ("30 天", "5 到 7 个工作日", "两周" after words_to_digits is not read):
# Han characters count as word characters, so only a digit may not precede the number.
_DURATION_ZH = re.compile(
    rf"(?<![\d.])({_NUM})(?:\s*(?:到|至|-|–|~|或)\s*({_NUM}))?\s*个?\s*(?:工作|自然)?"
    r"(天|日|周|星期|月|年|小时|钟头|分钟)"
)
_ZH_UNITS = {
    "天": "day", "日": "day", "周": "week", "星期": "week", "月": "month", "年": "year",
    "小时": "hour", "钟头": "hour", "分钟": "minute",
}  # fmt: skip
# Dollars said in Chinese ("4.99 美元", "20 刀", "12 美金").
_MONEY_ZH = re.compile(rf"(?<![\d.])({_NUM})\s*(?:美元|美金|刀)")


def percentages(text: str) -> list[tuple[Decimal, str]]:
    return [(v, m.group(0)) for m in _PERCENT.finditer(text) if (v := dec(m.group(1)))]


def durations(text: str) -> list[tuple[tuple[str, Decimal], str]]:
    """("day", 30) for "30 days", "a month" -> ("month", 1); ranges give both ends."""
    out = []
    found = [(m, m.group(3).lower().rstrip("s")) for m in _DURATION.finditer(text)]
    found += [(m, _ZH_UNITS[m.group(3)]) for m in _DURATION_ZH.finditer(text)]
    for m, unit in found:
        family, factor = _DURATION_UNITS[unit]
        for raw in (m.group(1), m.group(2)):
            value = dec(raw) if raw else None
            if value is not None:
                out.append(((family, (value * factor).normalize()), m.group(0).strip()))
    return out


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    _MONTH.format(g="m1") + r"\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH.format(g="m2") + r"\b"
    r"|\b(?P<y>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})\b"
    r"|(?<![\d/])(?P<m4>\d{1,2})/(?P<d4>\d{1,2})(?:/\d{2,4})?(?![\d/])",
    re.IGNORECASE,
)


def dates(text: str) -> list[tuple[tuple[int, int], str, int, int]]:
    """Calendar dates as (month, day), with the matched text and span."""
    out = []
    for m in _DATE.finditer(text):
        g = m.groupdict()
        name = g["m1"] or g["m2"]
        if name:
            month = _MONTHS[name[:3].lower()]
            day = int(g["d1"] or g["d2"])
        else:
            month, day = int(g["m3"] or g["m4"]), int(g["d3"] or g["d4"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.append(((month, day), m.group(0), m.start(), m.end()))
    return out


# -- promises ------------------------------------------------------------------------------

# A promise a fact must state. Each is a family of ways to say it; the reply's wording and the
# fact's wording need not match, only the family.
PROMISES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "refund": r"\brefund\w*|\bmoney[\s-]back\b|\breimburs\w*",
        "cash": r"\bcash\b",
        "warranty": r"\bwarrant(?:y|ies|ied)\b|\bguarant(?:ee|ees|eed|y)\b",
        "lifetime": r"\blifetime\b|\bfor\s+life\b|\bforever\b|\bnever\s+expires?\b|\bunlimited\b",
        "price match": r"\bprice[\s-]match\w*|\bmatch\w*\s+(?:\w+\s+){0,3}prices?\b"
        r"|\bbeat\s+(?:\w+\s+){0,3}prices?\b",
        "discount": r"\bdiscount\w*|\b\d+(?:\.\d+)?\s?%\s+off\b|\boff\s+(?:the\s+)?(?:price|total)"
        r"|\bon\s+sale\b|\bsale\s+price\b|\bcoupon\w*|\bpromo(?:tion(?:al)?)?\s+codes?\b"
        r"|\bvoucher\w*|\bclearance\b|\bmarked\s+down\b|\bmarkdown\b|\bprice\s+drop\b"
        r"|\bbuy\s+1\s+get\s+1\b|\bbogo\b|\bspecial\s+offer\b|\bdeal\b",
        "no questions asked": r"\bno[\s-]+questions?(?:\s+asked)?\b|\bno[\s-]quibble\b"
        r"|\bhassle[\s-]free\b|\bfor\s+any\s+reason\b|\bunconditional\w*"
        r"|\bno\s+receipt\b|\bsatisfaction\s+guaranteed\b",
        "exchange": r"\bexchang\w*|\bswap\w*",
        "return": r"\breturn(?:s|ed|ing|able)?\b",
        "cancel": r"\bcancel\w*",
        "scarcity": r"\b(?:a\s+)?few\s+left\b|\bselling\s+(?:out\s+)?fast\b|\balmost\s+gone\b"
        r"|\bgoing\s+fast\b|\blimited\s+(?:stock|quantit\w+|supply|time|edition)\b"
        r"|\blow\s+(?:on\s+)?stock\b|\bwhile\s+(?:stocks?|supplies)\s+lasts?\b"
        r"|\bwon'?t\s+last\b|\bhigh\s+demand\b|\blast\s+(?:one|pair|piece|item|unit)s?\b",
        "insurance": r"\binsur\w+",
        "free gift": r"\bgifts?\s+with\s+purchase\b|\bbonus\s+(?:item|gift)\b",
    }.items()
}

# "Free" and its synonyms, and "no fee"; what is free is read from the words nearby.
ZERO_COST = re.compile(
    r"(?<![\w-])free(?![\w-])(?:\s+of\s+charge)?|\bat\s+no\s+(?:extra\s+|additional\s+)?cost\b"
    r"|\bno\s+(?:extra\s+)?charge\b|\bcosts?\s+(?:you\s+)?nothing\b|\bfor\s+nothing\b"
    r"|\bcomplimentary\b|\bon\s+the\s+house\b|\bon\s+us\b|\bwaiv(?:e|ed|es|ing)\b"
    r"|\bno\s+(?:\w+\s+)?fees?\b|\bfee[\s-]free\b|\bwithout\s+(?:any\s+)?(?:\w+\s+)?(?:fees?|charges?)\b"
    r"|\bzero[\s-](?:cost|fee)s?\b|\b0\s+dollars?\b",
    re.IGNORECASE,
)
# What can be free: the service a fact has to name as free too.
SERVICES: dict[str, re.Pattern[str]] = {
    "shipping": re.compile(r"\b(?:shipping|delivery|deliveries|postage|dispatch)\b", re.I),
    "returns": re.compile(r"\breturns?\b|\breturn\s+(?:shipping|label)s?\b", re.I),
    "exchanges": re.compile(r"\bexchang\w*", re.I),
    "cancellation": re.compile(r"\bcancel\w*", re.I),
    "restocking": re.compile(r"\brestocking\b", re.I),
    "gift wrap": re.compile(r"\bgift[\s-]?wrap\w*", re.I),
    "repairs": re.compile(r"\brepairs?\b|\binstallation\b|\balterations?\b", re.I),
}
# Delivery timing: a promise when said with a shipping verb, or on its own ("tomorrow").
TIMING_ALONE = re.compile(
    r"\b(?:tomorrow|overnight|same[\s-]day|next[\s-]day|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|by\s+the\s+weekend|express|expedited)\b",
    re.IGNORECASE,
)
TIMING_WITH_VERB = re.compile(
    r"\b(?:ships?|shipped|shipping|dispatch\w*|deliver\w*|arriv\w*|sent|send|sends"
    r"|goes\s+out|leaves?|be\s+there|out\s+the\s+door)\b"
    r"(?:\s+\w+){0,3}?\s+(today|tonight|now|immediately|right\s+away|at\s+once|this\s+week"
    r"|this\s+weekend|this\s+afternoon|this\s+evening|asap|in\s+no\s+time)\b",
    re.IGNORECASE,
)
NEGATION = re.compile(
    r"\b(?:not|never|cannot|can't|don't|doesn't|didn't|isn't|aren't|won't|wasn't|no\s+longer"
    r"|unable|neither|nor)\b|n't\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[.;:!?\n,()—–]|\s-\s|\bbut\b|\band\b|\bso\b", re.IGNORECASE)


def clause_before(text: str, start: int, words: int = 6) -> str:
    """The words before ``start`` in the same clause (at most ``words`` of them)."""
    head = text[:start]
    cut = max((m.end() for m in _CLAUSE.finditer(head)), default=0)
    return " ".join(head[cut:].split()[-words:])


def negated(text: str, start: int) -> bool:
    """'We don't offer price matching': a denied promise is not a promise."""
    return bool(NEGATION.search(clause_before(text, start)))


def timing_claims(text: str) -> list[tuple[str, str, int]]:
    """(token, matched text, start) for delivery-timing promises."""
    out = [(_norm_token(m.group(0)), m.group(0), m.start()) for m in TIMING_ALONE.finditer(text)]
    out += [
        (_norm_token(m.group(1)), m.group(0), m.start(1)) for m in TIMING_WITH_VERB.finditer(text)
    ]
    return out


_TIMING_WORDS = re.compile(
    TIMING_ALONE.pattern[:-3]
    + r"|today|tonight|now|immediately|right\s+away|at\s+once|this\s+week|this\s+weekend"
    r"|this\s+afternoon|this\s+evening|asap|in\s+no\s+time)\b",
    re.IGNORECASE,
)


def timing_words(text: str) -> set[str]:
    """Every timing word a text uses: what a fact says, a reply may repeat."""
    return {_norm_token(m.group(0)) for m in _TIMING_WORDS.finditer(text)}


def _norm_token(word: str) -> str:
    return re.sub(r"[\s-]+", " ", word.lower()).strip()
