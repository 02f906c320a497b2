"""Product copy (listing, social post, email blurb) that only says what the catalog says.

Texts come from the configured LLM backend, or from the deterministic template composer (the
offline default, also used when ``SHOPBOT_LLM_BACKEND=template``). Every text is checked with
the answers' grounding checker plus its product-spec checks (materials, features, sizes,
colours, prices); a failing text is regenerated once with the problems named, and if it
still fails it is returned with ``status="flagged"`` and the reasons — never as ``ok``.

The template composer writes English, German, French, Spanish and Chinese from a small phrase
table; catalog values (material names, colours, feature names) stay as the catalog writes them,
except in Chinese, where colours, materials and the yes/no features the checker knows in
Chinese are named in Chinese (the same words the checker maps back to the English facts) and
the product's Chinese name is used when the catalog has one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.answers.facts import FactNumberer, FactSheet, ProductFact, load_product_facts, money
from bot.answers.grounding import check_copy
from bot.catalog.filters import size_sort_key
from bot.catalog.search import category_product_ids
from bot.db.session import Database
from bot.llm.base import ChatMessage, LLMBackend, LLMError

log = logging.getLogger(__name__)

Kind = Literal["listing", "social", "email"]
Tone = Literal["friendly", "premium", "playful"]
Language = Literal["en", "de", "fr", "es", "zh"]
KINDS: tuple[str, ...] = ("listing", "social", "email")
TONES: tuple[str, ...] = ("friendly", "premium", "playful")
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "zh")


@dataclass
class CopyResult:
    product_id: str
    name: str
    kind: str
    tone: str
    language: str
    text: str
    status: str  # ok | flagged
    reasons: list[str] = field(default_factory=list)
    facts: str = ""
    backend: str = "template"
    attempts: int = 1

    def row(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "name": self.name,
            "kind": self.kind,
            "tone": self.tone,
            "language": self.language,
            "status": self.status,
            "reasons": "; ".join(self.reasons),
            "text": self.text,
            "facts": self.facts,
            "backend": self.backend,
            "attempts": self.attempts,
        }


# -- facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Specs:
    price: str  # the lowest price of what is in stock, "$95.49"
    price_varies: bool  # variants cost different amounts ("from $93.00")
    flags: list[str]  # true yes/no attributes ("waterproof", "machine washable")
    colours: list[str]
    sizes: list[str]
    material: str
    features: list[str]  # short phrases from attributes ("removable insole", "waterproof")
    sentence: str  # the first sentence of the catalog description


_FLAG_FEATURES = {
    "waterproof": "waterproof",
    "machine_washable": "machine washable",
    "dishwasher_safe": "dishwasher safe",
    "packable": "packable",
    "insulated": "insulated",
    "vegan": "vegan",
    "fragrance_free": "fragrance free",
    "noise_cancelling": "noise cancelling",
}


def specs_of(product: ProductFact) -> _Specs:
    stocked = [v for v in product.variants if v.in_stock] or list(product.variants)
    prices = sorted({v.price for v in stocked})
    price = money(prices[0]) if prices else ""
    colours = list(dict.fromkeys(v.option("colour", "color") for v in stocked))
    sizes = sorted({str(v.option("size")) for v in stocked if v.option("size")}, key=size_sort_key)
    attrs = product.attributes or {}
    features = [str(f) for f in attrs.get("features") or [] if isinstance(f, str)]
    flags = [label for key, label in _FLAG_FEATURES.items() if attrs.get(key) is True]
    sentence = (product.description or "").split(". ")[0].strip().rstrip(".")
    return _Specs(
        price=price,
        price_varies=len(prices) > 1,
        flags=flags,
        colours=[c for c in colours if c],
        sizes=[s for s in sizes if s],
        material=str(attrs.get("material") or ""),
        features=features,
        sentence=sentence,
    )


def facts_line(product: ProductFact) -> str:
    """The catalog facts a text may use, one line (shown next to each text in the output)."""
    s = specs_of(product)
    parts = [f"{product.id} {product.name}", f"brand {product.brand}" if product.brand else ""]
    price = f"from {s.price}" if s.price_varies else s.price
    parts += [f"price {price}" if s.price else "", f"material {s.material}" if s.material else ""]
    parts += [f"colours {', '.join(s.colours)}" if s.colours else ""]
    parts += [f"sizes {', '.join(s.sizes)}" if s.sizes else ""]
    parts += [f"features {', '.join(s.features + s.flags)}" if s.features or s.flags else ""]
    return "; ".join(p for p in parts if p)


# -- the template composer -------------------------------------------------------------------

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "good": "Good to know: it is {flags}.",
        "from": "from {price}",
        "open_friendly": "Meet the {name}.",
        "open_premium": "The {name}: considered design from {brand}.",
        "open_playful": "Say hello to your new favourite: the {name}!",
        "made": "Made from {material}.",
        "features": "Details that matter: {features}.",
        "colours": "Comes in {colours}.",
        "sizes": "Sizes {sizes}.",
        "price": "Price: {price}.",
        "cta_friendly": "Find yours in our shop today.",
        "cta_premium": "Discover it in our shop.",
        "cta_playful": "Go on, treat yourself!",
        "subject": "Subject: {name}, {price}",
        "and": "and",
    },
    "de": {
        "good": "Gut zu wissen: {flags}.",
        "from": "ab {price}",
        "open_friendly": "Das ist der {name}.",
        "open_premium": "{name}: durchdachtes Design von {brand}.",
        "open_playful": "Hallo, neuer Liebling: {name}!",
        "made": "Material: {material}.",
        "features": "Details: {features}.",
        "colours": "Farben: {colours}.",
        "sizes": "Größen {sizes}.",
        "price": "Preis: {price}.",
        "cta_friendly": "Jetzt in unserem Shop entdecken.",
        "cta_premium": "Entdecken Sie es in unserem Shop.",
        "cta_playful": "Los, gönn dir was!",
        "subject": "Betreff: {name}, {price}",
        "and": "und",
    },
    "fr": {
        "good": "Bon à savoir : {flags}.",
        "from": "à partir de {price}",
        "open_friendly": "Voici le {name}.",
        "open_premium": "{name} : un design soigné signé {brand}.",
        "open_playful": "Dites bonjour à votre nouveau favori : {name} !",
        "made": "Matière : {material}.",
        "features": "Les détails : {features}.",
        "colours": "Coloris : {colours}.",
        "sizes": "Tailles {sizes}.",
        "price": "Prix : {price}.",
        "cta_friendly": "À découvrir dès aujourd'hui dans notre boutique.",
        "cta_premium": "Découvrez-le dans notre boutique.",
        "cta_playful": "Allez, faites-vous plaisir !",
        "subject": "Objet : {name}, {price}",
        "and": "et",
    },
    "es": {
        "good": "Conviene saber: {flags}.",
        "from": "desde {price}",
        "open_friendly": "Te presentamos {name}.",
        "open_premium": "{name}: diseño cuidado de {brand}.",
        "open_playful": "¡Saluda a tu nuevo favorito: {name}!",
        "made": "Material: {material}.",
        "features": "Detalles: {features}.",
        "colours": "Colores: {colours}.",
        "sizes": "Tallas {sizes}.",
        "price": "Precio: {price}.",
        "cta_friendly": "Encuéntralo hoy en nuestra tienda.",
        "cta_premium": "Descúbrelo en nuestra tienda.",
        "cta_playful": "¡Venga, date un capricho!",
        "subject": "Asunto: {name}, {price}",
        "and": "y",
    },
    "zh": {
        "good": "贴心之处：{flags}。",
        "from": "{price}起",
        "open_friendly": "为您介绍 {name}。",
        "open_premium": "{name}：来自 {brand} 的用心之作。",
        "open_playful": "快来认识你的新宠：{name}！",
        "made": "材质：{material}。",
        "features": "细节亮点：{features}。",
        "colours": "可选颜色：{colours}。",
        "sizes": "尺码：{sizes}。",
        "price": "价格：{price}。",
        "cta_friendly": "现在就到店里挑选吧。",
        "cta_premium": "欢迎到店中细细品鉴。",
        "cta_playful": "心动不如行动，快下单吧！",
        "subject": "主题：{name}，{price}",
        "and": "和",
        "sep": "、",  # 黑色、蓝色和红色: no spaces between Chinese words or sentences
        "space": "",
    },
}
# Chinese names of the yes/no features (the checker knows the same words: bot/answers/grounding)
_FLAGS_ZH = {
    "waterproof": "防水",
    "machine washable": "可机洗",
    "dishwasher safe": "可放洗碗机",
    "packable": "可收纳",
    "insulated": "保暖填充",
    "vegan": "纯素",
    "fragrance free": "无香",
    "noise cancelling": "降噪",
}
_SOCIAL_LIMIT = 280


def _join(items: Sequence[str], p: dict[str, str], limit: int = 6) -> str:
    """'a, b and c' in the phrase table's language ('a、b和c' in Chinese)."""
    items = list(items)[:limit]
    if len(items) <= 1:
        return "".join(items)
    space = p.get("space", " ")
    return p.get("sep", ", ").join(items[:-1]) + f"{space}{p['and']}{space}{items[-1]}"


