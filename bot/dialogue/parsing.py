"""Pull slot values out of what the shopper typed.

NLU entities are the first source; these parsers are the safety net when the shopper
answers a form question with a bare value ("it's #W1234567", "john@x.com", "no longer
needed") that the entity extractor missed. They never guess: no match means ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogue import chinese
from bot.orders.ids import ORDER_ID_IN_TEXT, find_order_ids, normalise_order_id

# lookbehind: same matches, but linear time on long runs without "@" (was O(n²))
EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A ZIP stands alone: never the digits inside an order id (#S1000029), an item id
# (1000200300, SB-V000101) or a longer number; "zip10001" / "postal code:10001" also count.
# Chinese characters are no word around it ("邮编10001的"): _NOT_HAN_WORD is \w minus Han.
_NOT_HAN_WORD = r"[^\W\u4e00-\u9fff]"
ZIP_RE = re.compile(
    rf"(?:(?<!{_NOT_HAN_WORD})(?<![#-])|(?<=zip)|(?<=code)|(?<=code:)|(?<=zip:))"
    rf"(\d{{5}})(?:-\d{{4}})?(?!{_NOT_HAN_WORD}|-)",
    re.I,
)
# τ-bench item ids are 10 digits; demo shop variants look like SB-V000101.
ITEM_ID_RE = re.compile(r"(?<![\w-])(\d{10}|SB-V\d{6})(?![\w-])", re.IGNORECASE)
PAYMENT_ID_RE = re.compile(r"\b((?:credit_card|gift_card|paypal)_\d{4,10})\b", re.IGNORECASE)
LAST_FOUR_RE = re.compile(r"(?:ending|ends|last four|last 4|\*{2,})\D{0,12}(\d{4})\b", re.I)


# "not #W2090453", "isn't order W2090453", "不是 #W2090453": the order the shopper rules out.
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:not|isn'?t|wasn'?t)|不是|并非)\s*(?:the\s+)?(?:order\s*)?(?:订单\s*)?(?:number\s*)?$",
    re.I,
)


def extract_order_id(text: str) -> str | None:
    """The order the shopper means: the first one named, skipping one they rule out
    ("it's #W3168895, not #W2090453" / "不是 #W2090453，是 #W3168895")."""
    found = find_order_ids(text)
    if len(found) < 2:
        return next(iter(found), None)
    text = text or ""
    for match in ORDER_ID_IN_TEXT.finditer(text):
        if not _NEGATED_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
            return normalise_order_id(match.group(1))
    return found[0]


def extract_email(text: str) -> str | None:
    match = EMAIL_RE.search(text or "")
    return match.group(0).lower() if match else None


def extract_zip(text: str) -> str | None:
    return next(iter(extract_zips(text)), None)


def extract_zips(text: str) -> list[str]:
    """Every ZIP that may say who the shopper is (what an NLU ``zip`` entity must be one of):
    standing alone, and not the ZIP of an address written in the text ("my zip is 20001,
    ship it to 12 Oak Street, Austin, TX 78701" gives 20001 only)."""
    text = text or ""
    span = address_span(text)
    if span is not None:
        text = text[: span[0]] + " " + text[span[1] :]
    return [match.group(1) for match in ZIP_RE.finditer(text)]


def extract_item_ids(text: str) -> list[str]:
    """Every item (variant) id written in the text, in order, without duplicates."""
    seen: list[str] = []
    for match in ITEM_ID_RE.finditer(text or ""):
        value = match.group(1).upper()
        if value not in seen:
            seen.append(value)
    return seen


def extract_payment_method_id(text: str) -> str | None:
    match = PAYMENT_ID_RE.search(text or "")
    return match.group(1).lower() if match else None


def extract_last_four(text: str) -> str | None:
    match = LAST_FOUR_RE.search(text or "")
    return match.group(1) if match else None


_REASON_WORDS = {
    "ordered by mistake": ("mistake", "by accident", "accidentally", "wrong order", "misclick"),
    "no longer needed": (
        "no longer",
        "don't need",
        "dont need",
        "do not need",
        "not needed",
        "changed my mind",
        "don't want",
        "dont want",
    ),
}


def extract_cancel_reason(text: str, allowed: tuple[str, ...]) -> str | None:
    """Map the shopper's words onto one of the policy's cancellation reasons."""
    lowered = chinese.in_english(text or "", chinese.REASON_WORDS).lower()
    for reason in allowed:
        if reason in lowered:
            return reason
    for reason, words in _REASON_WORDS.items():
        if reason in allowed and any(word in lowered for word in words):
            return reason
    return None


_NAME_NOISE = re.compile(
    r"\b(my|name|is|i'm|im|i am|it's|its|it|this|the|and|zip|code|postcode|postal|here|sorry|typo|"
    r"oops|wait|actually|meant|mistake|wrong|correct|correction)\b",
    re.I,
)


def extract_person_name(text: str) -> str | None:
    """A "First Last" name from a bare answer such as "It's Noah Brown, 20001"."""
    cleaned = ZIP_RE.sub(" ", EMAIL_RE.sub(" ", text or ""))
    cleaned = _NAME_NOISE.sub(" ", cleaned)
    # Chinese around a Latin name ("我叫Noah Brown，邮编20001") separates words like a space.
    words = [
        w
        for w in re.split(r"[\s,.;:!?\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", cleaned)
        if re.fullmatch(r"[A-Za-z'-]+", w)
    ]
    if len(words) < 2 or len(words) > 4:
        return None
    return " ".join(w.capitalize() for w in words)


# "I'm Omar Silva and my zip code is 92107. I'd like to ...", "我是 Yusuf Rossi，邮编 19122，…": a
# name the shopper introduces inside a longer message (extract_person_name reads only a bare
# answer). Chinese has no word boundary before 我 and may write no space before the name.
_INTRODUCED = re.compile(
    r"(?:\b(?:i'm|i am|im|my name is|my name's|name is|name's|this is)\s+"
    r"|(?:我是|我叫|我的名字是|我的名字叫|名字是|名字叫|本人是?)\s*)"
    r"([A-Za-z][A-Za-z'-]+(?:\s+[A-Za-z][A-Za-z'-]+){1,2})",
    re.I,
)
_NOT_A_NAME_WORD = re.compile(
    r"^(?:and|from|with|my|zip|here|in|at|on|for|to|of|the|a|an|looking|trying|having|"
    r"calling|writing|contacting|not|so|very|just|really|about|postal|post|code|living|"
    r"wondering|hoping|interested|unable|still|also|asking|going|sorry)$",
    re.I,
)


def introduced_name(text: str) -> str | None:
    """The "First Last" name after "I'm" / "my name is" in a longer message, else None."""
    for match in _INTRODUCED.finditer(text or ""):
        words = []
        for word in match.group(1).split():
            if _NOT_A_NAME_WORD.match(word):
                break
            words.append(word)
        if len(words) >= 2:
            return " ".join(w[:1].upper() + w[1:] for w in words)
    return None


def split_name(full_name: str) -> tuple[str, str]:
    parts = full_name.strip().split()
    if len(parts) < 2:
        return (parts[0] if parts else "", "")
    return parts[0], " ".join(parts[1:])


@dataclass(frozen=True)
class ParsedAddress:
    address1: str
    address2: str
    city: str
    state: str
    zip: str
    country: str = "USA"

    def as_dict(self) -> dict[str, str]:
        return {
            "address1": self.address1,
            "address2": self.address2,
            "city": self.city,
            "state": self.state,
            "zip": self.zip,
            "country": self.country,
        }

    def one_line(self) -> str:
        parts = [self.address1, self.address2, self.city, f"{self.state} {self.zip}", self.country]
        return ", ".join(p for p in parts if p)


_STATE_ZIP_RE = re.compile(r"^([A-Za-z][A-Za-z .]{1,30}?)\s+(\d{5}(?:-\d{4})?)$")


# Words a shopper puts before the street ("yes, go ahead with 12 Oak Street", "please use
# ..."): never part of the stored address. Only words before the street's first digit go.
_ADDRESS_LEAD_NOISE = re.compile(
    r"^(?:(?:yes|yeah|yep|ok|okay|sure|please|go|ahead|with|use|and|then|it|it's|its|is|"
    r"the|new|address|ship|send|deliver|change|set|to|my|that's|thats|right|correct|fine|"
    r"instead|actually|no|make|be)\b[\s,.:;!-]*)+(?=\S*\d)",
    re.I,
)


# A Chinese shopper wraps the (US) address in Chinese ("新地址是：12 Oak Street，Austin，TX 78701"):
# the words before the street's first digit and after the ZIP go, Chinese commas split parts.
_CHINESE_AROUND = re.compile(r"^[\u4e00-\u9fff\s:：,，]+(?=\d)|[\u4e00-\u9fff\s。！!，,~]+$")


def strip_address_noise(text: str) -> str:
    """ "yes go ahead with 12 Oak Street, ..." → "12 Oak Street, ..." (text otherwise kept)."""
    text = _CHINESE_AROUND.sub("", (text or "").strip()).replace("，", ",")
    return _ADDRESS_LEAD_NOISE.sub("", text, count=1)


def parse_address(text: str) -> ParsedAddress | None:
    """Parse "street, [unit,] city, ST 12345[, country]", alone or inside a sentence ("change
    the shipping address of order #W1 to 12 Oak Street, Austin, TX 78701, please");
    ``None`` if a part is missing."""
    span = address_span(text)
    return _parse_address_only(text[span[0] : span[1]] if span else text)


# Where a street address may start inside a sentence: a house number standing alone.
_HOUSE_NUMBER_RE = re.compile(r"(?<![\w#-])\d+[A-Za-z]?\s+[A-Za-z]")
# Where it ends: a ZIP, then perhaps the country.
_ZIP_END_RE = re.compile(
    r"(?<![\w-])\d{5}(?:-\d{4})?(?![\w-])(?:\s*,\s*(?:USA|US|United States(?: of America)?)\b)?",
    re.I,
)


def address_span(text: str) -> tuple[int, int] | None:
    """Start and end of the first full address written inside a longer message (from a
    house number to the ZIP it ends with), or ``None``. The message around it (the request,
    the order number, a greeting) is no part of the address."""
    text = text or ""
    for start in _HOUSE_NUMBER_RE.finditer(text):
        for end in _ZIP_END_RE.finditer(text, start.start()):
            if end.start() == start.start():
                continue  # the house number itself
            if _parse_address_only(text[start.start() : end.end()]) is not None:
                return start.start(), end.end()
    return None


def in_address(text: str, value: str) -> bool:
    """Is ``value`` written inside the postal address the message gives (the 76165 of "ship
    it to 445 Maple Drive, Suite 394, Fort Worth, TX 76165")?"""
    span = address_span(text)
    return bool(span and value and value in text[span[0] : span[1]])


def _parse_address_only(text: str) -> ParsedAddress | None:
    parts = [p.strip() for p in strip_address_noise(text).split(",") if p.strip()]
    if len(parts) < 3:
        return None
    country = "USA"
    if parts[-1].upper() in {"USA", "US", "UNITED STATES", "UNITED STATES OF AMERICA"}:
        parts = parts[:-1]
    state = zip_code = ""
    tail = parts[-1]
    match = _STATE_ZIP_RE.match(tail)
    if match:
        state, zip_code = match.group(1).strip(), match.group(2)
        parts = parts[:-1]
    elif len(parts) >= 4 and re.fullmatch(r"\d{5}(?:-\d{4})?", tail):
        zip_code, state = tail, parts[-2]
        parts = parts[:-2]
    else:
        return None
    if len(parts) < 2 or not re.search(r"\d", parts[0]):
        return None
    address1, city = parts[0], parts[-1]
    address2 = ", ".join(parts[1:-1])
    return ParsedAddress(address1, address2, city, state, zip_code, country)


# "<new> not <old>", "<new> instead of <old>", "not <old> but <new>": a part of something said
# before, corrected. Neither side spans a comma or a sentence end.
_PART = r"[^,.;!?]+?"
_CORRECTIONS = (
    re.compile(
        rf"(?P<new>{_PART}),?\s+(?:not|instead\s+of|rather\s+than)\s+(?P<old>{_PART})[\s.!]*$", re.I
    ),
    re.compile(
        rf"\bnot\s+(?P<old>{_PART})(?:,\s*(?:but\s+)?|\s+but\s+)(?P<new>{_PART})[\s.!]*$", re.I
    ),
)
# Words around a correction that are no part of the value ("wait sorry, it's suite 210").
_CORRECTION_NOISE = re.compile(
    r"^(?:(?:wait|sorry|oh|oops|no|nope|actually|i\s+meant|i\s+mean|meant|it's|its|it\s+is|"
    r"it\s+should\s+be|should\s+be|that's|thats|the|make\s+it)\b[\s,.:;!-]*)+",
    re.I,
)


def corrected_address(current: ParsedAddress, text: str) -> ParsedAddress | None:
    """The address with the part the message corrects replaced ("wait sorry, its suite 210
    not 200", "Oak Avenue, not Oak Street", "78702 instead of 78701"), or ``None`` when the
    message corrects nothing that is in it. Words the new part repeats from the old one
    ("suite") anchor it: "suite 210 not 200" replaces the "Suite 200" of the address."""
    for pattern in _CORRECTIONS:
        found = pattern.search((text or "").strip())
        if found is None:
            continue
        new = _CORRECTION_NOISE.sub("", found.group("new").strip()).split()
        old = _CORRECTION_NOISE.sub("", found.group("old").strip()).split()
        if not new or not old:
            continue
        line = current.one_line()
        for shared in range(len(new) - 1, -1, -1):
            said = r"\s+".join(re.escape(w) for w in [*new[:shared], *old])
            at = re.search(rf"(?<![\w-]){said}(?![\w-])", line, re.I)
            if at is None:
                continue
            kept = at.group(0).split()[:shared]  # the address's own spelling of "Suite"
            fixed = line[: at.start()] + " ".join([*kept, *new[shared:]]) + line[at.end() :]
            parsed = _parse_address_only(fixed)
            if parsed is not None and parsed != current:
                return parsed
    return None
