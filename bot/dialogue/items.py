"""Items and variants by description: which of an order's items the shopper means, and which
variant they want instead.

Pure functions over plain values (no Rasa, no SQL): the conversation service loads the order's
lines and the products' variants and asks here. Why a module of its own: the rules are the part
of the dialogue real shoppers stress most ("the black laser mouse", "same but in blue", "one size
up", "whichever is cheaper", "swich type clicky"), and they are tested on their own against the
τ-bench catalogue shape (tests/dialogue/test_items.py).

- An **item** of the order is matched by product-name words and option words together: the head
  noun of the name ("thermostat" of Smart Thermostat) selects, a shared modifier ("smart") only
  when nothing else does; option words rule out the lines they contradict.
- A **new variant** is matched by its options (any order, small typos, common synonyms), by
  difference from the current one (what is not mentioned stays as it is), by a step on an
  ordered option ("one size up", "the bigger one") or by price ("the cheapest").
- When more than one fits, the question names one option and its values ("Which switch type:
  clicky, linear or tactile?"), never one choice per item number.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.catalog.filters import COLOURS
from bot.dialogue.replies import text_button
from bot.texts import list_alternatives, t


@dataclass(frozen=True)
class Item:
    """An order line or a purchasable variant, as far as resolution needs it."""

    id: str
    product_id: str
    name: str
    options: Mapping[str, Any]
    price: Decimal = Decimal(0)


# option key -> every value the product's variants have (for contradictions and questions)
Universe = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Question:
    """A clarifying question: its text and quick replies that send plain text."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Pick:
    """The outcome: the ids chosen, or a question when more than one fits, or neither."""

    ids: list[str] = field(default_factory=list)
    question: Question | None = None

    @property
    def found(self) -> bool:
        return bool(self.ids)


# -- words ------------------------------------------------------------------------------------

# One spelling per word on both sides (text and catalogue values), so "grey" finds "space gray".
SYNONYMS = {
    "colour": "color",
    "colours": "color",
    "grey": "gray",
    "feet": "ft",
    "foot": "ft",
    "inches": "inch",
    "tshirt": "shirt",
    "tee": "shirt",
    "fullsize": "full",
    "litre": "liter",
    "litres": "liter",
    "liters": "liter",
    "wifi": "wi fi",
}
# Words that never name a product or an option value on their own (no typo matching either).
STOPWORDS = frozenset(
    """
    a an the and or but with without in on of for to from one ones it its i me my we our
    you your this that these those same please want like would could id instead new wanted
    which whichever any item items size type color option options get give make change
    exchange swap return cancel order is are be was one's other another also just only all
    both not no yes none
    """.split()  # noqa: SIM905
)
# Values a shopper rarely writes on their own ("no", "none"): found only next to their key.
KEYED_VALUES = frozenset({"no", "yes", "none"})
NEGATIONS = frozenset({"no", "not", "non", "without"})
# Colour words a product may not come in ("the purple one" of a keyboard: no such variant).
COLOUR_WORDS = frozenset(COLOURS)
GENERIC_HEADS = frozenset({"set", "kit"})

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+|%")


def _plural_stripped(token: str) -> str:
    if len(token) <= 3 or not token.isalpha() or token.endswith("ss"):
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("ches", "shes", "xes", "sses")):
        return token[:-2]
    if token.endswith("s"):
        return token[:-1]
    return token


