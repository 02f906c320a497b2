"""Property-based tests of the parsers and the PII masker against hostile text.

The catalog and safety areas test their own grammar; these properties are about input from
an attacker or a broken client: arbitrary Unicode, control characters, very long strings and
near-miss patterns built to make regular expressions backtrack. Whatever arrives, the parsers
return well-formed values (or nothing) quickly, and the masker leaves no e-mail or card
number readable.
"""

from __future__ import annotations

import re
import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.catalog.filters import parse_filters
from bot.dialogue import parsing
from bot.safety.pii import mask_pii

hostile_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400
)
order_ids = st.from_regex(r"\A[A-Z]\d{7}\Z", fullmatch=True)
emails = st.from_regex(r"\A[a-z][a-z0-9._]{0,15}@[a-z]{2,10}\.(com|org|net|de)\Z", fullmatch=True)
FAST_S = 0.5  # per call, on a loaded 2-core machine


def _quick(fn, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - started
    assert elapsed < FAST_S, f"{fn.__name__} took {elapsed:.2f}s on {len(args[0])} chars"
    return result


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=hostile_text)
@example(text="\x00\x1b[31m#W1234567\u202e")
@example(text="'; DROP TABLE orders; --")
def test_parsers_accept_any_text(text: str) -> None:
    order = _quick(parsing.extract_order_id, text)
    assert order is None or re.fullmatch(r"#[A-Z]\d{7}", order)
    email = _quick(parsing.extract_email, text)
    assert email is None or (email == email.lower() and "@" in email and email in text.lower())
    zip_code = _quick(parsing.extract_zip, text)
    assert zip_code is None or re.fullmatch(r"\d{5}", zip_code)
    items = _quick(parsing.extract_item_ids, text)
    assert len(items) == len(set(items))
    filters = _quick(parse_filters, text)
    if filters.min_price is not None and filters.max_price is not None:
        assert filters.min_price >= 0 and filters.max_price >= 0


@settings(max_examples=200, deadline=None)
@given(order=order_ids, before=hostile_text, after=hostile_text, hash_=st.booleans())
def test_an_order_id_in_any_context_is_found_and_normalised(
    order: str, before: str, after: str, hash_: bool
) -> None:
    # separated by spaces: the id must not touch other letters or digits
    written = ("#" if hash_ else "") + (order if hash_ else order.lower())
    text = f"{before} {written} {after}"
    found = parsing.extract_order_id(text)
    assert found is not None
    # the first one named (one the shopper rules out, "not #W…", only when another follows)
    if parsing.extract_order_id(before) is None and parsing.extract_order_id(after) is None:
        assert found == "#" + order


@settings(max_examples=200, deadline=None)
@given(email=emails, before=hostile_text, after=hostile_text)
def test_mask_pii_leaves_no_email_readable(email: str, before: str, after: str) -> None:
    masked = mask_pii(f"{before} {email} {after}")
    assert email not in masked
    assert mask_pii(masked) == masked  # idempotent: masking twice changes nothing


@settings(max_examples=200, deadline=None)
@given(
    digits=st.lists(st.integers(0, 9), min_size=15, max_size=15),
    before=st.text(alphabet="abc xyz", max_size=40),
)
def test_mask_pii_hides_luhn_valid_card_numbers(digits: list[int], before: str) -> None:
    # complete 15 digits to a Luhn-valid 16-digit card number
    body = digits
    total = 0
    for i, d in enumerate(reversed(body)):
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    check = (10 - total % 10) % 10
    card = "".join(map(str, [*body, check]))
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    for written in (card, grouped):
        masked = mask_pii(f"{before} card {written} thanks")
        assert card not in masked.replace(" ", ""), masked


@settings(max_examples=50, deadline=None)
@given(n=st.integers(2_000, 20_000), unit=st.sampled_from(["a", "1", "a.", "@", "#W1", "$1 ", " "]))
def test_parsers_stay_fast_on_long_repetitive_input(n: int, unit: str) -> None:
    """Near-miss repetitions are where backtracking regular expressions blow up."""
    text = unit * (n // len(unit))
    for fn in (
        parsing.extract_order_id,
        parsing.extract_email,
        parsing.extract_zip,
        parsing.extract_item_ids,
        parse_filters,
        mask_pii,
    ):
        _quick(fn, text)
