"""The template answer: a deterministic reply written only from the numbered facts.

It is the default backend and the fallback of every other one, so it must be good enough
to run a shop on: yes/no checks of a product's colour/size/feature/stock, a short list of
matches with prices for "something for X under $Y", a quote of the policy passage, the
shopper's own orders, and an honest "the facts don't cover that" when they don't.
Everything it writes passes the grounding checker by construction (tested).
"""

from __future__ import annotations

import re

from bot.answers.facts import FactSheet, OrderFact, PolicyFact, ProductFact, VariantFact, money
from bot.answers.question import Question, analyse, content_terms, term_in
from bot.catalog.filters import COLOURS, size_sort_key

_COLOUR_KEYS = ("colour", "color")
_SIZE_KEYS = ("size", "shoe size", "eu size", "us size")

NO_FACTS = (
    "I'm sorry, I couldn't find anything in our catalog or policies that answers that. "
    "Could you rephrase it, or name the product you mean? I can also connect you with a person."
)


def compose_answer(facts: FactSheet) -> str:
    q: Question = facts.analysis or analyse(facts.question)
    if q.kind == "order":
        return _orders_answer(q, facts)
    if q.kind == "unclear_referent":
        return (
            "Which product do you mean? Tell me its name (or search for it) and I'll check "
            "colours, sizes and stock for you."
        )
    if q.kind == "policy" and facts.policies:
        return _policy_answer(facts.policies, facts.question)
    if not facts.products:
        if facts.policies:
            return _policy_answer(facts.policies, facts.question)
        return NO_FACTS
    if q.asks_count and q.kind not in ("compare", "policy"):
        counted = facts.focus_product or _only_product_named(q, facts.products)
        if counted is not None:
            return _count_answer(counted)
    if q.kind == "yes_no":
        product = facts.focus_product or facts.products[0]
        return _yes_no_answer(q, product)
    if q.kind == "compare" and len(facts.products) >= 2:
        named = _named_in_question(q.text, facts.products)
        return _compare_answer(named if len(named) >= 2 else facts.products[:3])
    if q.kind == "general" and facts.focus_product:
        return _product_overview(facts.focus_product)
    return _list_answer(q, facts)


# -- products ----------------------------------------------------------------------------


def _price_range(p: ProductFact) -> str:
    if p.min_price is None:
        return "no price listed"
    if p.max_price is not None and p.max_price != p.min_price:
        return f"{money(p.min_price)}–{money(p.max_price)}"
    return money(p.min_price)


def _stock_words(p: ProductFact) -> str:
    return "in stock" if p.in_stock else "currently out of stock"


def _short_features(p: ProductFact, limit: int = 2) -> str:
    feats = p.features()[:limit]
    return "; ".join(feats)


def _line(p: ProductFact) -> str:
    brand = f" by {p.brand}" if p.brand else ""
    feats = _short_features(p)
    return f"**{p.name}**{brand} — {_price_range(p)}, {_stock_words(p)}" + (
        f" ({feats})" if feats else ""
    )


def _product_overview(p: ProductFact) -> str:
    text = _line(p) + "."
    colours = p.option_values(*_COLOUR_KEYS)
    sizes = p.option_values(*_SIZE_KEYS)
    if colours:
        text += " Colours: " + _values_with_stock(colours) + "."
    if sizes:
        text += " Sizes: " + _values_with_stock(sizes) + "."
    return text


def _only_product_named(q: Question, products: list[ProductFact]) -> ProductFact | None:
    """The one candidate whose name has every product word of the question, if exactly one."""
    terms = _main_terms(q, products)
    named = [p for p in products if terms and _names_all(p, terms)]
    return named[0] if len(named) == 1 else None


def _count_answer(p: ProductFact) -> str:
    """ "How many t-shirt options are there?": the variants of the product, by option."""
    total, in_stock = len(p.variants), sum(1 for v in p.variants if v.in_stock)
    text = (
        f"The **{p.name}** comes in {total} option{'s' if total != 1 else ''}, "
        f"{in_stock} of them in stock ({_price_range(p)})."
    )
    names = dict.fromkeys(k for v in p.variants for k in v.options)
    for name in names:
        values = p.option_values(name)
        if len(values) > 1:
            label = str(name).replace("_", " ")
            text += f" {label.capitalize()}: {_values_with_stock(values)}."
    return text


def _values_with_stock(values: dict[str, bool]) -> str:
    return ", ".join(v if ok else f"{v} (out of stock)" for v, ok in values.items())