def words(text: str) -> list[str]:
    """Lower-case word tokens with one spelling: hyphens split, apostrophes dropped, plurals
    made singular, digits apart from their unit ("4ft" -> "4 ft")."""
    lowered = (text or "").lower().replace("'", "").replace("’", "")
    lowered = re.sub(r"[-_/]", " ", lowered)
    out: list[str] = []
    for raw in _TOKEN.findall(lowered):
        mapped = SYNONYMS.get(raw, raw)
        out += [_plural_stripped(SYNONYMS.get(t, t)) for t in mapped.split()]
    return out


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with transpositions (optimal string alignment), cut off above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def same_word(said: str, wanted: str) -> bool:
    """Equal, or a small typo of an alphabetic word: one edit from six letters on ("swich",
    "tactle"), two from nine ("polyster"), only two letters swapped below that ("balck"). Never
    for numbers (8gb is not 6gb) nor common short words ("back" is not "black")."""
    if said == wanted:
        return True
    if not (said.isalpha() and wanted.isalpha()) or said in STOPWORDS or len(wanted) < 4:
        return False
    if len(wanted) < 6:
        return (
            len(said) == len(wanted)
            and sorted(said) == sorted(wanted)
            and (sum(a != b for a, b in zip(said, wanted, strict=True)) == 2)
        )
    limit = 2 if len(wanted) >= 9 else 1
    return _distance(said, wanted, limit) <= limit


def _phrase_spans(tokens: Sequence[str], phrase: Sequence[str]) -> list[tuple[int, int]]:
    n = len(phrase)
    return [
        (i, i + n)
        for i in range(len(tokens) - n + 1)
        if n and all(same_word(tokens[i + k], phrase[k]) for k in range(n))
    ]


# -- option mentions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mentions:
    """What a text says about options: values per key, and values more than one key has
    ("brown" for frame colour and lens colour) with no key word beside them, of which at least
    one key must take the value."""

    values: dict[str, set[str]]
    either: list[dict[str, str]]


def mentioned_options(text: str, universe: Universe, name: str = "") -> dict[str, set[str]]:
    """The option values the text names, per key (see ``mentions``)."""
    return mentions(text, universe, name).values


def mentions(text: str, universe: Universe, name: str = "") -> Mentions:
    """The option values the text names: any order, small typos, one spelling per word.

    A value inside a longer named one ("gold" in "rose gold") does not count; "yes"/"no"/"none"
    count only with their key ("no backlight", "waterproof", "not waterproof"); a colour word
    the product does not come in counts as a colour (so "the red mouse" is none of the black
    ones). A value several keys share is given to the key named beside it, else to ``either``.
    The words of the product's ``name`` name no option ("umbrella" is not "sunbrella"), nor do
    the words of the option keys themselves ("resistance" is not "resistant").
    """
    key_tokens = {key: words(key) for key in universe}
    key_words = {w for ws in key_tokens.values() for w in ws}
    product_words = set(words(name)) - key_words
    tokens = ["" if t in product_words else t for t in words(text)]
    listed = _listed_keyed_values(text)
    found: list[tuple[str, str, tuple[int, int]]] = []
    for key, values in universe.items():
        value_tokens = {str(v): words(str(v)) for v in values}
        for value, vt in value_tokens.items():
            if set(vt) <= KEYED_VALUES:
                span = _keyed(tokens, key_tokens[key], vt)
                if span is None and len(vt) == 1:
                    # "the red, 20 hours, no one": a list of values, "no" one of them; only
                    # the key that alone takes that value can be meant.
                    sharing = [k for k, vs in universe.items() if value in map(str, vs)]
                    spans = [(i, i + 1) for i, w in listed if w == vt[0]]
                    span = spans[0] if spans and sharing == [key] else None
                if span is not None:
                    found.append((key, value, span))
                continue
            spans = _phrase_spans(tokens, vt)
            if not spans:
                # one word only this value has, e.g. "clicky", "full" of "full size"
                others = {w for other, ot in value_tokens.items() if other != value for w in ot}
                distinctive = [
                    w
                    for w in vt
                    if w.isalpha()
                    and len(w) >= 3
                    and w not in STOPWORDS
                    and w not in others
                    and w not in key_words
                ]
                spans = [
                    (i, j)
                    for w in distinctive
                    for i, j in _phrase_spans(tokens, [w])
                    if tokens[i] not in key_words
                ]
            found += [(key, value, span) for span in spans]
    found = [
        (key, value, (start, end))
        for key, value, (start, end) in found
        if not any(
            s <= start and end <= e and (e - s) > (end - start)
            for _, other, (s, e) in found
            if other != value
        )
    ]
    by_span: dict[tuple[tuple[int, int], str], list[str]] = {}
    for key, value, span in found:
        by_span.setdefault((span, value), []).append(key)
    said: dict[str, set[str]] = {}
    either: list[dict[str, str]] = []
    for (span, value), keys in by_span.items():
        keys = list(dict.fromkeys(keys))
        if len(keys) > 1:
            written = [k for k in keys if _key_written(tokens, span, key_tokens[k])]
            beside = [k for k in keys if _key_beside(tokens, span, key_tokens[k], key_tokens)]
            keys = written if len(written) == 1 else beside if len(beside) == 1 else keys
        if len(keys) == 1:
            said.setdefault(keys[0], set()).add(value)
        else:
            either.append(dict.fromkeys(keys, value))
    covered = {i for _, _, (s, e) in found for i in range(s, e)}
    colour_keys = [k for k in universe if "color" in key_tokens[k]]
    if len(colour_keys) == 1:
        known = {w for v in universe[colour_keys[0]] for w in words(str(v))}
        for i, token in enumerate(tokens):
            if i not in covered and token in COLOUR_WORDS and token not in known:
                said.setdefault(colour_keys[0], set()).add(token)
    return Mentions(said, either)