def _size_range(sizes: list[str], p: dict[str, str]) -> str:
    """Every size in stock, listed (a range like "38 to 46" would imply missing sizes)."""
    return _join(sizes, p, limit=12)


def _in_chinese(
    values: Sequence[str], vocabulary: dict[str, str], spellings: dict[str, str] | None = None
) -> list[str]:
    """Catalog values named in Chinese where the filter vocabulary has the exact word
    (``spellings`` first normalises the English: grey -> gray); the rest stay as written.
    A one-character colour (棕色) is preferred to a longer word (咖啡) for the same value."""
    names: dict[str, str] = {}
    for chinese, english in vocabulary.items():
        best = names.get(english)
        if best is None or (len(chinese) == 2 and chinese.endswith("色") and len(best) != 2):
            names[english] = chinese
    out = []
    for value in values:
        key = value.lower()
        out.append(names.get((spellings or {}).get(key, key), value))
    return out


def copy_name(product: ProductFact, language: str) -> str:
    """The product's name for a language: its Chinese name when the catalog carries one
    (``name_zh``), else the catalog's (English) name."""
    if language == "zh":
        return product.name_zh or product.name
    return product.name


def _sentence(product: ProductFact, language: str, english: str) -> str:
    """The catalog description's first sentence, quoted only in its own language."""
    if language == "en":
        return english + "." if english else ""
    if language == "zh":
        text = (product.description_zh or "").strip()
        return text.split("。")[0] + "。" if text else ""
    return ""


