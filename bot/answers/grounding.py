"""Check a generated reply against the facts before it reaches the shopper.

Every price, product/variant id, order id, stock count or availability claim, and policy
number (days, weeks, percentages, amounts) in the reply must be supported by the numbered
facts; so must promises (free, refund, warranty, price match, waived fees ...), delivery
dates and timing, and any reference, email, phone number, address or person's name. Claims
are read as values (bot.answers.claims) from the reply and from the facts alike, so "twenty
dollars" is $20.00 and "a full year" is 12 months. The shopper's budget is not a fact: it may
only be echoed as a bound ("nothing under $120"). Anything else is reported as a problem; the
answer service then regenerates once and finally falls back to the template answer. The
checker is deliberately strict: a false alarm costs a template answer, a missed one costs the
shop a wrong promise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bot.answers import claims
from bot.answers.facts import FactSheet, ProductFact
from bot.orders.ids import ORDER_ID_IN_TEXT
from bot.orders.money import money

_PRODUCT_ID = re.compile(r"\bSB-[PV]\d{4,8}\b|(?<![\d#$.,])\b\d{10}\b(?![\d.,])", re.IGNORECASE)
# Any other reference: "#4521", "SKU: AB-1234", "tracking 1Z999AA1", "TRK123".
_HASH_REF = re.compile(r"(?<![\w&])#\s?([A-Za-z0-9-]*\d[A-Za-z0-9-]*)")
_KEYWORD_REF = re.compile(
    r"\b(?:sku|item|product|model|part|ref(?:erence)?|tracking|order|id|code|number)"
    r"(?:\s+(?:number|no\.?|id|code|#))?\s*[:#]?\s*([A-Za-z0-9][A-Za-z0-9-]*\d[A-Za-z0-9-]*)",
    re.IGNORECASE,
)
_MIXED_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th|s)$", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"(?<![\w.,$#/-])\d{5,}(?![\w/-]|[.,]\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![\w#])(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?(?!\w)"
)
_ADDRESS = re.compile(
    r"(?<![\w#$.])\d{1,6}\s+(?:[A-Z][A-Za-z'.-]*\s+){1,3}"
    r"(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|parkway|pkwy|circle|highway|hwy|square)\b"
)
_NAME = r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
_PERSON = re.compile(
    rf"\b(?i:customer|shopper|client|buyer|user|mr|mrs|ms|miss|dr)\.?\s+{_NAME}"
    rf"|{_NAME}(?:'s\s+(?i:order|address|email|phone|account|parcel|package|details|purchase)"
    r"|\s+(?:also\s+|recently\s+|just\s+)?(?i:ordered|bought|purchased|returned|lives|paid))\b"
    rf"|\b(?i:ordered|bought|placed|purchased|shipped|delivered|sent|addressed|belongs)"
    rf"\s+(?i:by|to|for)\s+{_NAME}"
)
_STOCK_COUNT = re.compile(
    r"\b(\d+)\s+(?:units?\s+|pieces?\s+|pairs?\s+|items?\s+)?(?:left|in\s+stock|available|remaining)\b",
    re.IGNORECASE,
)
_NEGATIVE_STOCK = re.compile(
    r"\b(?:out\s+of\s+stock|sold\s+out|not\s+(?:currently\s+)?(?:in\s+stock|available)"
    r"|unavailable|isn't\s+available|is\s+not\s+available|aren't\s+available)\b",
    re.IGNORECASE,
)
_POSITIVE_STOCK = re.compile(
    r"\b(?:in\s+stock|available\s+(?:now|today|to\s+order|in)|is\s+available|are\s+available"
    r"|ready\s+to\s+ship|ships?\s+(?:today|now|immediately))\b",
    re.IGNORECASE,
)
_ACTION_CLAIM = re.compile(
    r"\b(?:I|we)(?:'ve|\s+have|\s+just|\s+now|\s+already)*\s+"
    r"(?:cancell?ed|refunded|returned|exchanged|issued|processed|changed|updated|modified"
    r"|credited|approved|reversed)\b"
    r"|\byour\s+(?:refund|cancellation|return|exchange|order)\s+(?:has\s+been|is|was)\s+"
    r"(?:processed|approved|issued|completed|cancell?ed|refunded)\b",
    re.IGNORECASE,
)
_COST_VERB = re.compile(
    r"\b(?:costs?|priced|price\s+is|sells?\s+for|goes\s+for|retails?|is\s+only|are\s+only"
    r"|for\s+just|for\s+only|it's|it\s+is|this\s+is|they're)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")
_CLAIM_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_FACT_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")
_ZERO = Decimal("0.00")


@dataclass
class GroundingReport:
    ok: bool
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "problems": list(self.problems), "checked": self.checked}


def _dec(raw: str) -> Decimal | None:
    return claims.dec(raw)


def _appears(token: str, text: str) -> bool:
    return bool(re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text, re.IGNORECASE))


class _Allowed:
    """What the facts support, read once per fact sheet with the same readers as the reply."""

    def __init__(self, facts: FactSheet) -> None:
        self.prices: set[Decimal] = set()
        self.item_prices: set[Decimal] = set()
        self.budgets: set[Decimal] = set()
        self.ids: set[str] = set()
        self.order_ids: set[str] = set()
        self.currencies: set[str] = {"USD"}
        for p in facts.products:
            self.ids.add(p.id.upper())
            for v in p.variants:
                self.ids.add(v.id.upper())
                self.item_prices.add(v.price)
                self.currencies.add(v.currency.upper())
        for o in facts.orders:
            self.order_ids.add(o.id.upper().lstrip("#"))
            self.item_prices.add(o.total)
            for line in o.lines:
                self.item_prices.add(line.price)
                self.ids.update({line.variant_id.upper(), line.product_id.upper()})
        self.text = "\n".join(facts.numbered_lines())
        norm = claims.words_to_digits(self.text)
        self.norm = norm
        self.prices = self.item_prices | {m.value for m in claims.money_amounts(norm)}
        # The shopper's own budget may be echoed as a bound ("options under $120"), never as
        # the price of something: a number in the question is not a fact about a product.
        flt = facts.filters
        for bound in (getattr(flt, "max_price", None), getattr(flt, "min_price", None)):
            if bound is not None:
                self.budgets.add(money(bound))
        self.percents = {v for v, _ in claims.percentages(norm)}
        self.durations = {d for d, _ in claims.durations(norm)}
        self.dates = {d for d, *_ in claims.dates(norm)}
        self.digits = re.sub(r"[\s().+-]", "", self.text)
        self.promises: set[str] = set()
        self.free_services: set[str] = set()
        self.timing: set[str] = set()
        for sentence in _FACT_SENTENCE.split(norm):
            for name, pattern in claims.PROMISES.items():
                if any(not claims.negated(sentence, m.start()) for m in pattern.finditer(sentence)):
                    self.promises.add(name)
            if any(
                not claims.negated(sentence, m.start()) for m in claims.ZERO_COST.finditer(sentence)
            ):
                self.free_services.update(
                    name for name, pat in claims.SERVICES.items() if pat.search(sentence)
                )
        self.timing = claims.timing_words(norm)


def check_reply(reply: str, facts: FactSheet) -> GroundingReport:
    """Return which claims of ``reply`` the facts do not support (empty = grounded)."""
    allowed = _Allowed(facts)
    problems: list[str] = []
    checked = 0
    norm = claims.words_to_digits(reply)
    taken: list[tuple[int, int]] = []  # spans already read as a claim (prices, dates, ids)

    def problem(text: str) -> None:
        if text not in problems:
            problems.append(text)

    for amount in claims.money_amounts(norm):
        checked += 1
        taken.append((amount.start, amount.end))
        foreign = re.search(r"€|£|EUR|GBP|euro", amount.text, re.IGNORECASE)
        code = (
            {"€": "EUR", "£": "GBP"}.get(foreign.group(0), foreign.group(0)[:3].upper())
            if foreign
            else ""
        )
        if foreign and code not in allowed.currencies:
            problem(f"price {amount.text} is in a currency that is not in the facts")
        elif amount.value in allowed.prices:
            continue
        elif amount.bound and amount.value in allowed.budgets:
            issue = _bound_claim(norm, amount, facts)
            if issue:
                problem(issue)
        else:
            problem(f"price {amount.text} is not in the facts")

    for value, text in claims.percentages(norm):
        checked += 1
        if value not in allowed.percents:
            problem(f"'{text}' is not stated in the facts")
    for duration, text in claims.durations(norm):
        checked += 1
        if duration not in allowed.durations:
            problem(f"'{text}' is not stated in the facts")
    for date, text, start, end in claims.dates(norm):
        checked += 1
        taken.append((start, end))
        if date not in allowed.dates:
            problem(f"date '{text}' is not in the facts")

    for m in _PRODUCT_ID.finditer(norm):
        checked += 1
        taken.append(m.span())
        if m.group(0).upper() not in allowed.ids:
            problem(f"product/variant id {m.group(0)} is not in the facts")
    for m in ORDER_ID_IN_TEXT.finditer(norm):
        checked += 1
        taken.append(m.span())
        if m.group(1).upper() not in allowed.order_ids:
            problem(f"order {m.group(0)} is not one of this shopper's orders in the facts")
    _check_references(norm, allowed, taken, problem)
    checked += _check_personal_data(norm, facts, allowed, taken, problem)

    for m in _STOCK_COUNT.finditer(norm):
        checked += 1
        counts = _stock_counts(norm, m.start(), facts)
        if int(m.group(1)) not in counts:
            problem(f"stock count '{m.group(0)}' is not in the facts")

    for m in _ACTION_CLAIM.finditer(reply):
        checked += 1
        problem(
            f"'{m.group(0)}' claims an order change; answers cannot change orders "
            "(only confirmed forms can)"
        )

    checked += _check_promises(norm, facts, allowed, problem)

    for sentence in _SENTENCE.split(reply):
        neg = bool(_NEGATIVE_STOCK.search(sentence))
        pos = bool(_POSITIVE_STOCK.search(_NEGATIVE_STOCK.sub(" ", sentence)))
        if not (neg or pos):
            continue
        checked += 1
        if not facts.products:
            # No product facts: only a policy's own wording ("as long as it is available").
            said = _POSITIVE_STOCK.search(_NEGATIVE_STOCK.sub(" ", sentence))
            if said and not _appears(said.group(0), allowed.text):
                problem(f"availability claim in '{sentence.strip()[:80]}' but no product facts")
            continue
        issue = _check_availability(sentence, facts, positive=pos, negative=neg)
        if issue:
            problem(issue)

    return GroundingReport(ok=not problems, problems=problems, checked=checked)


def _sentence_start(text: str, pos: int) -> int:
    return max((m.end() for m in _CLAIM_SENTENCE.finditer(text[:pos])), default=0)


def _sentence_at(text: str, pos: int) -> str:
    nxt = _CLAIM_SENTENCE.search(text, pos)
    return text[_sentence_start(text, pos) : nxt.start() if nxt else len(text)]


def _products_for(sentence: str, facts: FactSheet) -> list[ProductFact]:
    """The products a sentence is about: those it names, else the focus, else all."""
    named = products_mentioned(sentence, facts.products)
    if named:
        return named
    return [facts.focus_product] if facts.focus_product else list(facts.products)


def _stock_counts(text: str, pos: int, facts: FactSheet) -> set[int]:
    """Stock of the variants a count is said of: those its clause names by id, else the
    variants of the clause's (or sentence's) product with the colour/size named there."""
    sentence = _sentence_at(text, pos)
    start = max(_sentence_start(text, pos), text.rfind(";", 0, pos) + 1)
    clause = text[start:pos]
    named = [v for p in facts.products for v in p.variants if _appears(v.id, clause)]
    if named:
        return {v.stock for v in named}
    scope = clause if products_mentioned(clause, facts.products) else sentence
    return {v.stock for p in _products_for(scope, facts) for v in _matching_variants(scope, p)}


def _bound_claim(text: str, m: claims.Money, facts: FactSheet) -> str | None:
    """An echoed budget is fine ("nothing under $120"); said of a product it must be true."""
    sentence = _sentence_at(text, m.start)
    if not (_COST_VERB.search(sentence) or products_mentioned(sentence, facts.products)):
        return None
    prices = [v.price for p in _products_for(sentence, facts) for v in p.variants]
    if m.bound == "max" and any(price <= m.value for price in prices):
        return None
    if m.bound == "min" and any(price >= m.value for price in prices):
        return None
    return f"'{m.text}' is the shopper's budget, not a price in the facts"


def _check_references(reply: str, allowed: _Allowed, taken: list, problem) -> None:  # noqa: ANN001
    """Every other id-like token (#4521, SKU AB-1234, TRK123, 94110) must be in the facts."""

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    candidates: list[tuple[str, int, int]] = []
    for m in _HASH_REF.finditer(reply):
        candidates.append((m.group(1), m.start(), m.end()))
    for m in _KEYWORD_REF.finditer(reply):
        candidates.append((m.group(1), m.start(1), m.end(1)))
    for m in _MIXED_TOKEN.finditer(reply):
        token = m.group(0)
        if sum(c.isdigit() for c in token) >= 3 and not _ORDINAL.match(token):
            candidates.append((token, m.start(), m.end()))
    for m in _LONG_NUMBER.finditer(reply):
        candidates.append((m.group(0), m.start(), m.end()))
    for token, start, end in candidates:
        token = token.strip("-")
        if not free(start, end) or not token or _appears(token, allowed.text):
            continue
        if re.fullmatch(r"F\d+", token, re.IGNORECASE):
            continue  # a fact reference [F2]
        taken.append((start, end))
        problem(f"reference '{token}' is not in the facts")


def _check_personal_data(
    reply: str,
    facts: FactSheet,
    allowed: _Allowed,
    taken: list,
    problem,  # noqa: ANN001
) -> int:
    """Emails, phone numbers, street addresses and people's names must be in the facts."""
    checked = 0
    for m in _EMAIL.finditer(reply):
        checked += 1
        taken.append(m.span())
        if m.group(0).lower() not in allowed.text.lower():
            problem(f"email address {m.group(0)} is not in the facts")
    for m in _PHONE.finditer(reply):
        checked += 1
        taken.append(m.span())
        if re.sub(r"\D", "", m.group(0)) not in allowed.digits:
            problem(f"phone number {m.group(0)} is not in the facts")
    for m in _ADDRESS.finditer(reply):
        checked += 1
        taken.append(m.span())
        if not _appears(m.group(0), allowed.text):
            problem(f"address '{m.group(0)}' is not in the facts")
    own = set((facts.customer_id or "").lower().split("_"))
    for m in _PERSON.finditer(reply):
        name = next(g for g in m.groups() if g)
        checked += 1
        if _appears(name, allowed.text) or set(name.lower().split()) <= own:
            continue
        problem(f"'{m.group(0)}' names a person who is not in the facts")
    return checked


def _check_promises(norm: str, facts: FactSheet, allowed: _Allowed, problem) -> int:  # noqa: ANN001
    """Policy promises (free, refund, warranty, price match ...) must be stated by a fact."""
    checked = 0
    for name, pattern in claims.PROMISES.items():
        for m in pattern.finditer(norm):
            if claims.negated(norm, m.start()):
                continue
            checked += 1
            if name not in allowed.promises:
                problem(f"'{m.group(0)}' ({name}) is not stated in the facts")
            break
    for m in claims.ZERO_COST.finditer(norm):
        if claims.negated(norm, m.start()):
            continue
        word_before = re.search(r"([A-Za-z]+)[\s-]$", norm[: m.start()])
        if word_before and (
            _appears(f"{word_before.group(1)} {m.group(0)}", allowed.text)
            or _appears(f"{word_before.group(1)}-{m.group(0)}", allowed.text)
        ):
            continue  # "fragrance free" is a product property the facts state
        checked += 1
        after = re.split(r"[.;:!?\n,()]|\band\b|\bbut\b", norm[m.end() :], maxsplit=1)[0]
        near = " ".join([claims.clause_before(norm, m.start(), 5), m.group(0), *after.split()[:5]])
        services = [name for name, pat in claims.SERVICES.items() if pat.search(near)]
        if services:
            missing = [s for s in services if s not in allowed.free_services]
            if missing:
                problem(f"'{m.group(0)}' ({', '.join(missing)}) is not stated in the facts")
        elif _ZERO not in allowed.item_prices:
            problem(f"'{m.group(0)}': a price of $0.00 is not in the facts")
    for token, text, start in claims.timing_claims(norm):
        if claims.negated(norm, start):
            continue
        checked += 1
        if token not in allowed.timing:
            problem(f"delivery timing '{text}' is not stated in the facts")
    return checked


def products_mentioned(text: str, products: list[ProductFact]) -> list[ProductFact]:
    """Products named (by id or full name, English or Chinese) in ``text``, in fact order."""
    low = text.lower()
    return [
        p
        for p in products
        if p.id.lower() in low or any(name and name.lower() in low for name in (p.name, p.name_zh))
    ]


def _matching_variants(sentence: str, product: ProductFact) -> list:
    """Variants whose option values (colour, size ...) are named in the sentence."""
    low = sentence.lower()
    named = []
    for v in product.variants:
        values = [str(val).lower() for val in v.options.values()]
        hits = [val for val in values if re.search(rf"(?<![\w.]){re.escape(val)}(?![\w.])", low)]
        if hits:
            named.append((len(hits), v))
    if not named:
        return list(product.variants)
    best = max(n for n, _ in named)
    return [v for n, v in named if n == best]


def _check_availability(
    sentence: str, facts: FactSheet, *, positive: bool, negative: bool
) -> str | None:
    mentioned = products_mentioned(sentence, facts.products)
    if not mentioned:
        focus = facts.focus_product
        mentioned = [focus] if focus else list(facts.products)
    supported = False
    for product in mentioned:
        variants = _matching_variants(sentence, product)
        if positive and any(v.in_stock for v in variants):
            supported = True
        if negative and any(not v.in_stock for v in variants):
            supported = True
        if not variants and negative:
            supported = True
    if supported:
        return None
    claim = "in stock" if positive else "out of stock"
    return f"availability claim ('{claim}') in '{sentence.strip()[:80]}' is not in the facts"


# -- product specs (materials, sizes, colours, features) -------------------------------------
# Used for marketing copy (bot.insights.copy): every spec a text states about a product must
# be in that product's facts. Word lists are English plus the few German/French/Spanish words
# the copy phrase table uses, and Chinese: feature words below, materials and colours from the
# Chinese filter vocabulary (bot/catalog/filters.py), each checked against the English fact
# it names. ``check_reply`` above is unchanged.

SPEC_MATERIALS = (
    "merino", "wool", "cashmere", "alpaca", "silk", "linen", "cotton", "organic cotton",
    "leather", "suede", "nubuck", "nylon", "polyester", "fleece", "goose down", "duck down",
    "down fill", "denim", "canvas",
    "gore-tex", "spandex", "elastane", "bamboo", "hemp", "titanium", "aluminium", "aluminum",
    "stainless steel", "cast iron", "carbon fibre", "carbon fiber", "ceramic", "porcelain",
    "glass", "oak", "walnut", "birch", "rubber", "latex", "memory foam",
    "wolle", "laine", "lana", "seide", "soie", "seda", "leder", "cuir", "cuero", "baumwolle",
    "coton", "algodón",
)  # fmt: skip
SPEC_FEATURES: dict[str, tuple[str, ...]] = {
    "waterproof": ("waterproof", "wasserdicht", "imperméable", "impermeable", "防水"),
    "water-resistant": (
        "water-resistant",
        "water resistant",
        "wasserabweisend",
        "déperlant",
        "防泼水",
        "拒水",
    ),
    "windproof": ("windproof", "winddicht", "coupe-vent", "防风"),
    "breathable": ("breathable", "atmungsaktiv", "respirant", "transpirable", "透气"),
    "insulated": ("insulated", "isoliert", "isolé", "aislado", "保暖填充", "隔热"),
    "machine washable": (
        "machine washable",
        "maschinenwaschbar",
        "lavable en machine",
        "可机洗",
        "机洗",
    ),
    "dishwasher safe": (
        "dishwasher safe",
        "dishwasher-safe",
        "spülmaschinenfest",
        "可放洗碗机",
        "洗碗机",
    ),
    "vegan": ("vegan", "végan", "vegano", "纯素"),
    "organic": ("organic", "bio", "有机"),
    "noise cancelling": ("noise cancelling", "noise-cancelling", "noise canceling", "降噪"),
    "packable": ("packable", "可收纳"),
    "fragrance free": ("fragrance free", "fragrance-free", "无香"),
    "recycled": ("recycled", "recycelt", "recyclé", "reciclado", "再生材料", "回收材料"),
    "handmade": (
        "handmade",
        "hand-made",
        "handgemacht",
        "fait main",
        "hecho a mano",
        "手工制作",
        "纯手工",
    ),
}
_SIZE_CLAIM = re.compile(
    r"(?:\b(?:sizes?|grö(?:ß|ss)en?|tailles?|tallas?)\s*:?\s+|尺码\s*[:：]?\s*)"
    r"((?:\d+\s?ml|(?:EU\s?)?[0-9]{1,3}(?:[.,]5)?|XXXL|XXL|XXS|XS|XL|S|M|L)"
    r"(?:\s*(?:,|/|–|-|、|和|至|to|bis|à|a|and|und|et|y|or|oder|ou|o)\s*"
    r"(?:\d+\s?ml|(?:EU\s?)?[0-9]{1,3}(?:[.,]5)?|XXXL|XXL|XXS|XS|XL|S|M|L))*)\b",
    re.IGNORECASE,
)
_SIZE_TOKEN = re.compile(r"\d+\s?ml|\d{1,3}(?:[.,]5)?|XXXL|XXL|XXS|XS|XL|S|M|L", re.IGNORECASE)
_NEGATED = re.compile(
    r"(?:\b(?:not|non|no|nicht|kein\w*|pas|sin)[\s-]+|不|非|无|没有|并不)$", re.IGNORECASE
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _spec_support(product: ProductFact) -> str:
    """The product's own words: name, description and attributes that are not false."""
    lines = [line for line in product.features() if not line.endswith(": no")]
    own = [product.name, product.name_zh or "", product.brand, product.description]
    return " ".join([*own, product.description_zh or "", *lines]).lower()


def _mentions(text: str, word: str) -> list[re.Match[str]]:
    if _HAN.search(word):  # Chinese has no word boundaries: 防水 inside 超级防水面料 counts
        return list(re.finditer(re.escape(word), text))
    return list(re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE))


def _claimed_zh(text: str, vocabulary: dict[str, str]) -> set[str]:
    """English values of the Chinese words ``text`` states, longest word first (酒红色 is
    burgundy, not also 红色 red), none after 不/非/无/没有."""
    found: set[str] = set()
    taken: list[tuple[int, int]] = []
    for word in sorted(vocabulary, key=len, reverse=True):
        for m in _mentions(text, word):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            if not _NEGATED.search(text[max(0, m.start() - 3) : m.start()]):
                found.add(vocabulary[word])
    return found


def check_product_specs(text: str, product: ProductFact) -> list[str]:
    """Materials, features, sizes and colours in ``text`` that ``product``'s facts lack."""
    from bot.catalog.filters import CHINESE_MATERIALS, COLOURS, chinese_colour_names

    problems: list[str] = []
    support = _spec_support(product)
    for material in SPEC_MATERIALS:
        if _mentions(text, material) and not _mentions(support, material):
            problems.append(f"material '{material}' is not in the facts of {product.id}")
    for material in sorted(_claimed_zh(text, CHINESE_MATERIALS)):
        if not _mentions(support, material):
            problems.append(f"material '{material}' is not in the facts of {product.id}")
    for feature, words in SPEC_FEATURES.items():
        for word in words:
            for m in _mentions(text, word):
                if _NEGATED.search(text[max(0, m.start() - 12) : m.start()]):
                    continue
                if not any(_mentions(support, w) for w in words):
                    problems.append(f"feature '{feature}' is not in the facts of {product.id}")
                    break
            else:
                continue
            break
    sizes = {str(s).lower().replace(" ", "") for s in product.option_values("size")}
    for m in _SIZE_CLAIM.finditer(text):
        for token in _SIZE_TOKEN.findall(m.group(1)):
            value = token.lower().replace(" ", "").replace(",", ".")
            if value not in sizes:
                problems.append(f"size {token} is not a size of {product.id}")
    colours = {str(c).lower() for c in product.option_values("colour", "color")}
    for word in set(COLOURS):
        if _mentions(text, word) and not (
            any(word in c for c in colours) or _mentions(support, word)
        ):
            problems.append(f"colour '{word}' is not a colour of {product.id}")
    named = {COLOURS.get(w, w) for c in colours for w in re.findall(r"[a-z]+", c)}
    for word in sorted(_claimed_zh(text, chinese_colour_names())):
        if not (word in named or any(word in c for c in colours) or _mentions(support, word)):
            problems.append(f"colour '{word}' is not a colour of {product.id}")
    return problems


def check_copy(text: str, facts: FactSheet) -> GroundingReport:
    """``check_reply`` plus the spec checks, for texts about the facts' products."""
    report = check_reply(text, facts)
    problems = list(report.problems)
    for product in facts.products:
        problems += check_product_specs(text, product)
    return GroundingReport(ok=not problems, problems=problems, checked=report.checked)
