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
from bot.texts import reflow, t
from bot.texts.segment import chinese_pairs, has_chinese

_COLOUR_KEYS = ("colour", "color")
_SIZE_KEYS = ("size", "shoe size", "eu size", "us size")

NO_FACTS = "answer.no_facts"  # catalog key


def compose_answer(facts: FactSheet) -> str:
    q: Question = facts.analysis or analyse(facts.question)
    if q.kind == "order":
        return _orders_answer(q, facts)
    if q.kind == "unclear_referent":
        return t("answer.which_product")
    if q.kind == "policy" and facts.policies:
        return _policy_answer(facts.policies, facts.question)
    if not facts.products:
        if facts.policies:
            return _policy_answer(facts.policies, facts.question)
        return t(NO_FACTS)
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
        return t("answer.no_price")
    if p.max_price is not None and p.max_price != p.min_price:
        return t("answer.price_range", low=money(p.min_price), high=money(p.max_price))
    return money(p.min_price)


def _stock_words(p: ProductFact) -> str:
    return t("answer.in_stock") if p.in_stock else t("answer.out_of_stock")


def _short_features(p: ProductFact, limit: int = 2) -> str:
    feats = p.features()[:limit]
    return t("list.semicolon").join(feats)


def _named(p: ProductFact) -> str:
    """'**Name**' or '**Name** by Brand'."""
    return (
        t("answer.name_by", name=p.display_name, brand=p.brand)
        if p.brand
        else t("answer.name", name=p.display_name)
    )


def _with_features(text: str, feats: str) -> str:
    return t("answer.with_features", text=text, features=feats) if feats else text


def _line(p: ProductFact) -> str:
    return _with_features(
        t("answer.line", product=_named(p), price=_price_range(p), stock=_stock_words(p)),
        _short_features(p),
    )


def _product_overview(p: ProductFact) -> str:
    parts = [t("answer.sentence", text=_line(p))]
    colours = p.option_values(*_COLOUR_KEYS)
    sizes = p.option_values(*_SIZE_KEYS)
    if colours:
        parts.append(t("answer.colours", values=_values_with_stock(colours)))
    if sizes:
        parts.append(t("answer.sizes", values=_values_with_stock(sizes)))
    return t("sentence.separator").join(parts)


def _only_product_named(q: Question, products: list[ProductFact]) -> ProductFact | None:
    """The one candidate whose name has every product word of the question, if exactly one."""
    terms = _main_terms(q, products)
    named = [p for p in products if terms and _names_all(p, terms)]
    return named[0] if len(named) == 1 else None


def _count_answer(p: ProductFact) -> str:
    """ "How many t-shirt options are there?": the variants of the product, by option."""
    total, in_stock = len(p.variants), sum(1 for v in p.variants if v.in_stock)
    key = "answer.count_one" if total == 1 else "answer.count"
    parts = [t(key, name=p.display_name, total=total, in_stock=in_stock, price=_price_range(p))]
    names = dict.fromkeys(k for v in p.variants for k in v.options)
    for name in names:
        values = p.option_values(name)
        if len(values) > 1:
            label = str(name).replace("_", " ").capitalize()
            parts.append(t("answer.option_values", option=label, values=_values_with_stock(values)))
    return t("sentence.separator").join(parts)


def _values_with_stock(values: dict[str, bool]) -> str:
    return t("item.option_separator").join(
        v if ok else t("answer.value_out_of_stock", value=v) for v, ok in values.items()
    )


def _opts(options: dict[str, str]) -> str:
    sep = t("item.option_separator")
    return sep.join(t("item.option", name=k, value=val) for k, val in options.items())


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
            return True, t("answer.attribute", name=str(attr).replace("_", " "), value=value)
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
        return t("answer.feature_unknown", feature=feature)
    if not evidence:
        return t("answer.feature_yes" if verdict else "answer.feature_no", feature=feature)
    if evidence in p.features():
        return t("answer.feature_listed" if verdict else "answer.feature_listed_no", line=evidence)
    if evidence in p.description:
        key = "answer.description_yes" if verdict else "answer.description_no"
        return t(key, sentence=evidence)
    return evidence  # an attribute's value, already a sentence (answer.attribute)


def _has(v: VariantFact, keys: tuple[str, ...], wanted: str) -> bool:
    value = v.option(*keys)
    return bool(value and _matches(value, wanted))