def compose_copy(product: ProductFact, kind: str, tone: str, language: str) -> str:
    """Deterministic copy from the product's facts only (the offline default)."""
    from bot.catalog.filters import CHINESE_MATERIALS, COLOURS, chinese_colour_names

    p = PHRASES.get(language, PHRASES["en"])
    s = specs_of(product)
    colours, flags, material = s.colours, s.flags, s.material
    if language == "zh":
        colours = _in_chinese(colours, chinese_colour_names(), COLOURS)
        flags = [_FLAGS_ZH.get(f, f) for f in flags]
        material = _in_chinese([material], CHINESE_MATERIALS)[0] if material else ""
    shown_price = p["from"].format(price=s.price) if s.price_varies else s.price
    name = copy_name(product, language)
    values = {"name": name, "brand": product.brand or name, "price": shown_price}
    opener = p[f"open_{tone}"].format(**values)
    cta = p[f"cta_{tone}"]
    space = p.get("space", " ")
    parts: list[str] = []
    sentence = _sentence(product, language, s.sentence)
    if sentence:
        parts.append(sentence)
    if material:
        parts.append(p["made"].format(material=material))
    if s.features:
        parts.append(p["features"].format(features=_join(s.features, p, limit=4)))
    if flags:
        parts.append(p["good"].format(flags=_join(flags, p)))
    if colours:
        parts.append(p["colours"].format(colours=_join(colours, p)))
    if s.sizes:
        parts.append(p["sizes"].format(sizes=_size_range(s.sizes, p)))
    price = p["price"].format(price=shown_price) if s.price else ""
    if kind == "social":
        tags = " ".join(
            "#" + "".join(w.capitalize() for w in t.replace("&", " ").split())
            for t in (product.brand, product.category)
            if t
        )
        emoji = {"playful": " ✨", "friendly": " 👋", "premium": ""}[tone]
        body = [opener + emoji, *(parts[1:3] if sentence else parts[:2]), price, cta]
        text = space.join(x for x in body if x) + " " + tags
        while len(text) > _SOCIAL_LIMIT and len(body) > 2:
            body.pop(1)
            text = space.join(x for x in body if x) + " " + tags
        return text.strip()
    if kind == "email":
        subject = p["subject"].format(**values)
        blurb = space.join([opener, *parts[:3], price, cta])
        return f"{subject}\n\n{blurb}"
    return space.join(x for x in [opener, *parts, price, cta] if x)


