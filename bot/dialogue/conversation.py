"""The conversation service: one call per action, from slot values to replies.

Every method takes plain values (slots, the shopper's text) and returns a ``Check`` (is this
slot value acceptable, and why not) or a ``Reply``. The order rules themselves live in
``OrderService``; this module only asks it, and words its answers for a chat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.db.models import PolicyPassage, Variant
from bot.db.session import Database, get_database
from bot.dialogue import parsing
from bot.dialogue.replies import (
    YES_NO,
    Check,
    Reply,
    button,
    order_summary_payload,
    text_button,
)
from bot.orders.money import usd
from bot.orders.policy import ShopPolicy, get_policy, with_overrides
from bot.orders.results import (
    CustomerView,
    OrderLineView,
    OrderView,
    PaymentMethodView,
    Refused,
)
from bot.orders.service import OrderService
from bot.orders.tasks import BY_NAME, Request, get_task

log = logging.getLogger(__name__)

# Policy passages (topic in the policy_passages table) that answer each intent.
POLICY_TOPICS: dict[str, tuple[str, ...]] = {
    "delivery_options": ("delivery_options",),
    "delivery_period": ("delivery_period",),
    "check_refund_policy": ("refunds", "returns"),
    "get_refund": ("refunds",),
    "check_cancellation_fee": ("cancellation_fee", "cancellation"),
    "check_payment_methods": ("payment_methods",),
    "payment_issue": ("payment_issue",),
    "get_invoice": ("invoices",),
    "create_account": ("account",),
    "edit_account": ("account",),
    "registration_problems": ("account", "password"),
    "delete_account": ("privacy",),
    "recover_password": ("password",),
    "newsletter_subscription": ("newsletter",),
    "review": ("reviews",),
    "change_order": ("order_changes",),
    "change_shipping_address": ("shipping_address",),
    "contact_human_agent": ("contact",),
}

# Quick replies that lead on from a policy answer into the flow that acts on it.
_FOLLOW_UPS: dict[str, list[dict[str, str]]] = {
    "check_refund_policy": [button("Return an item", "return_item")],
    "get_refund": [
        button("Return an item", "return_item"),
        button("Cancel an order", "cancel_order"),
    ],
    "check_cancellation_fee": [button("Cancel an order", "cancel_order")],
    "delivery_period": [button("Track my order", "track_order")],
    "delivery_options": [button("Track my order", "track_order")],
}

QUESTIONS: dict[str, str] = {
    "email": (
        "First I need to verify who you are. What's the email address on your account? "
        "(Or tell me your full name and zip code.)"
    ),
    "person_name": "What's the full name on your account?",
    "zip": "And the zip code of your default address?",
    # After an e-mail: the same words whether or not an account has that address.
    "proof": (
        "Thanks. To make sure it's you, please also send one of your order numbers or your ZIP "
        "code (an order number looks like #W1234567)."
    ),
    "new_address": (
        "What's the new address? Please write it as: street, [apartment,] city, state zip "
        "(for example: 12 Oak Street, Suite 4, Austin, TX 78701)."
    ),
}


# Strict identification (policy.yml, or SHOPBOT_IDENTIFICATION over it): e-mail plus one of the
# shopper's order ids or their ZIP (or a signed store token); name + ZIP and e-mail alone are
# refused.
STRICT_ASK = (
    "For your security, please send the email address on your account together with one of "
    'your order numbers or your ZIP code, e.g. "jane@example.com #W1234567".'
)


LOCKED_OUT = (
    "For your security I can't check any more account details right now. Please try again "
    "in {minutes} minutes, or talk to a person on our team."
)


def _limits(target: str, client: str | None) -> dict[str, int]:
    """Failure keys of one identification: the target account and the client address."""
    from bot.settings import get_settings

    settings = get_settings()
    limits = {target: settings.identify_max_failures}
    if client:
        limits["client:" + client] = settings.identify_max_client_failures
    return limits


class ShopConversation:
    """Conversation-level operations over the order service, the catalog and the policy."""

    def __init__(self, db: Database, policy: ShopPolicy) -> None:
        self.db = db
        # One identification mode for the dialogue and the order service: this policy's.
        self.policy = with_overrides(policy)
        self.orders = OrderService(db, self.policy)

    @classmethod
    def default(cls) -> ShopConversation:
        return cls(get_database(), get_policy())

    # -- identification ---------------------------------------------------------------

    def identify_by_email(
        self, email: str, proof: str | None = None, client: str | None = None
    ) -> Check:
        """E-mail plus ``proof`` (one of the shopper's order ids or their ZIP), in both modes.

        An e-mail alone is no secret (it is on every parcel and receipt) and used to allow
        changes and confirm the account with the first name; now it only leads to the
        question for the second fact, worded the same whether or not the account exists.
        ``client`` is the client address the channel saw (failures are counted per client).
        """
        if not proof:
            return Check(False, message=STRICT_ASK if self._strict else QUESTIONS["proof"])
        target = "email:" + (email or "").strip().lower()
        return self._limited(
            _limits(target, client), lambda: self.orders.identify_strict(email, proof), email=email
        )

    def identify_by_name_zip(
        self, full_name: str, zip_code: str, client: str | None = None
    ) -> Check:
        if self._strict:  # name + ZIP is not enough for a strict shop
            return Check(False, message=STRICT_ASK)
        first, last = parsing.split_name(full_name)
        if not last:
            return Check(False, message="Please give me your first and last name.")
        target = "name:" + " ".join(f"{first} {last}".lower().split())
        return self._limited(
            _limits(target, client),
            lambda: self.orders.identify_by_name_zip(first, last, zip_code),
        )

    @property
    def _strict(self) -> bool:
        return self.policy.identification.mode == "strict"

    def _limited(self, limits: dict[str, int], check: Callable[[], Any], **extra: Any) -> Check:
        """Run one identification check under the failure limits (bot/safety/attempts.py)."""
        from bot.safety.attempts import get_attempt_limiter
        from bot.settings import get_settings

        limiter = get_attempt_limiter()
        if limiter.blocked(limits):
            log.warning("identification refused: too many failed attempts")
            return self._locked_out(get_settings().identify_lockout_s)
        found = check()
        if isinstance(found, Refused):
            limiter.fail(list(limits))
            if limiter.blocked(limits):
                return self._locked_out(get_settings().identify_lockout_s)
            return Check(False, message=found.message)
        return self._identified(found.value, **extra)

    @staticmethod
    def _locked_out(lockout_s: int) -> Check:
        return Check(
            False,
            message=LOCKED_OUT.format(minutes=max(1, round(lockout_s / 60))),
            buttons=[button("Talk to a person", "contact_human_agent")],
        )

    @staticmethod
    def _identified(customer: CustomerView, **extra: Any) -> Check:
        return Check(
            True,
            value=customer.id,
            message=f"Thanks, {customer.first_name}, I've found your account.",
            extra={"customer_id": customer.id, "person_name": customer.name, **extra},
        )

    def customer_from_token(self, token: str | None) -> str | None:
        """The customer id a signed token vouches for, if it is valid and the customer exists."""
        if not token:
            return None
        from bot.safety.customer_token import verify_customer_token
        from bot.settings import get_settings

        secret = get_settings().customer_token_secret
        if secret is None:
            log.warning("a customer token arrived but SHOPBOT_CUSTOMER_TOKEN_SECRET is not set")
            return None
        customer_id = verify_customer_token(token, secret)
        if customer_id is None:
            log.warning("ignored an invalid or expired customer token")
            return None
        found = self.orders.get_customer(customer_id)
        return customer_id if not isinstance(found, Refused) else None

    def other_shopper_notice(self, customer_id: str, text: str) -> str | None:
        """One shopper per conversation: say so when another account's email turns up."""
        email = parsing.extract_email(text)
        if not email:
            return None
        found = self.orders.get_customer(customer_id)
        if isinstance(found, Refused) or found.value.email.lower() == email:
            return None
        log.warning("a second account's email was given in a verified conversation")
        return (
            "I can only help with the account verified in this conversation, so I'll keep "
            "using that one. For another account, please start a new conversation."
        )

    def welcome_back(self, customer_id: str, order_id: str | None) -> Reply:
        """After identification: greet by name; show the order if one was mentioned."""
        found = self.orders.get_customer(customer_id)
        if isinstance(found, Refused):
            return Reply(found.message)
        name = found.value.first_name
        if order_id:
            status = self.order_status(customer_id, order_id)
            return Reply(f"You're verified, {name}. {status.text}", payload=status.payload)
        return Reply(
            f"You're verified, {name}. What can I do for you?",
            buttons=[
                button("My orders", "track_order"),
                button("Return an item", "return_item"),
                button("Cancel an order", "cancel_order"),
            ],
        )

    def question(self, slot: str) -> Reply:
        """The form question for a slot whose wording doesn't depend on the shopper's data."""
        if slot == "cancel_reason":
            reasons = self.policy.cancellation.reasons
            return Reply(
                "Why would you like to cancel? The reasons we can accept: "
                + " or ".join(f'"{r}"' for r in reasons)
                + ".",
                buttons=[button(r.capitalize(), "inform", cancel_reason=r) for r in reasons],
            )
        return Reply(QUESTIONS[slot])

    # -- orders -------------------------------------------------------------------------

    def check_order(self, customer_id: str, order_id: str, task: str) -> Check:
        """Is this order the shopper's, and do the task's guards allow it? (The same guards
        the change itself applies, asked early so the form can ask for another order.)"""
        details = self.orders.order_details(customer_id, order_id)
        if isinstance(details, Refused):
            return Check(False, message=details.message)
        order = details.value
        found = BY_NAME.get(task)
        refused = found and found.guard(self.policy, order.id, order.status, order.items_modified)
        if refused:
            return Check(False, message=f"{refused.message} Is there another order you mean?")
        return Check(True, value=order.id)

    def ask_order(self, customer_id: str | None, task: str) -> Reply:
        """Which order? With the shopper's orders as quick replies (most relevant first)."""
        found = BY_NAME.get(task)
        words = found.order_question if found else "look at"
        question = f"Which order would you like to {words}? Please give me the order number."
        if not customer_id:
            return Reply(question)
        listed = self.orders.list_orders(customer_id)
        if isinstance(listed, Refused) or not listed.value:
            return Reply(question if not isinstance(listed, Refused) else listed.message)
        orders = listed.value
        if found is not None and found.rule is not None:
            rule = found.rule
            fitting = [o for o in orders if self.policy.allows(rule, o.status)]
            if not fitting:
                lines = "; ".join(f"{o.id} ({o.status})" for o in orders)
                return Reply(
                    f"None of your orders can be {found.verb} right now ({lines}). "
                    "Which order do you mean?"
                )
            orders = fitting
        lines = "\n".join(
            f"- {o.id}: {o.status}, {o.item_count} item(s), {usd(o.total)}" for o in orders
        )
        return Reply(
            f"{question} Your orders:\n{lines}",
            buttons=[button(f"{o.id} ({o.status})", "inform", order_id=o.id) for o in orders[:8]],
        )

    def order_status(self, customer_id: str, order_id: str) -> Reply:
        details = self.orders.order_details(customer_id, order_id)
        if isinstance(details, Refused):
            return Reply(details.message)
        order = details.value
        items = "; ".join(line.describe() for line in order.lines)
        tracking = (
            f" Tracking number(s): {', '.join(order.tracking_ids)}." if order.tracking_ids else ""
        )
        refunds = [t for t in order.transactions if t.kind == "refund"]
        refund_text = (
            " Refunds: "
            + "; ".join(f"{usd(t.amount)} to {t.payment_method_id}" for t in refunds)
            + "."
            if refunds
            else ""
        )
        return Reply(
            f"Order {order.id} is {order.status}. Items: {items}. Total {usd(order.total)}."
            f"{tracking}{refund_text}",
            payload=order_summary_payload(order),
        )

    def list_orders(self, customer_id: str) -> Reply:
        listed = self.orders.list_orders(customer_id)
        if isinstance(listed, Refused):
            return Reply(listed.message)
        if not listed.value:
            return Reply("I don't see any orders on your account yet.")
        lines = "\n".join(f"- {o.id}: {o.status}, {usd(o.total)}" for o in listed.value)
        return Reply(f"Your orders:\n{lines}")

    def other_order_status(self, customer_id: str | None, text: str) -> Reply:
        """ "Where is my other order?" asked in the middle of a form."""
        if not customer_id:
            return Reply(
                "I can look that up once I know who you are; let's finish this step first."
            )
        order_id = parsing.extract_order_id(text)
        if order_id:
            return self.order_status(customer_id, order_id)
        return self.list_orders(customer_id)

    # -- items ------------------------------------------------------------------------

    def _order(self, customer_id: str, order_id: str) -> OrderView | Refused:
        details = self.orders.order_details(customer_id, order_id)
        return details if isinstance(details, Refused) else details.value

    @staticmethod
    def _open_lines(order: OrderView) -> list[OrderLineView]:
        return [ln for ln in order.lines if not ln.return_requested and not ln.exchange_variant_id]

    def ask_items(self, customer_id: str, order_id: str, task: str) -> Reply:
        order = self._order(customer_id, order_id)
        if isinstance(order, Refused):
            return Reply(order.message)
        found = BY_NAME.get(task)
        verb = found.items_verb if found else "change"
        lines = self._open_lines(order)
        listing = "\n".join(f"- {ln.describe()}: item {ln.variant_id}" for ln in lines)
        return Reply(
            f"Which items of order {order.id} would you like to {verb}? Please list all of them "
            f'in one message (item numbers or descriptions, or "all").\n{listing}',
            buttons=[text_button(ln.describe(), f"item {ln.variant_id}") for ln in lines[:8]],
        )

    def resolve_items(self, customer_id: str, order_id: str, text: str) -> Check:
        """The order's variant ids the shopper named: by id, by description, or "all"."""
        order = self._order(customer_id, order_id)
        if isinstance(order, Refused):
            return Check(False, message=order.message)
        lines = self._open_lines(order)
        own = {ln.variant_id for ln in lines}
        named = parsing.extract_item_ids(text)
        if named:
            unknown = [v for v in named if v not in own]
            if unknown:
                return Check(
                    False,
                    message=(
                        f"Item {unknown[0]} isn't one of the items of order {order.id} that can "
                        "still be changed. Could you check which items you mean?"
                    ),
                )
            return Check(True, value=named)
        lowered = (text or "").lower()
        if re.search(r"\b(all|everything|every item|whole order)\b", lowered):
            return Check(True, value=sorted(own))
        picked = [
            ln.variant_id
            for ln in lines
            if _mentions(lowered, ln.name)
            and _options_fit(lowered, ln.options, require=False, others=[o.options for o in lines])
        ]
        picked = list(dict.fromkeys(picked))
        if picked:
            return Check(True, value=picked)
        return Check(
            False,
            message="I couldn't tell which items you mean. Please use the item numbers I listed.",
        )

    def _alternatives(self, variant_id: str) -> tuple[Variant | None, list[Variant]]:
        with self.db.session() as s:
            current = s.get(Variant, variant_id)
            if current is None:
                return None, []
            others = s.scalars(
                select(Variant)
                .where(Variant.product_id == current.product_id, Variant.id != variant_id)
                .order_by(Variant.id)
            ).all()
            available = [v for v in others if v.available]
            return current, available

    def ask_new_items(self, item_ids: list[str]) -> Reply:
        parts: list[str] = []
        buttons: list[dict[str, str]] = []
        for variant_id in item_ids:
            current, options = self._alternatives(variant_id)
            if current is None:
                continue
            described = ", ".join(
                f"{_opts(v.options)} (item {v.id}, {usd(v.price)})" for v in options[:10]
            )
            parts.append(
                f"For item {variant_id} ({_opts(current.options)}), available options: "
                f"{described or 'none right now'}."
            )
            if len(item_ids) == 1:
                buttons = [text_button(_opts(v.options), f"item {v.id}") for v in options[:8]]
        return Reply(
            "What would you like instead? Tell me the new options or item numbers, one per item "
            "and in the same order.\n" + "\n".join(parts),
            buttons=buttons,
        )

    def resolve_new_items(self, item_ids: list[str], text: str) -> Check:
        """One new variant per item being changed, from ids or from the options described."""
        named = parsing.extract_item_ids(text)
        lowered = (text or "").lower()
        chosen: list[str] = []
        for index, variant_id in enumerate(item_ids):
            current, options = self._alternatives(variant_id)
            if current is None:
                return Check(False, message=f"I couldn't find item {variant_id} any more.")
            by_id = [v for v in named if v in {o.id for o in options}]
            if len(named) == len(item_ids) and index < len(named):
                chosen.append(named[index])
                continue
            if by_id:
                chosen.append(by_id[0])
                continue
            fitting = [
                v
                for v in options
                if _options_fit(lowered, _changed_options(current.options, v.options))
            ]
            if len(fitting) == 1:
                chosen.append(fitting[0].id)
                continue
            return Check(
                False,
                message=(
                    f"I couldn't tell which option you'd like for item {variant_id}"
                    + (" (more than one matches)" if fitting else "")
                    + ". Please give me the new item number."
                ),
            )
        return Check(True, value=chosen)

    # -- payment ------------------------------------------------------------------------

    def _original_method(self, order: OrderView) -> str | None:
        for tx in order.transactions:
            if tx.kind == "payment":
                return tx.payment_method_id
        return None

    def ask_payment(self, customer_id: str, order_id: str | None, task: str) -> Reply:
        customer = self.orders.get_customer(customer_id)
        if isinstance(customer, Refused):
            return Reply(customer.message)
        methods = list(customer.value.payment_methods)
        original = None
        if order_id:
            order = self._order(customer_id, order_id)
            if not isinstance(order, Refused):
                original = self._original_method(order)
        found = get_task(task)
        rule = found.payment_rule
        if rule == "refund_destination":
            methods = [m for m in methods if m.id == original or m.kind == "gift_card"]
        elif rule == "other_than_original":
            methods = [m for m in methods if m.id != original]
        question = found.payment_question
        if not methods:
            return Reply(
                "You have no other saved payment method that can be used for this. You can add "
                'one in your account and come back, say "stop" to leave this, or ask for a '
                "person."
            )
        listing = "\n".join(
            f"- {m.label}{' (original)' if m.id == original else ''}: {m.id}" for m in methods
        )
        return Reply(
            f"{question}\n{listing}",
            buttons=[button(m.label, "inform", payment_method=m.id) for m in methods[:6]],
        )

    def resolve_payment(
        self, customer_id: str, order_id: str | None, text: str, task: str
    ) -> Check:
        customer = self.orders.get_customer(customer_id)
        if isinstance(customer, Refused):
            return Check(False, message=customer.message)
        methods = list(customer.value.payment_methods)
        lowered = (text or "").lower()
        explicit = parsing.extract_payment_method_id(text)
        chosen: str | None = None
        if explicit:
            chosen = explicit
        elif "original" in lowered or "same card" in lowered or "same method" in lowered:
            order = self._order(customer_id, order_id) if order_id else None
            if order is not None and not isinstance(order, Refused):
                chosen = self._original_method(order)
        else:
            last_four = parsing.extract_last_four(text)
            kinds = [
                kind
                for kind, words in (
                    ("gift_card", ("gift card", "giftcard", "gift")),
                    ("paypal", ("paypal", "pay pal")),
                    ("credit_card", ("credit card", "card", "visa", "mastercard", "amex")),
                )
                if any(w in lowered for w in words)
            ]
            candidates = [
                m
                for m in methods
                if (not kinds or m.kind == kinds[0])
                and (not last_four or m.label.endswith(last_four))
            ]
            if (kinds or last_four) and len(candidates) == 1:
                chosen = candidates[0].id
            elif len(candidates) > 1 and (kinds or last_four):
                return Check(
                    False,
                    message="You have more than one of those: which one (the last four digits)?",
                )
        if not chosen:
            return Check(False, message="Please pick one of the payment methods I listed.")
        owned = {m.id: m for m in methods}
        if chosen not in owned:
            return Check(
                False,
                message="That payment method isn't on your account. Please pick one I listed.",
            )
        return self._payment_fits_task(customer_id, order_id, owned[chosen], task)

    def _payment_fits_task(
        self, customer_id: str, order_id: str | None, method: PaymentMethodView, task: str
    ) -> Check:
        """The task's own payment rule, checked as soon as the shopper names the method."""
        order = self._order(customer_id, order_id) if order_id else None
        original = (
            self._original_method(order)
            if order is not None and not isinstance(order, Refused)
            else None
        )
        rule = get_task(task).payment_rule
        if rule == "other_than_original" and method.id == original:
            return Check(
                False,
                message=f"The order is already paid with your {method.label}. "
                "Please choose a different payment method.",
            )
        if rule == "refund_destination" and method.id != original and method.kind != "gift_card":
            return Check(
                False,
                message="A refund can only go to the original payment method or to a gift card. "
                "Which of those would you like?",
            )
        return Check(True, value=method.id)

    # -- addresses ----------------------------------------------------------------------

    @staticmethod
    def resolve_address(text: str) -> Check:
        parsed = parsing.parse_address(text)
        if parsed is None:
            return Check(
                False,
                message=(
                    "I couldn't read that as an address. Please write it as: street, "
                    "[apartment,] city, state zip."
                ),
            )
        return Check(True, value=parsed.as_dict())

    # -- previews and changes -------------------------------------------------------------

    def preview(self, task: str, slots: dict[str, Any]) -> Reply:
        """The summary shown before the shopper says yes; a refusal if the change can't happen."""
        found = get_task(task)
        result = self.orders.preview_request(found, Request.from_slots(slots))
        if isinstance(result, Refused):
            offer = found.offers.get(result.code)
            if offer is None:
                return Reply(result.message + " Nothing has been changed.")
            # The intent alone: with an entity the form would take it as an answer and carry
            # on; without one it lets go, and the rules start the other task's form (the order
            # id stays in its slot).
            title, other = offer
            buttons = [button(title, get_task(other).intents[0]), button("No", "deny")]
            return Reply(result.message + " Nothing has been changed.", buttons=buttons)
        return Reply(
            f"{result.value.summary}{found.preview_reminder}\nShall I go ahead? (yes/no)",
            buttons=YES_NO,
        )

    def execute(self, task: str, slots: dict[str, Any]) -> Reply:
        result = self.orders.change_request(get_task(task), Request.from_slots(slots))
        if isinstance(result, Refused):
            return Reply(result.message + " Nothing has been changed.")
        value = result.value
        if isinstance(value, OrderView):
            outcome = value.outcome or f"Done: order {value.id} is now {value.status}."
            return Reply(outcome, payload=order_summary_payload(value))
        if isinstance(value, CustomerView):
            return Reply(f"Done: your default address is now {value.address.one_line()}.")
        return Reply("Done.")

    # -- policy answers -------------------------------------------------------------------

    def policy_answer(self, intent: str) -> Reply:
        """Answer a policy question from the shop's stored policy passages."""
        topics = POLICY_TOPICS.get(intent)
        if not topics:
            return Reply(self._contact_line("I don't have a policy note on that."))
        with self.db.session() as s:
            rows = s.scalars(select(PolicyPassage).where(PolicyPassage.topic.in_(topics))).all()
            passages = sorted(rows, key=lambda p: (topics.index(p.topic), p.id))
            texts = [_clean_passage(p.body) for p in passages[:2]]
        if not texts:
            log.warning("no policy passage stored for topics %s", topics)
            return Reply(self._contact_line("I can't find our policy note on that right now."))
        return Reply("\n\n".join(texts), buttons=_FOLLOW_UPS.get(intent, []))

    def _contact_line(self, lead: str) -> str:
        contact = self.policy.contact
        hours = f" ({contact.hours})" if contact.hours else ""
        return f"{lead} Our team can help at {contact.email}{hours}, or ask me for a person."


def _clean_passage(body: str) -> str:
    return re.sub(r"<!--.*?-->", "", body, flags=re.S).strip()


def _opts(options: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in (options or {}).items()) or "standard"


def _mentions(text: str, name: str) -> bool:
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 2]
    return bool(words) and any(re.search(rf"\b{re.escape(w)}s?\b", text) for w in words)


