"""Check a generated reply against the facts before it reaches the shopper.

Every price, product/variant id, order id, stock count or availability claim, and policy
number (days, weeks, percentages, amounts) in the reply must be supported by the numbered
facts. Anything else is reported as a problem; the answer service then regenerates once
and finally falls back to the template answer. The checker is deliberately strict: a false
alarm costs a template answer, a missed one costs the shop a wrong promise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bot.answers.facts import FactSheet, ProductFact

_PRICE = re.compile(
    r"(?:\$|USD\s?)\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"|(\d+(?:\.\d{1,2})?)\s?(?:USD|dollars?)\b",
    re.IGNORECASE,
)
_PRODUCT_ID = re.compile(r"\bSB-[PV]\d{4,8}\b|(?<![\d#$.,])\b\d{10}\b(?![\d.,])", re.IGNORECASE)
_ORDER_ID = re.compile(r"(?<![\w-])#?[A-Z]\d{7}\b")
_POLICY_NUMBER = re.compile(
    r"\b(\d+(?:\.\d+)?)\s?(?:-\s?)?"
    r"(%|percent\b|per\s?cent\b|(?:business\s|calendar\s|working\s)?days?\b|weeks?\b|months?\b"
    r"|years?\b|hours?\b|hrs?\b)",
    re.IGNORECASE,
)
_WORD_NUMBERS = {
    "seven": "7",
    "fourteen": "14",
    "thirty": "30",
    "sixty": "60",
    "ninety": "90",
    "fifteen": "15",
    "ten": "10",
    "five": "5",
}
_WORD_POLICY = re.compile(
    r"\b("
    + "|".join(_WORD_NUMBERS)
    + r")[\s-](?:business\s|calendar\s)?(?:days?|weeks?|months?)\b",
    re.IGNORECASE,
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
_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")


@dataclass
class GroundingReport:
    ok: bool
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "problems": list(self.problems), "checked": self.checked}


def _dec(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


class _Allowed:
    """What the facts support, precomputed once per fact sheet."""

    def __init__(self, facts: FactSheet) -> None:
        self.prices: set[Decimal] = set()
        self.ids: set[str] = set()
        self.order_ids: set[str] = set()
        self.policy_numbers: set[str] = set()
        self.stock_counts: set[int] = set()
        for p in facts.products:
            self.ids.add(p.id.upper())
            for v in p.variants:
                self.ids.add(v.id.upper())
                self.prices.add(v.price)
                self.stock_counts.add(v.stock)
            self._numbers_from(" ".join(p.features()) + " " + p.description)
        for o in facts.orders:
            self.order_ids.add(o.id.upper().lstrip("#"))
            self.prices.add(o.total)
            for line in o.lines:
                self.prices.add(line.price)
                self.ids.update({line.variant_id.upper(), line.product_id.upper()})
        for pol in facts.policies:
            self._numbers_from(pol.title + " " + pol.body)
            for m in _PRICE.finditer(pol.body):
                value = _dec(m.group(1) or m.group(2))
                if value is not None:
                    self.prices.add(value)
        # The shopper's own budget may be echoed ("options under $120").
        flt = facts.filters
        for bound in (getattr(flt, "max_price", None), getattr(flt, "min_price", None)):
            if bound is not None:
                self.prices.add(Decimal(bound).quantize(Decimal("0.01")))

    def _numbers_from(self, text: str) -> None:
        for raw in re.findall(r"\d+(?:\.\d+)?", text):
            self.policy_numbers.add(raw.lstrip("0") or "0")
        for word, digits in _WORD_NUMBERS.items():
            if re.search(rf"\b{word}\b", text, re.IGNORECASE):
                self.policy_numbers.add(digits)


def check_reply(reply: str, facts: FactSheet) -> GroundingReport:
    """Return which claims of ``reply`` the facts do not support (empty = grounded)."""
    allowed = _Allowed(facts)
    problems: list[str] = []
    checked = 0

    for m in _PRICE.finditer(reply):
        value = _dec(m.group(1) or m.group(2))
        checked += 1
        if value is None or value not in allowed.prices:
            problems.append(f"price {m.group(0).strip()} is not in the facts")

    for m in _PRODUCT_ID.finditer(reply):
        checked += 1
        if m.group(0).upper() not in allowed.ids:
            problems.append(f"product/variant id {m.group(0)} is not in the facts")

    for m in _ORDER_ID.finditer(reply):
        checked += 1
        if m.group(0).upper().lstrip("#") not in allowed.order_ids:
            problems.append(f"order {m.group(0)} is not one of this shopper's orders in the facts")

    for m in _POLICY_NUMBER.finditer(reply):
        checked += 1
        number = m.group(1).lstrip("0") or "0"
        if number.endswith(".0"):
            number = number[:-2]
        if number not in allowed.policy_numbers:
            problems.append(f"'{m.group(0).strip()}' is not stated in the facts")
    for m in _WORD_POLICY.finditer(reply):
        checked += 1
        if _WORD_NUMBERS[m.group(1).lower()] not in allowed.policy_numbers:
            problems.append(f"'{m.group(0).strip()}' is not stated in the facts")

    for m in _STOCK_COUNT.finditer(reply):
        checked += 1
        if int(m.group(1)) not in allowed.stock_counts:
            problems.append(f"stock count '{m.group(0)}' is not in the facts")

    for m in _ACTION_CLAIM.finditer(reply):
        checked += 1
        problems.append(
            f"'{m.group(0)}' claims an order change; answers cannot change orders "
            "(only confirmed forms can)"
        )

    for sentence in _SENTENCE.split(reply):
        neg = bool(_NEGATIVE_STOCK.search(sentence))
        pos = bool(_POSITIVE_STOCK.search(_NEGATIVE_STOCK.sub(" ", sentence)))
        if not (neg or pos) or not facts.products:
            continue
        checked += 1
        problem = _check_availability(sentence, facts, positive=pos, negative=neg)
        if problem:
            problems.append(problem)

    return GroundingReport(ok=not problems, problems=problems, checked=checked)


def products_mentioned(text: str, products: list[ProductFact]) -> list[ProductFact]:
    """Products named (by id or full name) in ``text``, in fact order."""
    low = text.lower()
    return [p for p in products if p.id.lower() in low or (p.name and p.name.lower() in low)]


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
# the copy phrase table uses; ``check_reply`` above is unchanged.

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
    "waterproof": ("waterproof", "wasserdicht", "imperméable", "impermeable"),
    "water-resistant": ("water-resistant", "water resistant", "wasserabweisend", "déperlant"),
    "windproof": ("windproof", "winddicht", "coupe-vent"),
    "breathable": ("breathable", "atmungsaktiv", "respirant", "transpirable"),
    "insulated": ("insulated", "isoliert", "isolé", "aislado"),
    "machine washable": ("machine washable", "maschinenwaschbar", "lavable en machine"),
    "dishwasher safe": ("dishwasher safe", "dishwasher-safe", "spülmaschinenfest"),
    "vegan": ("vegan", "végan", "vegano"),
    "organic": ("organic", "bio"),
    "noise cancelling": ("noise cancelling", "noise-cancelling", "noise canceling"),
    "packable": ("packable",),
    "fragrance free": ("fragrance free", "fragrance-free"),
    "recycled": ("recycled", "recycelt", "recyclé", "reciclado"),
    "handmade": ("handmade", "hand-made", "handgemacht", "fait main", "hecho a mano"),
}
_SIZE_CLAIM = re.compile(
    r"\b(?:sizes?|grö(?:ß|ss)en?|tailles?|tallas?)\s*:?\s+"
    r"((?:\d+\s?ml|(?:EU\s?)?[0-9]{1,3}(?:[.,]5)?|XXXL|XXL|XXS|XS|XL|S|M|L)"
    r"(?:\s*(?:,|/|–|-|to|bis|à|a|and|und|et|y|or|oder|ou|o)\s*"
    r"(?:\d+\s?ml|(?:EU\s?)?[0-9]{1,3}(?:[.,]5)?|XXXL|XXL|XXS|XS|XL|S|M|L))*)\b",
    re.IGNORECASE,
)
_SIZE_TOKEN = re.compile(r"\d+\s?ml|\d{1,3}(?:[.,]5)?|XXXL|XXL|XXS|XS|XL|S|M|L", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|non|no|nicht|kein\w*|pas|sin)[\s-]+$", re.IGNORECASE)


def _spec_support(product: ProductFact) -> str:
    """The product's own words: name, description and attributes that are not false."""
    lines = [line for line in product.features() if not line.endswith(": no")]
    return " ".join([product.name, product.brand, product.description, *lines]).lower()


def _mentions(text: str, word: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE))


def check_product_specs(text: str, product: ProductFact) -> list[str]:
    """Materials, features, sizes and colours in ``text`` that ``product``'s facts lack."""
    from bot.catalog.filters import COLOURS

    problems: list[str] = []
    support = _spec_support(product)
    for material in SPEC_MATERIALS:
        if _mentions(text, material) and not _mentions(support, material):
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
    return problems


def check_copy(text: str, facts: FactSheet) -> GroundingReport:
    """``check_reply`` plus the spec checks, for texts about the facts' products."""
    report = check_reply(text, facts)
    problems = list(report.problems)
    for product in facts.products:
        problems += check_product_specs(text, product)
    return GroundingReport(ok=not problems, problems=problems, checked=report.checked)