def _matches(value: str, wanted: str) -> bool:
    """Option value equals the wanted one, after canonical colour names (grey = gray)."""
    a, b = value.lower().strip(), wanted.lower().strip()
    a, b = COLOURS.get(a, a), COLOURS.get(b, b)
    if a == b:
        return True
    return bool(re.search(rf"(?<![\w.]){re.escape(b)}(?![\w.])", a))


def _variants_with(p: ProductFact, colour: str | None, size: str | None) -> list[VariantFact]:
    out = []
    for v in p.variants:
        c, s = v.option(*_COLOUR_KEYS), v.option(*_SIZE_KEYS)
        if colour and not (c and _matches(c, colour)):
            continue
        if size and not (s and _matches(s, size)):
            continue
        out.append(v)
    return out


def feature_verdict(p: ProductFact, feature: str) -> tuple[bool | None, str]:
    """Whether the product has a property (True / False / None = not stated) and the evidence.

    One reading for yes/no answers and for lists: attributes first, then the feature lines,
    then a sentence of the description (a "not waterproof" there counts as no).
    """
    key = feature.replace("-", " ").replace(" ", "_").lower()
    for attr, value in p.attributes.items():
        akey = str(attr).lower().replace("-", "_").replace(" ", "_")
        if akey == key or akey == key.replace("_", ""):
            if isinstance(value, bool):
                return value, ""
            if value in (None, "", [], {}):
                continue
            return True, f"Its {str(attr).replace('_', ' ')}: {value}."
    for line in p.features():
        if feature.lower() in line.lower():
            return (not line.lower().endswith(": no")), line
    sentences = re.split(r"(?<=[.!?])\s+", p.description)
    for s in sentences:
        if re.search(rf"\b{re.escape(feature)}\b", s, re.IGNORECASE):
            negated = re.search(rf"\b(?:not|non)[\s-]+{re.escape(feature)}\b", s, re.IGNORECASE)
            return (not negated), s.strip()
    return None, ""


def _feature_sentence(p: ProductFact, feature: str) -> str:
    """Yes / no / not stated for one property, from attributes first, then the text."""
    verdict, evidence = feature_verdict(p, feature)
    if verdict is None:
        return f"The product details don't say whether it is {feature}, so I can't promise that."
    if not evidence:
        return f"{'Yes' if verdict else 'No'}, it is{'' if verdict else ' not'} {feature}."
    if evidence.startswith("Its "):
        return evidence
    if evidence in p.features():
        return f"Yes — {evidence}." if verdict else f"No — {evidence}."
    return f"{'Yes' if verdict else 'No'} — the description says: “{evidence}”"


def _has(v: VariantFact, keys: tuple[str, ...], wanted: str) -> bool:
    value = v.option(*keys)
    return bool(value and _matches(value, wanted))


def _yes_no_answer(q: Question, p: ProductFact) -> str:
    parts: list[str] = []
    colour, size = q.colour, q.size
    colours = p.option_values(*_COLOUR_KEYS)
    sizes = p.option_values(*_SIZE_KEYS)
    if colour or size:
        wanted = " ".join(x for x in (colour, f"size {size}" if size else None) if x)
        matching = _variants_with(p, colour, size)
        in_stock = [v for v in matching if v.in_stock]
        if matching and colour:
            # Say the colour the way the shop names it ("grey", not the canonical "gray").
            shop_colour = matching[0].option(*_COLOUR_KEYS) or colour
            wanted = wanted.replace(colour, shop_colour, 1)
        if in_stock:
            v = in_stock[0]
            parts.append(
                f"Yes — the **{p.name}** comes in {wanted}: {money(v.price)}, {v.stock} in stock."
            )
        elif matching:
            parts.append(f"The **{p.name}** comes in {wanted}, but it is out of stock right now.")
            same_size = [v for v in p.variants if v.in_stock and size and _has(v, _SIZE_KEYS, size)]
            same_colour = [
                v for v in p.variants if v.in_stock and colour and _has(v, _COLOUR_KEYS, colour)
            ]
            if same_size:
                alt = same_size[0]
                opts = ", ".join(f"{k} {val}" for k, val in alt.options.items())
                parts.append(f"Available instead: {opts} at {money(alt.price)}.")
            elif size and same_colour:
                parts.append(f"Size {size} is sold out in every colour.")
                sizes_left = sorted(
                    {s for v in same_colour if (s := v.option(*_SIZE_KEYS))}, key=size_sort_key
                )
                if sizes_left:
                    label = same_colour[0].option(*_COLOUR_KEYS) or colour
                    parts.append(f"In {label}, these sizes are in stock: {', '.join(sizes_left)}.")
            elif same_colour:
                alt = same_colour[0]
                opts = ", ".join(f"{k} {val}" for k, val in alt.options.items())
                parts.append(f"Available instead: {opts} at {money(alt.price)}.")
            elif size and any(sizes.values()):
                parts.append(
                    "Sizes in stock: " + ", ".join(s for s, ok in sizes.items() if ok) + "."
                )
            elif colour and any(colours.values()):
                colours_left = [c for c, ok in colours.items() if ok]
                parts.append("Colours in stock: " + ", ".join(colours_left) + ".")
        else:
            parts.append(f"Sorry, the **{p.name}** doesn't come in {wanted}.")
            if colour and colours:
                parts.append("Colours: " + _values_with_stock(colours) + ".")
            if size and sizes:
                parts.append("Sizes: " + _values_with_stock(sizes) + ".")
    for feature in q.features:
        if feature.lower() in p.name.lower():
            continue  # "is the wireless mouse waterproof?": "wireless" names the product
        parts.append(_feature_sentence(p, feature))
    if not parts:
        # "Is it available?" / "Do you have the X?"
        if p.in_stock:
            parts.append(f"Yes — the **{p.name}** is in stock, {_price_range(p)}.")
        else:
            parts.append(f"The **{p.name}** is out of stock right now.")
        if colours:
            parts.append("Colours: " + _values_with_stock(colours) + ".")
        if sizes:
            parts.append("Sizes: " + _values_with_stock(sizes) + ".")
    elif not (colour or size):
        parts.insert(0, f"About the **{p.name}** ({_price_range(p)}, {_stock_words(p)}):")
    return " ".join(parts)