def _says(text: str, value: Any) -> bool:
    word = str(value).lower()
    return bool(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _options_fit(
    text: str,
    options: dict[str, Any],
    *,
    require: bool = True,
    others: list[dict[str, Any]] | None = None,
) -> bool:
    """``require``: every option value is written in the text. ``require=False``: none
    contradicts, i.e. the text names no other value of one of these options (the values the
    ``others``, e.g. the order's other items, have) without naming this item's own value.
    """
    values = [str(v).lower() for v in (options or {}).values()]
    if require:
        return bool(values) and all(_says(text, v) for v in values)
    for key, own in (options or {}).items():
        if _says(text, own):
            continue
        rivals = {str(o.get(key)) for o in others or [] if o.get(key) not in (None, own)}
        if any(_says(text, rival) for rival in rivals):
            return False
    return True


def _changed_options(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The options of ``new`` that differ from ``old``: what the shopper has to say."""
    return {k: v for k, v in (new or {}).items() if (old or {}).get(k) != v}


# -- products -----------------------------------------------------------------------------


def product_reply(db: Database, intent: str, text: str, product: str | None = None) -> Reply:
    """Answer a product question from the catalog: product cards plus quick replies."""
    from bot.catalog.search import product_cards_payload, search_products

    query = (
        " ".join(part for part in (product, text) if part) if intent != "search_product" else text
    )
    limit = 3 if intent in ("product_info", "check_availability") else 5
    try:
        hits = search_products(db, query or text, limit=limit)
    except Exception:  # the search must never turn into a traceback for the shopper
        log.exception("product search failed for %r", query)
        return Reply("Sorry, I can't search the catalog right now. Please try again in a moment.")
    if not hits:
        return Reply(
            "I couldn't find a product matching that. Could you describe it differently "
            "(type of product, colour, size, budget)?"
        )
    top = hits[0]
    if intent in ("product_info", "check_availability"):
        in_stock = [v for v in top.variants if v.in_stock]
        options = "; ".join(_opts(v.options) for v in in_stock[:6])
        price = (
            f"from {usd(top.min_price)}"
            if top.min_price is not None and top.min_price != top.max_price
            else (usd(top.min_price) if top.min_price is not None else "price on request")
        )
        stock = (
            f"In stock: {len(in_stock)} option(s), e.g. {options}."
            if in_stock
            else "It is out of stock at the moment."
        )
        text_out = f"{top.name}{f' by {top.brand}' if top.brand else ''}: {price}. {stock}"
    else:
        names = ", ".join(h.name for h in hits)
        text_out = f"Here is what I found: {names}."
    buttons = [button(f"More about {h.name}", "product_info", product=h.name) for h in hits[:3]]
    return Reply(text_out, buttons=buttons, payload=product_cards_payload(hits))


# -- hand-off, fallback and frustration ----------------------------------------------------

HANDOFF_TEXT = (
    "I'm handing this conversation to a member of our support team. A person will join this "
    "chat as soon as one is free (usually within a few minutes during opening hours); they "
    "will see everything we've said so far, so you won't need to repeat yourself."
)

FRUSTRATION_WORDS = (
    "ridiculous",
    "useless",
    "terrible",
    "worst",
    "awful",
    "angry",
    "furious",
    "fed up",
    "waste of time",
    "unacceptable",
    "stupid",
    "disappointed",
    "annoyed",
    "frustrat",
    "not helping",
    "doesn't help",
)


def frustration_score(user_texts: list[str], intents: list[str]) -> int:
    """How upset the recent messages sound: complaints, angry words, shouting.

    Deliberately simple and explainable: each recent complaint counts 2, each angry word 1,
    a shouted (all caps) or "!!!" message 1. Only the last five user turns count.
    """
    score = 2 * sum(1 for intent in intents[-5:] if intent == "complaint")
    for text in user_texts[-5:]:
        lowered = text.lower()
        score += sum(1 for word in FRUSTRATION_WORDS if word in lowered)
        letters = [c for c in text if c.isalpha()]
        if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
            score += 1
        if "!!" in text:
            score += 1
    return score


FRUSTRATION_HANDOFF_AT = 4
FALLBACKS_BEFORE_HANDOFF = 2


def complaint_reply(user_texts: list[str], intents: list[str]) -> tuple[Reply, str | None]:
    """An apology, and a hand-off reason when frustration has built up."""
    if frustration_score(user_texts, intents) >= FRUSTRATION_HANDOFF_AT:
        return handoff_reply("frustration"), "frustration"
    return (
        Reply(
            "I'm sorry about that. Tell me what went wrong (with the order number if it is "
            "about an order) and I'll do my best to fix it, or ask for a person at any time.",
            buttons=[button("Talk to a person", "contact_human_agent")],
        ),
        None,
    )


def trailing_fallbacks(intents: list[str]) -> int:
    """How many of the latest user messages in a row were not understood."""
    count = 0
    for intent in reversed(intents):
        if intent != "nlu_fallback":
            break
        count += 1
    return count


# Low confidence is not a dead end (Rasa's two-stage fallback): the likeliest meanings are
# offered as buttons that send the intent (and the message's entities) as if the shopper had
# said it; "Something else" asks to rephrase; a second message not understood hands over.
SUGGESTION_TEXT = "Sorry, I'm not sure I understood. Did you mean:"
REPHRASE_TEXT = (
    "Sorry, I didn't understand that. Could you say it another way? I can help with "
    "orders, returns, delivery, payments and products."
)
SOMETHING_ELSE = button("Something else", "nlu_fallback")
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.1

# What a suggestion button says for each intent the bot can offer, in the shopper's words.
INTENT_LABELS: dict[str, str] = {
    "track_order": "Where is my order?",
    "cancel_order": "Cancel an order",
    "change_order": "Change items in an order",
    "change_shipping_address": "Change an order's delivery address",
    "delivery_options": "Delivery options",
    "delivery_period": "How long delivery takes",
    "place_order": "How to place an order",
    "return_item": "Return an item",
    "exchange_item": "Exchange an item",
    "get_refund": "Get a refund",
    "track_refund": "Where is my refund?",
    "check_refund_policy": "The refund policy",
    "check_cancellation_fee": "Cancellation fees",
    "check_payment_methods": "Payment methods you accept",
    "payment_issue": "A problem with a payment",
    "get_invoice": "Get an invoice",
    "change_payment_method": "Change how an order is paid",
    "create_account": "Create an account",
    "edit_account": "Change my account details",
    "delete_account": "Delete my account",
    "recover_password": "Reset my password",
    "registration_problems": "A problem signing up",
    "search_product": "Find a product",
    "product_info": "A question about a product",
    "check_availability": "Is a product in stock?",
    "compare_products": "Compare products",
    "recommend_product": "Recommend a product",
    "contact_human_agent": "Talk to a person",
    "complaint": "Make a complaint",
    "review": "Leave a review",
    "newsletter_subscription": "The newsletter",
}
# Intents never offered: small talk, answers to a question, or the fallback itself.
NOT_OFFERED = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "inform",
        "bot_challenge",
        "out_of_scope",
        "stop",
        "nlu_fallback",
    }
)


def suggestions(
    ranking: list[dict[str, Any]], entities: list[dict[str, Any]] | None = None
) -> list[dict[str, str]]:
    """Buttons for the likeliest offerable intents; each carries the message's entities."""
    carried: dict[str, Any] = {}
    for entity in entities or []:
        name, value = entity.get("entity"), entity.get("value")
        if isinstance(name, str) and isinstance(value, str) and value:
            carried.setdefault(name, value)
    found: list[dict[str, str]] = []
    for candidate in ranking:
        name = str(candidate.get("name") or "")
        confidence = candidate.get("confidence")
        if name not in INTENT_LABELS or not isinstance(confidence, (int, float)):
            continue
        if confidence < MIN_SUGGESTION_CONFIDENCE or len(found) == MAX_SUGGESTIONS:
            break
        found.append(button(INTENT_LABELS[name], name, **carried))
    return found


def fallback_reply(
    texts: list[str],
    intents: list[str],
    ranking: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> tuple[Reply, str | None]:
    """What to say when the latest message was not understood (or the dialogue is unsure).

    The shopper's own messages not understood in a row count towards the hand-off; clicking
    "Something else" does not, it asks to rephrase. A first message not understood gets the
    likeliest meanings as buttons when the classifier has any, else the request to rephrase.
    """
    run = trailing_fallbacks(intents)
    clicks = sum(1 for text in texts[len(texts) - run :] if text == SOMETHING_ELSE["payload"])
    if run and run - clicks >= FALLBACKS_BEFORE_HANDOFF:
        return handoff_reply("repeated_fallback"), "repeated_fallback"
    latest = texts[-1] if texts else ""
    offered = (
        suggestions(ranking or [], entities) if run and latest != SOMETHING_ELSE["payload"] else []
    )
    if offered:
        return Reply(SUGGESTION_TEXT, buttons=[*offered, SOMETHING_ELSE]), None
    return (
        Reply(
            REPHRASE_TEXT,
            buttons=[
                button("Where is my order?", "track_order"),
                button("Talk to a person", "contact_human_agent"),
            ],
        ),
        None,
    )


def meant_text(events: list[dict[str, Any]]) -> str | None:
    """The words behind a clicked suggestion: the message that was not understood.

    A suggestion button sends only an intent, so the actions that read the shopper's words
    (search, the forms' parsers) would otherwise see "/search_product". ``None`` when the
    latest message is not the click of a suggestion the bot just offered.
    """
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) < 2:
        return None
    latest = str(events[users[-1]].get("text") or "")
    offer = next(
        (
            e
            for e in events[users[-2] : users[-1]]
            if e.get("event") == "bot" and e.get("text") == SUGGESTION_TEXT
        ),
        None,
    )
    if offer is None:
        return None
    payloads = {b.get("payload") for b in ((offer.get("data") or {}).get("buttons") or [])}
    if latest not in payloads or latest == SOMETHING_ELSE["payload"]:
        return None
    return str(events[users[-2]].get("text") or "")


def handoff_reply(reason: str) -> Reply:
    from bot.dialogue.replies import handoff_payload

    return Reply(HANDOFF_TEXT, payload=handoff_payload("requested", HANDOFF_TEXT))