# Between the values of a list ("red, 20 hours, no"): commas, semicolons, "and".
_LIST_SEPARATOR = re.compile(r"\s*(?:[,;]|\band\b)\s*", re.I)
# Words around a value in a list that say nothing ("the 20 hours, yes one").
_LIST_FILLERS = frozenset({"the", "a", "an", "please"})


def _listed_keyed_values(text: str) -> list[tuple[int, str]]:
    """The bare "yes"/"no"/"none" that stand as an element of a list of values ("the red,
    20 hours, no one in order #W1", "for the none, 80% one"), with their token positions in
    ``words(text)``: alone or before "one", and either the first word of a later element or
    right after "the". Never a leading "No, the red one" (an answer, no value), nor "no
    thanks"."""
    found: list[tuple[int, str]] = []
    offset = 0
    for index, part in enumerate(_LIST_SEPARATOR.split(text or "")):
        tokens = words(part)
        for position, value in enumerate(tokens):
            if value not in KEYED_VALUES:
                continue
            before = [w for w in tokens[:position] if w not in _LIST_FILLERS]
            after = tokens[position + 1 : position + 2]
            first = index > 0 and not before
            if (first or tokens[position - 1 : position] == ["the"]) and after in (
                [],
                ["one"],
                ["ones"],
                ["version"],
                ["variant"],
            ):
                found.append((offset + position, value))
        offset += len(tokens)
    return found


def _key_written(tokens: Sequence[str], span: tuple[int, int], own: Sequence[str]) -> bool:
    """Is the whole key written next to the value ("lens color brown", "brown lens color")?"""
    return any(
        end in (span[0], span[0] - 1) or start in (span[1], span[1] + 1)
        for start, end in _phrase_spans(tokens, own)
    )


def _key_beside(
    tokens: Sequence[str],
    span: tuple[int, int],
    own: Sequence[str],
    all_keys: Mapping[str, Sequence[str]],
) -> bool:
    """Is a word only this key has ("lens" of "lens color") within two words of the value?"""
    shared = {w for k, ws in all_keys.items() if list(ws) != list(own) for w in ws}
    distinctive = [w for w in own if w not in shared]
    near = list(tokens[max(0, span[0] - 2) : span[0]]) + list(tokens[span[1] : span[1] + 2])
    return any(w in near for w in distinctive)