def _fitting_variants(p: ProductFact, q: Question) -> list[VariantFact]:
    """The variants that satisfy the search constraints (price, colour, size)."""
    f = q.filters
    out = []
    for v in _variants_with(p, f.colour, f.size):
        if f.max_price is not None and v.price > f.max_price:
            continue
        if f.min_price is not None and v.price < f.min_price:
            continue
        out.append(v)
    return out


def _fitting_line(p: ProductFact, variants: list[VariantFact]) -> str:
    in_stock = [v for v in variants if v.in_stock]
    pool = in_stock or variants
    low, high = min(v.price for v in pool), max(v.price for v in pool)
    price = money(low) if low == high else f"{money(low)}–{money(high)}"
    stock = "in stock" if in_stock else "currently out of stock"
    brand = f" by {p.brand}" if p.brand else ""
    text = f"**{p.name}**{brand} — {price}, {stock}"
    colours = [c for c in dict.fromkeys(v.option(*_COLOUR_KEYS) for v in in_stock) if c]
    sizes = sorted({s for v in in_stock if (s := v.option(*_SIZE_KEYS))}, key=size_sort_key)
    if colours and len(colours) <= 5:
        text += " in " + " / ".join(colours)
    if sizes and len(sizes) <= 8:
        text += ", sizes " + ", ".join(sizes)
    feats = _short_features(p)
    return text + (f" ({feats})" if feats else "")


def _asked_features(q: Question, p: ProductFact) -> list[str]:
    # "is the wireless mouse waterproof?": "wireless" names the product, it is not asked.
    return [f for f in q.features if f.lower() not in p.name.lower()]


def _has_features(p: ProductFact, q: Question) -> bool:
    """Every property the shopper asked for is stated as present (not absent, not unknown)."""
    return all(feature_verdict(p, f)[0] is True for f in _asked_features(q, p))


def _type_words(p: ProductFact) -> str:
    """The product's name without its brand: its line and type ("Meadow Rain Jacket")."""
    name = p.name.lower()
    brand = p.brand.lower()
    return name[len(brand) :] if brand and name.startswith(brand) else name


def _main_terms(q: Question, products: list[ProductFact]) -> list[str]:
    """The shopper's words that name a kind of product we have ("rain", "jacket").

    A list must respect them: "rain jacket under $150" is not answered with fleeces. Words no
    candidate's name has ("waterproof", "something") are properties or filler, not the noun.
    """
    return [t for t in content_terms(q.text) if any(term_in(t, _type_words(p)) for p in products)]


def _names_all(p: ProductFact, terms: list[str]) -> bool:
    return all(term_in(t, _type_words(p)) for t in terms)