def _yes_no_answer(q: Question, p: ProductFact) -> str:
    parts: list[str] = []
    colour, size = q.colour, q.size
    colours = p.option_values(*_COLOUR_KEYS)
    sizes = p.option_values(*_SIZE_KEYS)
    if colour or size:
        wanted = " ".join(x for x in (colour, t("answer.size", size=size) if size else None) if x)
        matching = _variants_with(p, colour, size)
        in_stock = [v for v in matching if v.in_stock]
        if matching and colour:
            # Say the colour the way the shop names it ("grey", not the canonical "gray").
            shop_colour = matching[0].option(*_COLOUR_KEYS) or colour
            wanted = wanted.replace(colour, shop_colour, 1)
        if in_stock:
            v = in_stock[0]
            parts.append(
                t(
                    "answer.comes_in",
                    name=p.display_name,
                    wanted=wanted,
                    price=money(v.price),
                    stock=v.stock,
                )
            )
        elif matching:
            parts.append(t("answer.comes_in_sold_out", name=p.display_name, wanted=wanted))
            same_size = [v for v in p.variants if v.in_stock and size and _has(v, _SIZE_KEYS, size)]
            same_colour = [
                v for v in p.variants if v.in_stock and colour and _has(v, _COLOUR_KEYS, colour)
            ]
            if same_size:
                alt = same_size[0]
                parts.append(
                    t("answer.instead", options=_opts(alt.options), price=money(alt.price))
                )
            elif size and same_colour:
                parts.append(t("answer.size_sold_out", size=size))
                sizes_left = sorted(
                    {s for v in same_colour if (s := v.option(*_SIZE_KEYS))}, key=size_sort_key
                )
                if sizes_left:
                    label = same_colour[0].option(*_COLOUR_KEYS) or colour
                    sep = t("item.option_separator")
                    parts.append(t("answer.sizes_left", colour=label, sizes=sep.join(sizes_left)))
            elif same_colour:
                alt = same_colour[0]
                parts.append(
                    t("answer.instead", options=_opts(alt.options), price=money(alt.price))
                )
            elif size and any(sizes.values()):
                left = t("item.option_separator").join(s for s, ok in sizes.items() if ok)
                parts.append(t("answer.sizes_in_stock", sizes=left))
            elif colour and any(colours.values()):
                left = t("item.option_separator").join(c for c, ok in colours.items() if ok)
                parts.append(t("answer.colours_in_stock", colours=left))
        else:
            parts.append(t("answer.does_not_come_in", name=p.display_name, wanted=wanted))
            if colour and colours:
                parts.append(t("answer.colours", values=_values_with_stock(colours)))
            if size and sizes:
                parts.append(t("answer.sizes", values=_values_with_stock(sizes)))
    for feature in q.features:
        if feature.lower() in p.name.lower():
            continue  # "is the wireless mouse waterproof?": "wireless" names the product
        parts.append(_feature_sentence(p, feature))
    if not parts:
        # "Is it available?" / "Do you have the X?"
        if p.in_stock:
            parts.append(t("answer.is_in_stock", name=p.display_name, price=_price_range(p)))
        else:
            parts.append(t("answer.is_out_of_stock", name=p.display_name))
        if colours:
            parts.append(t("answer.colours", values=_values_with_stock(colours)))
        if sizes:
            parts.append(t("answer.sizes", values=_values_with_stock(sizes)))
    elif not (colour or size):
        parts.insert(
            0, t("answer.about", name=p.display_name, price=_price_range(p), stock=_stock_words(p))
        )
    return t("sentence.separator").join(parts)


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
    price = money(low) if low == high else t("answer.price_range", low=money(low), high=money(high))
    stock = t("answer.in_stock") if in_stock else t("answer.out_of_stock")
    text = t("answer.line", product=_named(p), price=price, stock=stock)
    colours = [c for c in dict.fromkeys(v.option(*_COLOUR_KEYS) for v in in_stock) if c]
    sizes = sorted({s for v in in_stock if (s := v.option(*_SIZE_KEYS))}, key=size_sort_key)
    if colours and len(colours) <= 5:
        text += t("answer.in_colours", colours=" / ".join(colours))
    if sizes and len(sizes) <= 8:
        text += t("answer.in_sizes", sizes=t("item.option_separator").join(sizes))
    return _with_features(text, _short_features(p))


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
    return [w for w in content_terms(q.text) if any(term_in(w, _type_words(p)) for p in products)]