def _keyed(
    tokens: Sequence[str], key_tokens: Sequence[str], value_tokens: Sequence[str]
) -> tuple[int, int] | None:
    """ "backlight none", "backlight: none", "no backlight", "without backlight"; for a yes/no
    key the key alone means yes ("waterproof") and after a negation no ("not waterproof")."""
    if not key_tokens:
        return None
    for start, end in _phrase_spans(tokens, key_tokens):
        before = tokens[start - 1] if start > 0 else ""
        after = tokens[end] if end < len(tokens) else ""
        negated = before in NEGATIONS
        if after in value_tokens:
            return start, end + 1
        if "none" in value_tokens and negated:
            return start - 1, end
        if "no" in value_tokens and negated:
            return start - 1, end
        if "yes" in value_tokens and not negated and after not in ("no", "none", "yes"):
            return start, end
    return None


def contradicts(options: Mapping[str, Any], said: Mapping[str, set[str]]) -> bool:
    """Does the text name another value for one of these options (and not this one)?"""
    return any(key in options and str(options[key]) not in values for key, values in said.items())


def options_fit(
    text: str,
    options: Mapping[str, Any],
    *,
    require: bool = True,
    universe: Universe | None = None,
) -> bool:
    """``require``: every option value is named in the text. ``require=False``: none
    contradicts, i.e. the text names no other value (of ``universe``, which defaults to these
    options alone) of one of these options without naming this one."""
    known: dict[str, list[str]] = {k: [str(v)] for k, v in (options or {}).items()}
    for key, values in (universe or {}).items():
        known.setdefault(key, []).extend(str(v) for v in values)
    said = mentioned_options(text, known)
    if require:
        return bool(options) and all(
            str(v) in said.get(k, set()) for k, v in (options or {}).items()
        )
    return not contradicts(options or {}, said)


