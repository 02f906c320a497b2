"""An unsure question with a policy reading is answered, not sent to the fallback.

"can I send it back? how long do I have?" split the classifier between ``return_item``,
``check_refund_policy`` and ``check_availability``, all under the fallback threshold: the
shopper got three buttons instead of an answer. Answering a policy question costs the shopper
nothing when it was not what they meant (the answer carries a button into the task: "Return an
item"); starting a return on a guess costs turns, and three buttons cost one more. So a message
the classifier is unsure about that reads as a question, with a policy question among its
likeliest readings, is that policy question; so is one whose first reading is an order change
the classifier is unsure of (under 0.5), with a policy reading close behind. A message naming an
order asks about that order ("can I still cancel #W…?"): it stays as it was, and so does a
question the classifier thinks may be off-topic ("个人所得税怎么退", how to get a tax refund:
check_refund_policy 0.35, out_of_scope 0.19).

Standard library only: the Rasa server imports it (``rasa_addons/script_fallback.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# Intents answered from the shop's policy passages (``action_answer_policy``), inside or outside
# a form; ``bot/dialogue/rulegen.py`` writes their rules from this tuple.
POLICY_INTENTS = (
    "delivery_options",
    "delivery_period",
    "check_refund_policy",
    "check_cancellation_fee",
    "check_payment_methods",
    "payment_issue",
    "get_invoice",
    "get_refund",
    "create_account",
    "delete_account",
    "recover_password",
    "registration_problems",
    "newsletter_subscription",
    "review",
)

# Intents that start a change of an order (the task registry's changing tasks; a test checks
# the two agree): a question the classifier is unsure of is not taken for one of these either,
# when a policy reading is close ("can I send it back? how long do I have?": return_item 0.42,
# check_refund_policy 0.25).
TASK_INTENTS = frozenset(
    {
        "cancel_order",
        "change_order",
        "change_shipping_address",
        "change_payment_method",
        "return_item",
        "exchange_item",
        "edit_account",
    }
)
# Under this the classifier's first reading is a guess (bot/dialogue/intent_evidence.py reads it).
UNSURE = 0.5
# How far down the classifier's ranking a policy reading may be, and how likely it must be.
LIKELIEST = 3
MIN_CONFIDENCE = 0.1

_QUESTION_MARK = re.compile(r"[?？]")
# A sentence that opens like a question, after greetings and fillers ("hi, can I ...").
_QUESTION_START = re.compile(
    r"(?:^|[.!;。！；]\s*)(?:(?:hi|hey|hello|ok|okay|so|and|also|but|sorry|um+|uh+|oh|well)\W+)*"
    r"(?:can|could|do|does|did|is|are|am|will|would|should|may|might|have|has|how|what|whats|"
    r"what's|when|where|which|who|why|hows|how's)\b",
    re.IGNORECASE,
)
# Chinese questions without a question mark: 吗/呢 at the end, or a question word.
_ZH_QUESTION = re.compile(
    r"[吗嘛呢么][\s。.!！]*$|多久|几天|多长时间|多少|怎么|怎样|如何|能不能|可不可以|"
    r"是不是|有没有|是否|为什么|什么时候"
)


def reads_as_question(text: str) -> bool:
    """A question mark, a sentence that opens like an English question, or a Chinese one."""
    return bool(
        _QUESTION_MARK.search(text) or _QUESTION_START.search(text) or _ZH_QUESTION.search(text)
    )


def guesses_a_task(ranking: Sequence[dict[str, Any]]) -> bool:
    """The classifier's first reading starts an order change, and it is unsure of it."""
    if not ranking:
        return False
    first = ranking[0]
    return first.get("name") in TASK_INTENTS and float(first.get("confidence") or 0.0) < UNSURE


def policy_reading(
    text: str, ranking: Sequence[dict[str, Any]], entities: Sequence[dict[str, Any]]
) -> dict[str, Any] | None:
    """The policy question an unsure question is taken for, or None (the ranking, or the
    fallback, stands)."""
    if not text or text.startswith("/") or not reads_as_question(text):
        return None
    if any(e.get("entity") == "order_id" for e in entities):
        return None
    likely = [r for r in ranking if float(r.get("confidence") or 0.0) >= MIN_CONFIDENCE]
    if any(r.get("name") == "out_of_scope" for r in likely):
        return None  # maybe off-topic ("个人所得税怎么退": how to get a tax refund)
    return next((dict(r) for r in likely[:LIKELIEST] if r.get("name") in POLICY_INTENTS), None)