def _names_all(p: ProductFact, terms: list[str]) -> bool:
    return all(term_in(w, _type_words(p)) for w in terms)


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
    said = t("item.option_separator").join(constraints)
    if not shown:
        # Never offer as "closest" a product whose data contradicts what was asked.
        closest = [
            p
            for p in candidates
            if all(feature_verdict(p, f)[0] is not False for f in _asked_features(q, p))
        ]
        found = said or t("answer.matching_that")
        if not closest:
            return t("answer.nothing_found_ask_more", constraints=found)
        return t("answer.nothing_found", constraints=found, closest=_line(closest[0]))
    head = t("answer.found_with", constraints=said) if constraints else t("answer.found")
    if len(shown) == 1:
        return t("answer.found_one", head=head, line=_fitting_line(*shown[0]))
    lines = [t("answer.found_many", head=head)]
    lines += [
        t("answer.numbered", number=i, line=_fitting_line(p, vs))
        for i, (p, vs) in enumerate(shown, 1)
    ]
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
    lines = [t("answer.compare")]
    for p in products:
        text = t(
            "answer.compare_line", name=p.display_name, price=_price_range(p), stock=_stock_words(p)
        )
        feats = _short_features(p, 3)
        if feats:
            text += t("list.semicolon") + feats
        lines.append(text)
    cheapest = min(products, key=lambda p: p.min_price or 0)
    lines.append(
        t("answer.cheapest", name=cheapest.display_name, price=money(cheapest.min_price or 0))
    )
    return "\n".join(lines)


# -- policy and orders ---------------------------------------------------------------------


def _quote(body: str, question: str, limit: int = 420) -> str:
    """The passage, or for a long one the sentences that share most words with the question."""
    text = " ".join(reflow(body).split())  # the file's line breaks: none inside Chinese
    if len(text) <= limit:
        return text
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|(?<=[。！？])", text) if s.strip()]
    terms = content_terms(question)
    pairs = chinese_pairs(question)  # a Chinese question against a Chinese passage

    def overlap(sentence: str) -> int:
        return sum(term_in(t, sentence.lower()) for t in terms) + sum(p in sentence for p in pairs)

    scored = [(overlap(s), i, s) for i, s in enumerate(sentences)]
    best = sorted(scored, key=lambda x: (-x[0], x[1]))
    picked: list[tuple[int, str]] = []
    size = 0
    for score, i, sentence in best:
        if picked and (score == 0 or size + len(sentence) > limit):
            break
        picked.append((i, sentence))
        size += len(sentence)
    joiner = "……" if has_chinese(text) else " … "
    return joiner.join(sentence for _, sentence in sorted(picked))


def _policy_answer(policies: list[PolicyFact], question: str = "") -> str:
    top = policies[0]
    text = t(
        "answer.policy", topic=top.title.lower() or top.topic, quote=_quote(top.body, question)
    )
    if len(policies) > 1 and policies[1].topic == top.topic:
        text += "\n" + t("answer.policy_also", quote=_quote(policies[1].body, question))
    return text


def _order_line(o: OrderFact) -> str:
    items = t("item.option_separator").join(line.describe() for line in o.lines[:4])
    more = t("answer.and_more", count=len(o.lines) - 4) if len(o.lines) > 4 else ""
    text = t(
        "answer.order", order_id=o.id, status=o.status, total=money(o.total), items=items + more
    )
    if o.tracking_ids:
        text += t("answer.tracking", tracking=t("item.option_separator").join(o.tracking_ids))
    return t("answer.sentence", text=text)


def _orders_answer(q: Question, facts: FactSheet) -> str:
    if not facts.customer_id and facts.policies and not q.order_ids:
        return _policy_answer(facts.policies, facts.question) + "\n" + t("answer.orders_email")
    if not facts.customer_id:
        return t("answer.orders_identify")
    orders = facts.orders
    if q.order_ids:
        wanted = {oid.upper() for oid in q.order_ids}
        picked = [o for o in orders if o.id.upper() in wanted]
        if not picked:
            return t("answer.order_not_found")
        orders = picked
    if not orders:
        return t("order.none_yet")
    lines = [_order_line(o) for o in orders[:5]]
    if len(orders) > 5:
        lines.append(t("answer.older_orders", count=len(orders) - 5))
    return "\n".join(lines)