def changed_options(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The options of ``new`` that differ from ``old``: what the shopper has to say."""
    return {k: v for k, v in (new or {}).items() if (old or {}).get(k) != v}


def universe_of(items: Iterable[Item]) -> dict[str, list[str]]:
    """Every value each option key takes among these items, in first-seen order."""
    values: dict[str, list[str]] = {}
    for item in items:
        for key, value in item.options.items():
            bucket = values.setdefault(key, [])
            if str(value) not in bucket:
                bucket.append(str(value))
    return values


def describe_options(options: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in (options or {}).items()) or "standard"


# -- the order's items ----------------------------------------------------------------------------


def match_items(
    text: str,
    lines: Sequence[Item],
    universes: Mapping[str, Universe],
    catalogue_names: Sequence[str] = (),
) -> Pick:
    """The order lines the text describes, or a question when it fits several of one kind.

    ``universes``: option values per product id (all the product's variants), so "the red
    mouse" rules out a black and a white mouse instead of matching both. Several items in one
    message ("the black laser mouse and the thermostat") are matched part by part, so one
    item's option words never rule out the other. ``catalogue_names``: other products' names,
    so "the action camera" is not taken for the order's digital camera.
    """
    picked: list[str] = []
    others = [n for n in catalogue_names if n not in {line.name for line in lines}]
    for part in _parts(text, lines):
        found = _match_part(part, lines, universes, others)
        if found.question is not None:
            return found
        picked += found.ids
    return Pick(ids=units(picked, lines))


def units(ids: Sequence[str], lines: Sequence[Item]) -> list[str]:
    """The ids in the order first named, each as often as named but never more often than the
    order has units of it: an order with two identical water bottles gives one for "the water
    bottle", two for "both water bottles" or for the bottle named twice; a line named twice
    ("the black mouse and the mouse") stays one unit."""
    have = Counter(line.id for line in lines)
    wanted = Counter(ids)
    return [i for i in dict.fromkeys(ids) for _ in range(min(wanted[i], have[i]))]


# ... and in Chinese: "扫地机器人和恒温器", "键盘、耳机", "键盘，还有耳机".
_SPLIT = re.compile(r",|;|&|\band\b|\bplus\b|\balso\b|\bas well as\b|[，；、]|和|以及|还有")


def _name_hits(tokens: Sequence[str], line: Item) -> tuple[list[str], list[str]]:
    name = [w for w in words(line.name) if w not in STOPWORDS] or words(line.name)
    return name, [w for w in name if any(same_word(t, w) for t in tokens)]


def _strongly(name: Sequence[str], hits: Sequence[str]) -> bool:
    """Named in full, or by the head noun of the name (unless that is "set", "kit")."""
    return bool(hits) and (
        len(hits) == len(name) or (name[-1] in hits and name[-1] not in GENERIC_HEADS)
    )


def _parts(text: str, lines: Sequence[Item]) -> list[str]:
    """The text cut at "and"/commas, each piece that names no product joined to a neighbour."""
    pieces = [p for p in _SPLIT.split(text or "") if p.strip()]
    named = [any(_name_hits(words(p), ln)[1] for ln in lines) for p in pieces]
    if sum(named) <= 1:
        return [text or ""]
    parts: list[str] = []
    pending = ""
    for piece, has_name in zip(pieces, named, strict=True):
        if has_name:
            parts.append(f"{pending} {piece}".strip())
            pending = ""
        elif parts:
            parts[-1] += " " + piece
        else:
            pending += " " + piece
    return parts


def _match_part(
    text: str, lines: Sequence[Item], universes: Mapping[str, Universe], others: Sequence[str]
) -> Pick:
    tokens = words(text)
    strong: list[Item] = []
    weak: list[Item] = []
    for line in lines:
        name, hits = _name_hits(tokens, line)
        if not hits:
            continue
        if _strongly(name, hits):
            strong.append(line)
        else:
            weak.append(line)
    named = strong or weak
    best = max((len(_name_hits(tokens, line)[1]) for line in named), default=0)
    if strong:  # "the electric kettle" beside a Tea Kettle: the fuller name wins
        named = [line for line in named if len(_name_hits(tokens, line)[1]) == best]
    for other in others:
        wanted = [w for w in words(other) if w not in STOPWORDS] or words(other)
        if len(wanted) > best and all(any(same_word(t, w) for t in tokens) for w in wanted):
            return Pick()  # a product the order does not have, named in full
    fitting: list[Item] = []
    for line in named or lines:
        universe = universes.get(line.product_id) or universe_of([line])
        said = mentioned_options(text, universe, line.name)
        if contradicts(line.options, said):
            continue
        if not named and not any(str(line.options.get(k)) in v for k, v in said.items()):
            continue  # "the black one": options alone must name it
        fitting.append(line)
    if not fitting:
        return Pick()
    products = list(dict.fromkeys(line.product_id for line in fitting))
    if len(products) > 1:
        names = list(dict.fromkeys(line.name for line in fitting))
        return Pick(
            question=Question(
                t(
                    "items.which_product",
                    choices=list_alternatives([t("items.the", name=n) for n in names]),
                ),
                [text_button(n, f"the {n}") for n in names],
            )
        )
    everything = bool({"all", "both", "every", "everything"} & set(tokens)) or _plural(
        text, fitting
    )
    picked: list[Item] = []
    for product in products:
        same = [line for line in fitting if line.product_id == product]
        distinct = {tuple(sorted((k, str(v)) for k, v in ln.options.items())) for ln in same}
        if len(distinct) > 1 and not everything:
            return Pick(question=which_question(same, same[0].name))
        # Identical units: the singular names one of them, "both" or a plural every one.
        picked += same if everything else same[:1]
    return Pick(ids=[line.id for line in picked])


# What a correction says is not meant: "I meant the kettle, not the clock", "the kettle
# instead of the clock", "是水壶，不是挂钟" (up to the end of the clause).
_NEGATED = re.compile(
    r"\b(?:not|rather than|instead of)\b[^,.;!?，。；！？]*|不是[^,.;!?，。；！？]*", re.I
)
# A correction that adds to the items instead of replacing them.
_ADDING = re.compile(r"\b(also|too|as well)\b", re.I)


def without_negated(text: str) -> str:
    """The text without the parts it says are not meant."""
    return _NEGATED.sub(" ", text or "")


def named_lines(text: str, lines: Sequence[Item]) -> list[Item]:
    """The lines whose product the text names: in full or by its head noun, never by a
    shared modifier or by option words alone (those describe a variant, not an item)."""
    tokens = words(text)
    found: list[Item] = []
    for line in lines:
        name, hits = _name_hits(tokens, line)
        if _strongly(name, hits):
            found.append(line)
    return found


def swapped_items(text: str, lines: Sequence[Item]) -> list[str]:
    """The lines a swap request names by product ("change the patio umbrella for the 6 ft,
    blue one"): the option words after "for" describe the new variant, so they can't pick the
    line; those before it can ("the stainless steel tea kettle for the glass one" of an order
    with a ceramic one too). All or nothing: when one named product's line can't be told
    apart, none (a partial list would change some items and lock the order)."""
    picked: list[str] = []
    for part in _parts(text, lines):  # the fuller name wins: "digital camera", not "action camera"
        tokens = words(part)
        found = named_lines(part, lines)
        best = max((len(_name_hits(tokens, line)[1]) for line in found), default=0)
        for product in dict.fromkeys(ln.product_id for ln in found):
            named = [ln for ln in found if ln.product_id == product]
            if len(_name_hits(tokens, named[0])[1]) != best:
                continue
            if len({ln.id for ln in named}) == 1:
                picked.append(named[0].id)  # one unit of identical ones
                continue
            own = {product: universe_of(named)}
            pick = _match_part(_old_item_words(part, named[0]), named, own, ())
            if not pick.found:
                return []  # the words before "for" don't tell which: ask
            picked += pick.ids
    return list(dict.fromkeys(picked))


_SWAP_WORD = re.compile(r"\b(?:for|to|into|with)\b", re.I)


def _old_item_words(part: str, line: Item) -> str:
    """The words of a swap that describe the item as it is: up to the first "for"/"to"/
    "into"/"with" after its product name ("the stainless steel tea kettle for the glass one")."""
    for match in _SWAP_WORD.finditer(part):
        before = part[: match.start()]
        if named_lines(before, [line]):
            return before
    return part


# What a swap is turned into: "... for the clicky one", "... 换成 clicky 的" (Chinese has no word
# boundaries; "换成", "改成", "换为" only, not a bare "换", which also means the exchange itself).
_SWAP_TARGET = re.compile(r"\b(?:for|to|into|with)\b|换成|改成|换为|改为", re.I)


def new_variant_words(text: str) -> str:
    """The words of a swap request that describe the new variant: after its last "for"/"to"/
    "换成" ("想换成 clicky 的" -> "clicky 的"); empty when the request names no target. They are
    read with the answers to "what would you like instead?", so a description the request
    began ("clicky") is not lost when a question narrows it down ("white backlight")."""
    found = list(_SWAP_TARGET.finditer(text or ""))
    return text[found[-1].end() :].strip() if found else ""


def corrected_items(
    text: str,
    lines: Sequence[Item],
    current: Sequence[str],
    universes: Mapping[str, Universe],
    catalogue_names: Sequence[str] = (),
) -> Pick | None:
    """The items a later message says were meant ("Sorry, I meant the espresso machine, not
    the t-shirt"), or None when it names no item besides the ``current`` choice.

    Asked about the new options or the payment, a shopper who notices the wrong item was taken
    names the right one: read without what it says is not meant, a product of the order that
    is not chosen yet replaces the choice ("also"/"too" adds to it).
    """
    meant = without_negated(text)
    chosen = set(current)
    if not any(line.id not in chosen for line in named_lines(meant, lines)):
        return None
    pick = match_items(meant, lines, universes, catalogue_names)
    if not pick.found or set(pick.ids) <= chosen:
        return pick if pick.question is not None else None
    if _ADDING.search(meant):
        return Pick(ids=list(dict.fromkeys([*current, *pick.ids])))
    return pick


def _plural(text: str, lines: Sequence[Item]) -> bool:
    """ "the t-shirts": the head noun written in the plural means every such line."""
    raw = re.findall(r"[a-z]+", (text or "").lower())
    heads = {words(line.name)[-1] for line in lines if words(line.name)}
    return any(w != _plural_stripped(w) and _plural_stripped(w) in heads for w in raw)


# -- the new variant ------------------------------------------------------------------------------

# Superlatives choose among every variant that fits the description ("the cheapest black
# one"); comparatives among those just offered or closest to the current ("whichever is cheaper").
PRICE_WORDS: tuple[tuple[re.Pattern[str], int, bool], ...] = (
    (re.compile(r"\b(cheapest|least expensive|lowest price)\b"), -1, True),
    (re.compile(r"\b(most expensive|priciest|highest price)\b"), 1, True),
    (re.compile(r"\b(cheaper|less expensive|lower price)\b"), -1, False),
    (re.compile(r"\b(more expensive|pricier|higher price)\b"), 1, False),
)
UP = re.compile(r"\b(size up|sizes? bigger|bigger|larger|one up|up a size|next size up)\b")
DOWN = re.compile(r"\b(size down|sizes? smaller|smaller|one down|down a size|next size down)\b")
# The keys "bigger"/"smaller" speak of, in order of preference.
SIZE_KEYS = ("size", "frame size", "kit size", "room size", "screen size")
LETTER_SIZES = ("xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl")
WORD_SIZES = ("mini", "small", "portable", "medium", "large", "extra large")


def _rank(value: str) -> float | None:
    """Where a size-like value sits on its scale: letters, words, numbers ("full size" last)."""
    lowered = value.lower().strip()
    if lowered in LETTER_SIZES:
        return float(LETTER_SIZES.index(lowered))
    if lowered in WORD_SIZES:
        return float(WORD_SIZES.index(lowered))
    if lowered.startswith("full"):
        return 1e9
    number = re.match(r"\d+(\.\d+)?", lowered)
    return float(number.group(0)) if number else None


def _step(text: str, current: Item, universe: Universe) -> tuple[str, str | None] | None:
    """ "one size up": (key, the next value on that key's scale, or None if there is none)."""
    lowered = (text or "").lower()
    direction = 1 if UP.search(lowered) else -1 if DOWN.search(lowered) else 0
    if not direction:
        return None
    key = next((k for k in SIZE_KEYS if k in current.options), None)
    if key is None:
        return None
    own = _rank(str(current.options[key]))
    ranked = [(r, v) for v in universe.get(key, ()) if (r := _rank(str(v))) is not None]
    if own is None or not ranked:
        return None
    beyond = [(r, v) for r, v in ranked if (r - own) * direction > 0]
    if not beyond:
        return key, None
    return key, min(beyond, key=lambda rv: abs(rv[0] - own))[1]


# Where one answer about several items splits into one part per item ("the white, optical
# one; the glass, 5 ft one" / "... and the bookshelf in glass").
_ITEM_SEPARATOR = re.compile(
    r"\s*(?:;|\n|(?<=\w)\.\s+|,?\s+and\s+(?=(?:the|for|a|an|my)\b)|,?\s+also\s+)\s*", re.I
)


def split_per_item(text: str, names: Sequence[str]) -> list[str] | None:
    """One part of ``text`` per item, or None when the message does not split that way.

    A part naming one item's product goes to that item; parts naming none are taken in the
    items' order when there are exactly as many parts as items. Without this, an option said
    for one item ("white" for the mouse) would also be read for the next (the bookshelf).
    """
    if len(names) < 2:
        return None
    parts = [p for p in _ITEM_SEPARATOR.split(text or "") if p and p.strip()]
    if len(parts) < 2:
        return None
    name_words = [set(words(n)) for n in names]
    routed: list[list[str]] = [[] for _ in names]
    unnamed: list[str] = []
    for part in parts:
        said = words(part)
        hits = [i for i, own in enumerate(name_words) if any(w in own for w in said)]
        if len(set(hits)) == 1:
            routed[hits[0]].append(part)
        else:
            unnamed.append(part)
    if all(routed) and not unnamed:
        return [" ".join(r) for r in routed]
    if len(parts) == len(names):
        return parts
    return None


def choose_variant(
    texts: Sequence[str], current: Item, alternatives: Sequence[Item], universe: Universe
) -> Pick:
    """The variant the shopper describes, over one or more messages (a later message overrides
    an earlier one option by option: "blue", then "no, red" means red).

    Unmentioned options stay as they are when such a variant exists ("same but in blue"); the
    price words pick among what is left (a superlative among all that fit the description);
    otherwise more than one left means a question.
    """
    wanted: dict[str, set[str]] = {}
    price = 0  # -1 cheaper, +1 dearer
    overall = False  # the superlative: among every fitting variant
    either: list[dict[str, str]] = []
    for text in texts:
        said = mentions(text, universe, current.name)
        for group in said.either:  # the shopper describes a change: not what it already is
            changing = {k: v for k, v in group.items() if str(current.options.get(k)) != v}
            if len(changing) == 1:
                ((key, value),) = changing.items()
                said.values.setdefault(key, set()).add(value)
            elif changing:
                either.append(changing)
        for key, values in said.values.items():
            own = str(current.options.get(key))
            wanted[key] = values - {own} if len(values) > 1 and own in values else values
        step = _step(text, current, universe)
        if step is not None:
            step_key, step_value = step
            if step_value is None:
                return Pick()
            wanted[step_key] = {step_value}
        lowered = (text or "").lower()
        for pattern, direction, among_all in PRICE_WORDS:
            if pattern.search(lowered):
                price, overall = direction, among_all
                break
    described_current = all(str(current.options.get(k)) in v for k, v in wanted.items()) and all(
        _takes_one(current, group) for group in either
    )
    if (not (wanted or either) or described_current) and not price:
        return Pick(question=which_question(alternatives, current.name, current))
    fitting = [
        alt
        for alt in alternatives
        if all(str(alt.options.get(k)) in values for k, values in wanted.items())
        and all(_takes_one(alt, group) for group in either)
    ]
    if wanted and fitting and not (price and overall):
        fewest = min(_changes(alt, current, wanted) for alt in fitting)
        fitting = [alt for alt in fitting if _changes(alt, current, wanted) == fewest]
    if price and fitting:
        best = min(alt.price * -price for alt in fitting) * -price
        fitting = [alt for alt in fitting if alt.price == best]
    if len(fitting) == 1:
        return Pick(ids=[fitting[0].id])
    if not fitting:
        question = which_question(alternatives, current.name, current)
        return Pick(
            question=Question(t("items.no_such_variant") + " " + question.text, question.buttons)
        )
    return Pick(question=which_question(fitting, current.name, current))


def _takes_one(item: Item, group: Mapping[str, str]) -> bool:
    return any(str(item.options.get(k)) == v for k, v in group.items())


def _changes(alt: Item, current: Item, wanted: Mapping[str, set[str]]) -> int:
    """How many options the shopper did not mention would change."""
    return sum(1 for k, v in alt.options.items() if k not in wanted and current.options.get(k) != v)


# -- questions ------------------------------------------------------------------------------------


def which_question(candidates: Sequence[Item], noun: str, current: Item | None = None) -> Question:
    """One option at a time, the one that splits the candidates most: "Which switch type:
    clicky, linear or tactile?", with one quick reply per value (and "The cheapest")."""
    values = universe_of(candidates)
    varying = {k: v for k, v in values.items() if len(v) > 1}
    if not varying:
        return Question(t("items.which_noun", noun=noun))
    key = max(varying, key=lambda k: (len(varying[k]), -list(values).index(k)))
    choices = sorted(varying[key], key=lambda v: (_rank(v) is None, _rank(v) or 0, v.lower()))
    buttons = [text_button(v, f"{key} {v}") for v in choices]
    prices = {c.price for c in candidates}
    if current is not None and len(prices) > 1:
        buttons.append(text_button(t("items.whichever_cheaper"), "whichever is cheaper"))
    return Question(
        t("items.which_option", option=key, choices=list_alternatives(choices)), buttons
    )
