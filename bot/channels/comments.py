"""Public comments on the shop's posts: which get a public answer, a DM, or a flag for staff.

The decision (``triage``) takes the comment's text and the intent the Rasa NLU model gave it
(the connector parses with the loaded model, the same as ``/model/parse``):

- spam (links, "DM me", follow/earn/crypto bait) or abuse (swearing, from the sentiment
  lexicon, or insults) → no reply, flagged for staff;
- anything with personal data in it (an order number, an e-mail, a phone number), and any
  order or account intent → a private reply that opens a DM: nothing about an order is ever
  discussed in public;
- a product or policy question → a short public answer from the bot's own answer path;
- anything else (thanks, greetings, low-confidence guesses) → left alone.

``ReplyLimiter`` caps replies per post and per commenter in a sliding window, so a busy
post or one insistent commenter cannot make the shop's page reply endlessly. Runs in the Rasa
process (connectors in rasa_addons/channels/meta.py): standard library + bot's pure helpers.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from bot.insights.sentiment import swear_count
from bot.safety.pii import mask_pii
from bot.texts import t

Decision = Literal["public", "private", "spam", "abusive", "ignore"]
FLAGS: frozenset[str] = frozenset({"spam", "abusive"})
# The user event's metadata key that carries a flag; the console turns it into a tag.
FLAG_KEY = "comment_flag"


def flag_tag(flag: object) -> str | None:
    """The console tag of a flagged comment ("flagged-spam"), None for anything else."""
    return f"flagged-{flag}" if isinstance(flag, str) and flag in FLAGS else None


# Intents answered in public: questions about products and the shop's policies.
PUBLIC_INTENTS = frozenset(
    {
        "search_product",
        "product_info",
        "check_availability",
        "compare_products",
        "recommend_product",
        "delivery_options",
        "delivery_period",
        "check_refund_policy",
        "check_cancellation_fee",
        "check_payment_methods",
        "place_order",
    }
)
# Intents about one shopper's orders or account: answered only in private.
PRIVATE_INTENTS = frozenset(
    {
        "track_order",
        "cancel_order",
        "change_order",
        "change_shipping_address",
        "return_item",
        "exchange_item",
        "get_refund",
        "track_refund",
        "ask_order_info",
        "payment_issue",
        "get_invoice",
        "change_payment_method",
        "create_account",
        "edit_account",
        "delete_account",
        "recover_password",
        "registration_problems",
        "complaint",
        "contact_human_agent",
    }
)
MIN_CONFIDENCE = 0.5  # below it the comment is left alone (a wrong public answer is worse)
PUBLIC_REPLY_CHARS = 300

SPAM = re.compile(
    r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|io|xyz|ru|ly|me)/\S"
    r"|\b(?:dm|inbox|message) me\b|\bcheck (?:out )?my (?:profile|page|bio)\b"
    r"|\bfollow (?:me|us|back)\b|\bfollow for follow\b|\bf4f\b|\bpromo(?:te|tion) (?:your|ur)\b"
    r"|\b(?:earn|make) \$?\d+|\bbitcoin\b|\bcrypto\b|\bforex\b|\binvest(?:ment)? opportunit"
    r"|\bfree (?:followers|likes|gift ?card)\b|\bclick (?:the )?link\b|\bwhats ?app me\b",
    re.IGNORECASE,
)
INSULTS = re.compile(
    r"\b(?:idiots?|stupid|morons?|losers?|scammers?|thie(?:f|ves)|trash|garbage|"
    r"pathetic|kill (?:yourself|yourselves)|kys|retard(?:s|ed)?)\b",
    re.IGNORECASE,
)
# Personal data that must not be discussed in public: order ids (#W1234567), e-mails, phones.
ORDER_ID = re.compile(r"#\s?[A-Za-z]?\d{5,}|\border\s+(?:no\.?|number|#)?\s*[A-Za-z]?\d{5,}", re.I)


@dataclass(frozen=True)
class Triage:
    decision: Decision
    reason: str


def flag_of(text: str) -> str | None:
    """ "spam" or "abusive" when the comment is one (no reply, a flag for staff), else None."""
    if SPAM.search(text):
        return "spam"
    if swear_count(text) or INSULTS.search(text):
        return "abusive"
    letters = [c for c in text if c.isalpha()]
    if len(text) > 40 and len(set(text.lower().split())) <= 2:
        return "spam"  # the same word pasted over and over
    if text.strip() and not letters and len(text) > 30:
        return "spam"
    return None


def has_personal_data(text: str) -> bool:
    """An order id, e-mail address, phone or card number in the comment."""
    return bool(ORDER_ID.search(text)) or mask_pii(text) != text


def triage(text: str, intent: str | None, confidence: float) -> Triage:
    """What to do with one comment (see the module docstring for the order of the rules)."""
    flag = flag_of(text)
    if flag is not None:
        return Triage(flag, flag)  # type: ignore[arg-type]
    if has_personal_data(text):
        return Triage("private", "personal data")
    if intent in PRIVATE_INTENTS and confidence >= MIN_CONFIDENCE:
        return Triage("private", f"intent {intent}")
    if intent in PUBLIC_INTENTS and confidence >= MIN_CONFIDENCE:
        return Triage("public", f"intent {intent}")
    return Triage("ignore", f"intent {intent} ({confidence:.2f})")


def public_reply(texts: Iterable[str], limit: int = PUBLIC_REPLY_CHARS) -> str:
    """The bot's answer shortened for a public comment, with any personal data masked.

    Whole sentences up to ``limit`` characters; "" when there is nothing worth posting.
    """
    text = " ".join(" ".join(x.split()) for x in texts if x and x.strip())
    text = mask_pii(text)
    if len(text) <= limit:
        return text
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out or text[: limit - 1].rsplit(" ", 1)[0] + "…"


def private_reply() -> str:
    """The DM a private reply opens: the shopper continues there, identified as in the widget."""
    return t("comments.private_reply")


class ReplyLimiter:
    """At most ``per_post`` replies on one post and ``per_user`` to one commenter per window.

    In the process's memory, like the input limits: with several Rasa replicas each counts
    on its own, which still bounds a post to ``replicas × per_post`` replies per window.
    """

    def __init__(
        self,
        per_post: int = 20,
        per_user: int = 3,
        window_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_post = per_post
        self.per_user = per_user
        self.window_s = window_s
        self._clock = clock
        self._posts: dict[str, deque[float]] = {}
        self._users: dict[str, deque[float]] = {}

    def _recent(self, table: dict[str, deque[float]], key: str, now: float) -> deque[float]:
        stamps = table.setdefault(key, deque())
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        return stamps

    def allow(self, post_id: str, user_id: str) -> bool:
        """Whether one more reply is allowed now (and count it when it is)."""
        now = self._clock()
        post = self._recent(self._posts, post_id, now)
        user = self._recent(self._users, user_id, now)
        if len(post) >= self.per_post or len(user) >= self.per_user:
            return False
        post.append(now)
        user.append(now)
        if len(self._posts) + len(self._users) > 50_000:  # keep memory bounded
            for table in (self._posts, self._users):
                for key in [k for k, v in table.items() if not v or now - v[-1] > self.window_s]:
                    del table[key]
        return True