# -- generation with a backend, checking, regeneration ---------------------------------------

Generator = Callable[[ProductFact, str, str, str, list[str]], str]


def _instructions(product: ProductFact, kind: str, tone: str, language: str) -> str:
    length = {"listing": "3 to 5 sentences", "social": "at most 280 characters",
              "email": "a subject line, then 2 or 3 sentences"}[kind]  # fmt: skip
    return (
        f"Write a {kind} text for an online shop in language '{language}', tone {tone}, "
        f"{length}. Use ONLY the product facts below; do not invent materials, sizes, "
        f"colours, features, prices or numbers.\nFacts: {product.render()}"
    )


def llm_generator(backend: LLMBackend, timeout: float = 20.0) -> Generator:
    """Generate through an LLM backend; problems from a failed check go into the retry."""

    def generate(
        product: ProductFact, kind: str, tone: str, language: str, problems: list[str]
    ) -> str:
        messages = [
            ChatMessage("system", "You write accurate product copy. Never invent facts."),
            ChatMessage("user", _instructions(product, kind, tone, language)),
        ]
        if problems:
            messages.append(
                ChatMessage(
                    "user",
                    "Your previous text had unsupported claims: "
                    + "; ".join(problems)
                    + ". Write it again using only the facts.",
                )
            )
        return asyncio.run(backend.generate(messages, max_new_tokens=300, timeout=timeout)).strip()

    return generate


def template_generator(
    product: ProductFact, kind: str, tone: str, language: str, problems: list[str]
) -> str:
    return compose_copy(product, kind, tone, language)


def write_copy(
    product: ProductFact, kind: str, tone: str, language: str, generate: Generator,
    backend_name: str = "template",
) -> CopyResult:  # fmt: skip
    """Generate, check, regenerate once on failure, flag if it still fails."""
    sheet = FactSheet(question="", products=[product], focus_product_id=product.id)
    problems: list[str] = []
    text = ""
    attempts = 0
    for attempt in (1, 2):
        attempts = attempt
        try:
            text = generate(product, kind, tone, language, problems)
        except LLMError as exc:
            problems = [f"generation failed: {exc}"]
            text = ""
            continue
        if not text:
            problems = ["the backend returned no text"]
            continue
        report = check_copy(text, sheet)
        problems = report.problems
        if report.ok:
            break
        log.info("copy for %s failed the check (attempt %d): %s", product.id, attempt, problems)
    return CopyResult(
        product_id=product.id,
        name=product.name,
        kind=kind,
        tone=tone,
        language=language,
        text=text,
        status="ok" if not problems else "flagged",
        reasons=list(problems),
        facts=facts_line(product),
        backend=backend_name,
        attempts=attempts,
    )


def products_for(db: Database, product_id: str | None, category: str | None) -> list[ProductFact]:
    """The product, or every product of a category (slug or name), as facts."""
    ids = [product_id] if product_id else category_product_ids(db, category or "")
    return load_product_facts(db, ids, FactNumberer())


def default_generator(
    backend: LLMBackend | None, name: str, timeout_s: float
) -> tuple[Generator, str]:
    """The configured backend (``SHOPBOT_LLM_BACKEND``, named ``name``); ``template`` (no
    backend needed) means the composer."""
    if name == "template" or backend is None:
        return template_generator, "template"
    return llm_generator(backend, timeout_s * 3), name