def _list_answer(q: Question, facts: FactSheet) -> str:
    terms = _main_terms(q, facts.products)
    candidates = [p for p in facts.products if _names_all(p, terms)]
    if not candidates and terms:
        # Nothing has every word ("waterproof hiking jacket"): the head noun, last in English.
        terms = terms[-1:]
        candidates = [p for p in facts.products if _names_all(p, terms)]
    if not candidates:
        candidates = facts.products
    fitting = [(p, _fitting_variants(p, q)) for p in candidates if _has_features(p, q)]
    shown = [(p, vs) for p, vs in fitting if vs]
    shown.sort(key=lambda item: not any(v.in_stock for v in item[1]))
    shown = shown[:4]
    constraints = (q.filters.describe() if q.filters else []) + list(q.features)
    if not shown:
        text = "I couldn't find anything " + (", ".join(constraints) or "matching that") + "."
        # Never offer as "closest" a product whose data contradicts what was asked.
        closest = [
            p
            for p in candidates
            if all(feature_verdict(p, f)[0] is not False for f in _asked_features(q, p))
        ]
        if not closest:
            return text + " Tell me more about what you need and I'll look again."
        return text + f" The closest I have is {_line(closest[0])}."
    head = "Here is what I found"
    if constraints:
        head += " (" + ", ".join(constraints) + ")"
    if len(shown) == 1:
        return head + ": " + _fitting_line(*shown[0]) + "."
    lines = [head + ":"]
    lines += [f"{i}. {_fitting_line(p, vs)}" for i, (p, vs) in enumerate(shown, 1)]
    return "\n".join(lines)


_STOP = {"the", "and", "with", "for", "a", "an", "of", "in", "vs", "or"}


def _named_in_question(question: str, products: list[ProductFact]) -> list[ProductFact]:
    """Products at least one distinctive word of whose name the shopper used."""
    words = {w for w in re.findall(r"[a-z0-9]+", question.lower()) if w not in _STOP}
    named = []
    for p in products:
        name_words = {w for w in re.findall(r"[a-z0-9]+", p.name.lower()) if w not in _STOP}
        if len(words & name_words) >= 1:
            named.append((len(words & name_words), p))
    named.sort(key=lambda item: -item[0])
    return [p for _, p in named[:3]]


def _compare_answer(products: list[ProductFact]) -> str:
    lines = ["Here is how they compare:"]
    for p in products:
        text = f"- **{p.name}**: {_price_range(p)}, {_stock_words(p)}"
        feats = _short_features(p, 3)
        if feats:
            text += f"; {feats}"
        lines.append(text)
    cheapest = min(products, key=lambda p: p.min_price or 0)
    lines.append(
        f"The lowest price is the **{cheapest.name}** at {money(cheapest.min_price or 0)}."
    )
    return "\n".join(lines)


# -- policy and orders ---------------------------------------------------------------------


def _quote(body: str, question: str, limit: int = 420) -> str:
    """The passage, or for a long one the sentences that share most words with the question."""
    text = " ".join(body.split())
    if len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    terms = content_terms(question)
    scored = [(sum(term_in(t, s.lower()) for t in terms), i, s) for i, s in enumerate(sentences)]
    best = sorted(scored, key=lambda x: (-x[0], x[1]))
    picked: list[tuple[int, str]] = []
    size = 0
    for score, i, sentence in best:
        if picked and (score == 0 or size + len(sentence) > limit):
            break
        picked.append((i, sentence))
        size += len(sentence)
    return " … ".join(sentence for _, sentence in sorted(picked))


def _policy_answer(policies: list[PolicyFact], question: str = "") -> str:
    top = policies[0]
    text = f"From our policy on {top.title.lower() or top.topic}: “{_quote(top.body, question)}”"
    if len(policies) > 1 and policies[1].topic == top.topic:
        text += f"\nAlso: “{_quote(policies[1].body, question)}”"
    return text


def _order_line(o: OrderFact) -> str:
    items = ", ".join(line.describe() for line in o.lines[:4])
    more = f" and {len(o.lines) - 4} more" if len(o.lines) > 4 else ""
    text = f"Order {o.id} is **{o.status}** (total {money(o.total)}): {items}{more}"
    if o.tracking_ids:
        text += f". Tracking: {', '.join(o.tracking_ids)}"
    return text + "."


def _orders_answer(q: Question, facts: FactSheet) -> str:
    if not facts.customer_id and facts.policies and not q.order_ids:
        return (
            _policy_answer(facts.policies, facts.question)
            + "\nTo look at your own orders, tell me the email on your account first."
        )
    if not facts.customer_id:
        return (
            "I can look at your orders once you've confirmed who you are — please give me the "
            "email address on your account, or your name and zip code."
        )
    orders = facts.orders
    if q.order_ids:
        wanted = {oid.upper() for oid in q.order_ids}
        picked = [o for o in orders if o.id.upper() in wanted]
        if not picked:
            return (
                "I couldn't find that order among the orders on your account. "
                "Please check the number, or ask me to list your orders."
            )
        orders = picked
    if not orders:
        return "I don't see any orders on your account yet."
    lines = [_order_line(o) for o in orders[:5]]
    if len(orders) > 5:
        lines.append(f"…and {len(orders) - 5} older orders.")
    return "\n".join(lines)
