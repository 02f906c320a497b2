"""The conversation service: one call per action, from slot values to replies.

Every method takes plain values (slots, the shopper's text) and returns a ``Check`` (is this
slot value acceptable, and why not) or a ``Reply``. The order rules themselves live in
``OrderService``; this module only asks it, and words its answers for a chat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import SecretStr

from bot.catalog.repository import CatalogRepository
from bot.db.models import Variant
from bot.db.session import Database
from bot.dialogue import chinese, items, parsing
from bot.dialogue.person_request import asks_for_person
from bot.dialogue.replies import (
    Check,
    Reply,
    TaskOutcome,
    button,
    choices,
    order_summary_payload,
    person_button,
    text_button,
    yes_no,
)
from bot.orders.ids import example_order_id
from bot.orders.money import usd
from bot.orders.policy import ShopPolicy
from bot.orders.questions import answer_order_question, asked_aspects
from bot.orders.repository import OrderRepository
from bot.orders.results import (
    CustomerView,
    OrderLineView,
    OrderView,
    PaymentMethodView,
    RefusalCode,
    Refused,
)
from bot.orders.service import OrderService
from bot.orders.tasks import BY_NAME, OrderTask, Request, get_task
from bot.orders.tasks.base import status_words
from bot.orders.tasks.cancel import reason_label
from bot.orders.tasks.status import TASK as _STATUS
from bot.safety.attempts import AttemptLimiter, IdentifyLimits, identify_limits
from bot.settings import Settings
from bot.texts import (
    DEFAULT_LOCALE,
    describe_options,
    language,
    list_alternatives,
    list_words,
    payment_title,
    reflow,
    t,
)
from bot.texts.detect import LANGUAGE_ENTITY

STATUS_TASK = _STATUS.name  # the look-up task whose reply is order_status's

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

# Quick replies that lead on from a policy answer into the flow that acts on it:
# (button title key, intent).
_FOLLOW_UPS: dict[str, tuple[tuple[str, str], ...]] = {
    "check_refund_policy": (("button.return_item", "return_item"),),
    "get_refund": (
        ("button.return_item", "return_item"),
        ("button.cancel_order", "cancel_order"),
    ),
    "check_cancellation_fee": (("button.cancel_order", "cancel_order"),),
    "delivery_period": (("button.track_my_order", "track_order"),),
    "delivery_options": (("button.track_my_order", "track_order"),),
}

# Form questions whose wording depends on nothing but the slot (catalog keys); "proof" (after
# an e-mail: the same words whether or not an account has that address) names an example order
# number in the shop's own format.
QUESTIONS: dict[str, str] = {
    "email": "identify.ask.email",
    "person_name": "identify.ask.person_name",
    "zip": "identify.ask.zip",
    "proof": "identify.ask.proof",
    "new_address": "address.ask.new",
}


class ShopConversation:
    """Conversation-level operations over the order service, the catalog and the policy."""

    def __init__(
        self,
        db: Database,
        policy: ShopPolicy,
        identify: IdentifyLimits | None = None,
        customer_token_secret: SecretStr | None = None,
    ) -> None:
        """``policy`` as it applies (bot/bootstrap.py applies ``SHOPBOT_IDENTIFICATION``);
        ``identify`` shares failure counts between conversations (the process's limiter);
        without it this conversation counts alone under the default limits."""
        self.db = db
        # One identification mode for the dialogue and the order service: this policy's.
        self.policy = policy
        self.orders = OrderService(db, self.policy)
        self.identify = identify or identify_limits(Settings.model_construct())
        self.customer_token_secret = customer_token_secret

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
            return Check(False, message=self.strict_ask() if self._strict else self._proof())
        target = "email:" + (email or "").strip().lower()
        return self._limited(
            self.identify.keys(target, client),
            lambda: self.orders.identify_strict(email, proof),
            email=email,
        )

    def identify_by_name_zip(
        self, full_name: str, zip_code: str, client: str | None = None
    ) -> Check:
        if self._strict:  # name + ZIP is not enough for a strict shop
            return Check(False, message=self.strict_ask())
        first, last = parsing.split_name(full_name)
        if not last:
            return Check(False, message=t("identify.first_and_last"))
        target = "name:" + " ".join(f"{first} {last}".lower().split())
        return self._limited(
            self.identify.keys(target, client),
            lambda: self.orders.identify_by_name_zip(first, last, zip_code),
        )

    @property
    def _strict(self) -> bool:
        return self.policy.identification.mode == "strict"

    def example_order_id(self) -> str:
        """An order number in this shop's own format, for the questions that show one."""
        return example_order_id(self.orders.sample_order_id())

    def strict_ask(self) -> str:
        """Strict identification (policy.yml, or SHOPBOT_IDENTIFICATION over it): e-mail plus
        one of the shopper's order ids or their ZIP (or a signed store token)."""
        return t("identify.strict_ask", example=self.example_order_id())

    def _proof(self) -> str:
        return t(QUESTIONS["proof"], example=self.example_order_id())

    def _limited(self, limits: dict[str, int], check: Callable[[], Any], **extra: Any) -> Check:
        """Run one identification check under the failure limits (bot/safety/attempts.py)."""
        limiter: AttemptLimiter = self.identify.limiter
        if limiter.blocked(limits):
            log.warning("identification refused: too many failed attempts")
            return self._locked_out(self.identify.lockout_s)
        found = check()
        if isinstance(found, Refused):
            limiter.fail(list(limits))
            if limiter.blocked(limits):
                return self._locked_out(self.identify.lockout_s)
            return Check(False, message=found.message)
        return self._identified(found.value, **extra)

    @staticmethod
    def _locked_out(lockout_s: int) -> Check:
        return Check(
            False,
            message=t("identify.locked_out", minutes=max(1, round(lockout_s / 60))),
            buttons=[person_button()],
        )

    @staticmethod
    def _identified(customer: CustomerView, **extra: Any) -> Check:
        return Check(
            True,
            value=customer.id,
            message=t("identify.found", name=customer.first_name),
            extra={"customer_id": customer.id, "person_name": customer.name, **extra},
        )

    def customer_from_token(self, token: str | None) -> str | None:
        """The customer id a signed token vouches for, if it is valid and the customer exists.

        Either form the shop signs: the widget's token (``<payload>.<signature>``) or the
        compact link token of a deep link (Telegram's ``/start <token>``), both with
        ``SHOPBOT_CUSTOMER_TOKEN_SECRET``.
        """
        if not token:
            return None
        from bot.safety.customer_token import verify_customer_token, verify_link_token

        secret = self.customer_token_secret
        if secret is None:
            log.warning("a customer token arrived but SHOPBOT_CUSTOMER_TOKEN_SECRET is not set")
            return None
        verify = verify_customer_token if "." in token else verify_link_token
        customer_id = verify(token, secret)
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
        return t("identify.other_shopper")

    def welcome_back(self, customer_id: str, order_id: str | None) -> Reply:
        """After identification: greet by name; show the order if one was mentioned."""
        found = self.orders.get_customer(customer_id)
        if isinstance(found, Refused):
            return Reply(found.message)
        name = found.value.first_name
        if order_id:
            status = self.order_status(customer_id, order_id)
            return Reply(
                t("identify.verified_status", name=name, status=status.text),
                payload=status.payload,
            )
        return Reply(
            t("identify.verified", name=name),
            buttons=[
                button(t("button.my_orders"), "track_order"),
                button(t("button.return_item"), "return_item"),
                button(t("button.cancel_order"), "cancel_order"),
            ],
        )

    def question(self, slot: str) -> Reply:
        """The form question for a slot whose wording doesn't depend on the shopper's data."""
        if slot == "cancel_reason":
            reasons = self.policy.cancellation.reasons
            return Reply(
                t(
                    "cancel.ask_reason",
                    reasons=list_alternatives([f'"{reason_label(r)}"' for r in reasons]),
                ),
                buttons=[
                    button(reason_label(r).capitalize(), "inform", cancel_reason=r) for r in reasons
                ],
            )
        if slot == "proof":
            return Reply(self._proof())
        return Reply(t(QUESTIONS[slot]))

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
        if refused and self._counterpart_for(order, task) is None:
            return Check(False, message=t("order.another", refusal=refused.message))
        # Refused but for the counterpart task: the order is right, the task is not; the
        # form switches (``task_instead``).
        return Check(True, value=order.id)

    def _counterpart_for(self, order: OrderView, task: str) -> OrderTask | None:
        """The task's counterpart when the task's guards refuse this order and the
        counterpart's allow it (an item change of a delivered order is an exchange)."""
        found = BY_NAME.get(task)
        other = BY_NAME.get(found.counterpart) if found and found.counterpart else None
        if found is None or other is None:
            return None
        status, modified = order.status, order.items_modified
        if found.guard(self.policy, order.id, status, modified) is None:
            return None
        if other.guard(self.policy, order.id, status, modified) is not None:
            return None
        return other

    def task_instead(self, customer_id: str, order_id: str, task: str) -> tuple[str, str] | None:
        """(the task to do instead, what to tell the shopper) when ``task`` can't be done on
        this order and its counterpart can: the shopper asked for a new variant of an item,
        and the order's status decides whether that is an item change or an exchange (the
        wording or the classifier often says the other one). None otherwise."""
        details = self.orders.order_details(customer_id, order_id)
        if isinstance(details, Refused):
            return None
        order = details.value
        other = self._counterpart_for(order, task)
        if other is None:
            return None
        refused = get_task(task).guard(self.policy, order.id, order.status, order.items_modified)
        refusal = refused.message if refused else ""
        return other.name, t("order.task_instead", refusal=refusal, verb=t(other.verb))

    def ask_order(self, customer_id: str | None, task: str) -> Reply:
        """Which order? With the shopper's orders as quick replies (most relevant first)."""
        found = BY_NAME.get(task)
        words = t(found.order_question if found else "task.order_verb.look_at")
        question = t("order.ask", verb=words)
        if not customer_id:
            return Reply(question)
        listed = self.orders.list_orders(customer_id)
        if isinstance(listed, Refused) or not listed.value:
            return Reply(question if not isinstance(listed, Refused) else listed.message)
        orders = listed.value
        if found is not None and found.rule is not None:
            # The counterpart's orders too: the form switches to it for them.
            rules = [found.rule] + [
                other.rule
                for other in (BY_NAME.get(found.counterpart),)
                if other is not None and other.rule is not None
            ]
            fitting = [o for o in orders if any(self.policy.allows(r, o.status) for r in rules)]
            if not fitting:
                lines = t("list.semicolon").join(
                    t("order.brief", order_id=o.id, status=status_words(o.status)) for o in orders
                )
                return Reply(t("order.none_fit", verb=t(found.verb), orders=lines))
            orders = fitting
        return choices(
            question,
            t("order.your_orders"),
            [
                (
                    t(
                        "order.line",
                        order_id=o.id,
                        status=status_words(o.status),
                        count=o.item_count,
                        total=usd(o.total),
                    ),
                    button(
                        t("order.brief", order_id=o.id, status=status_words(o.status)),
                        "inform",
                        order_id=o.id,
                    ),
                )
                for o in orders
            ],
        )

    def order_status(self, customer_id: str, order_id: str, question: str = "") -> Reply:
        """The order's status, or just the facts the question asked ("which card did I use?")."""
        details = self.orders.order_details(customer_id, order_id)
        if isinstance(details, Refused):
            return Reply(details.message, task=TaskOutcome(STATUS_TASK, False))
        order = details.value
        aspects = asked_aspects(question)
        if aspects:
            text = answer_order_question(order, aspects, self._methods(customer_id))
            return Reply(
                text, payload=order_summary_payload(order), task=TaskOutcome(STATUS_TASK, True)
            )
        # The order card shows the items, the total and the tracking numbers: the text says
        # only what the card doesn't (the status in a sentence, and refunds), never both.
        refunded = any(tx.kind == "refund" for tx in order.transactions)
        refund_text = (
            " " + answer_order_question(order, ["refund"], self._methods(customer_id))
            if refunded
            else ""
        )
        return Reply(
            t("order.status", order_id=order.id, status=status_words(order.status)) + refund_text,
            payload=order_summary_payload(order),
            task=TaskOutcome(STATUS_TASK, True),
        )

    def _methods(self, customer_id: str) -> tuple[PaymentMethodView, ...]:
        customer = self.orders.get_customer(customer_id)
        return () if isinstance(customer, Refused) else customer.value.payment_methods

    def list_orders(self, customer_id: str) -> Reply:
        listed = self.orders.list_orders(customer_id)
        if isinstance(listed, Refused):
            return Reply(listed.message)
        if not listed.value:
            return Reply(t("order.none_yet"))
        lines = "\n".join(
            t("order.short_line", order_id=o.id, status=status_words(o.status), total=usd(o.total))
            for o in listed.value
        )
        return Reply(t("order.list", lines=lines))

    def other_order_status(
        self,
        customer_id: str | None,
        text: str,
        current_order_id: str | None = None,
        task: str = "",
        slots: Mapping[str, Any] | None = None,
    ) -> Reply:
        """ "Where is my other order?" asked in the middle of a form (the form's ``task`` and
        ``slots``: "how much will I get back?" is about the change being prepared)."""
        if not customer_id:
            return Reply(t("order.other_needs_identity"))
        order_id = parsing.extract_order_id(text)
        aspects = asked_aspects(text)
        about_current = current_order_id and order_id in (None, current_order_id)
        if about_current and "refund" in aspects and task and slots:
            money = self.pending_money(customer_id, task, {**slots, "order_id": current_order_id})
            if money:
                return Reply(money)
        if order_id:
            return self.order_status(customer_id, order_id, text)
        if current_order_id and aspects:
            # "which card did I use?" in the middle of a return: about this order.
            return self.order_status(customer_id, current_order_id, text)
        return self.list_orders(customer_id)

    def pending_money(self, customer_id: str, task: str, slots: Mapping[str, Any]) -> str | None:
        """What the change being prepared would move if the shopper said yes now, in words,
        or None when it can't be priced yet (no items chosen, a refusal)."""
        delta = self.pending_delta(customer_id, task, slots)
        if delta is None:
            return None
        if delta < 0:
            return t("order_info.pending_refund", amount=usd(-delta))
        if delta > 0:
            return t("order_info.pending_charge", amount=usd(delta))
        return t("order_info.pending_even")

    def pending_delta(
        self, customer_id: str, task: str, slots: Mapping[str, Any]
    ) -> Decimal | None:
        """The money the change being prepared would move (>0 the shopper pays), or None when
        it can't be priced yet. Money not yet given a payment method is priced as if it went
        through the order's own: which method it is does not change how much."""
        found = BY_NAME.get(task)
        if found is None or found.plan is None or found.name == STATUS_TASK:
            return None
        values = {**slots, "customer_id": customer_id}
        if "payment_method_id" in found.slots and not values.get("payment_method_id"):
            order = self._order(customer_id, str(values.get("order_id") or ""))
            if isinstance(order, Refused):
                return None
            paid = [tx.payment_method_id for tx in order.transactions if tx.kind == "payment"]
            values["payment_method_id"] = paid[0] if paid else ""
        result = self.orders.preview_request(found, Request.from_slots(values))
        return None if isinstance(result, Refused) else result.value.amount_delta

    def nothing_to_pay(self, customer_id: str, task: str, slots: Mapping[str, Any]) -> bool:
        """Do the new items chosen cost exactly what the old ones did? Then the task does not
        ask which payment method pays or receives the difference (it was asked for $0)."""
        if not slots.get("item_ids") or not slots.get("new_item_ids"):
            return False
        return self.pending_delta(customer_id, task, slots) == 0

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
        verb = t(found.items_verb if found else "task.items_verb.change")
        lines = self._open_lines(order)
        return choices(
            t("items.ask", order_id=order.id, verb=verb),
            "",
            [
                (
                    t("items.line", item=ln.describe()),
                    text_button(ln.describe(), t("items.pick", item_id=ln.variant_id)),
                )
                for ln in lines
            ],
        )

    def resolve_items(
        self, customer_id: str, order_id: str, text: str, earlier: Sequence[str] = ()
    ) -> Check:
        """The order's variant ids the shopper named: by id, by description, or "all".

        ``earlier``: the shopper's previous answers to the same question, so "the blue one"
        after "Which T-Shirt: ...?" is read together with "the t-shirt".
        """
        order = self._order(customer_id, order_id)
        if isinstance(order, Refused):
            return Check(False, message=order.message)
        text = chinese.in_english(text, chinese.ITEM_WORDS)
        earlier = [chinese.in_english(e, chinese.ITEM_WORDS) for e in earlier]
        lines = self._open_lines(order)
        own = {ln.variant_id for ln in lines}
        named = parsing.extract_item_ids(text)
        if named:
            unknown = [v for v in named if v not in own]
            if unknown:
                return Check(
                    False, message=t("items.unknown", item_id=unknown[0], order_id=order.id)
                )
            return Check(True, value=named)
        lowered = (text or "").lower()
        everything = re.search(r"\b(all|everything|every item|whole order)\b", lowered)
        # "both" of an order with two units left is all of them, whatever they are
        if everything or (len(lines) == 2 and re.search(r"\bboth\b", lowered)):
            return Check(True, value=sorted(ln.variant_id for ln in lines))  # every unit
        universes = self._universes({ln.product_id for ln in lines})
        pick = items.match_items(
            " ".join([*earlier, text]),
            [_line_item(ln) for ln in lines],
            universes,
            self._names_like(lines),
        )
        if pick.found:
            return Check(True, value=pick.ids)
        if pick.question is not None:
            return Check(False, message=pick.question.text, buttons=pick.question.buttons)
        return Check(
            False,
            message=t("items.unclear"),
            buttons=[
                text_button(ln.describe(), t("items.pick", item_id=ln.variant_id))
                for ln in lines[:8]
            ],
        )

    def _universes(self, product_ids: set[str]) -> dict[str, dict[str, list[str]]]:
        """Every option value of each product's variants (what a description can contradict)."""
        with self.db.session() as s:
            rows = CatalogRepository(s).variants_of_products(product_ids)
            found: dict[str, list[items.Item]] = {}
            for v in rows:
                found.setdefault(v.product_id, []).append(_variant_item(v, ""))
        return {pid: items.universe_of(vs) for pid, vs in found.items()}

    def _names_like(self, lines: list[OrderLineView]) -> list[str]:
        """Catalogue names sharing a line's last word ("Action Camera" beside a "Digital
        Camera"), so a product the order lacks, named in full, is not taken for a line."""
        heads = {ln.name.split()[-1] for ln in lines if ln.name.split()}
        if not heads:
            return []
        with self.db.session() as s:
            return CatalogRepository(s).product_names_like(heads, limit=200)

    def _alternatives(self, variant_id: str) -> tuple[items.Item | None, list[items.Item]]:
        """The variant and the other variants of its product that can be ordered now."""
        with self.db.session() as s:
            current = OrderRepository(s).variant(variant_id)
            if current is None:
                return None, []
            name = current.product.name
            others = CatalogRepository(s).other_variants(current.product_id, variant_id)
            available = [_variant_item(v, name) for v in others if v.available]
            return _variant_item(current, name), available

    def ask_new_items(self, item_ids: list[str]) -> Reply:
        """What each item can become, grouped by option (never one line per item number)."""
        parts: list[str] = []
        buttons: list[dict[str, str]] = []
        for variant_id in dict.fromkeys(item_ids):  # identical units: one paragraph
            current, options = self._alternatives(variant_id)
            if current is None:
                continue
            choices = t("items.group_separator").join(
                t("items.option_group", option=key, values=list_words(values))
                for key, values in items.universe_of(options).items()
            )
            parts.append(
                t(
                    "items.options_for",
                    item=current.name,
                    options=_opts(current.options),
                    choices=choices or t("items.none_right_now"),
                )
            )
            if len(item_ids) == 1 and options:
                buttons = items.which_question(options, current.name, current).buttons
        return Reply(t("items.ask_new") + "\n" + "\n".join(parts), buttons=buttons)

    def resolve_new_items(
        self, item_ids: list[str], text: str, earlier: Sequence[str] = ()
    ) -> Check:
        """One new variant per item being changed, from ids or from the options described
        (``earlier``: previous answers to the same question, read before ``text``)."""
        text = chinese.in_english(text, chinese.OPTION_WORDS)
        earlier = [chinese.in_english(e, chinese.OPTION_WORDS) for e in earlier]
        named = parsing.extract_item_ids(text)
        chosen: list[str] = []
        found = [self._alternatives(variant_id) for variant_id in item_ids]
        per_item = items.split_per_item(text, [c.name if c else "" for c, _ in found])
        for index, variant_id in enumerate(item_ids):
            current, options = found[index]
            if current is None:
                return Check(False, message=t("items.gone", item_id=variant_id))
            by_id = [v for v in named if v in {o.id for o in options}]
            if len(named) == len(item_ids) and index < len(named):
                chosen.append(named[index])
                continue
            if by_id:
                chosen.append(by_id[0])
                continue
            universe = items.universe_of([current, *options])
            said = per_item[index] if per_item else text
            pick = items.choose_variant([*earlier, said], current, options, universe)
            if pick.found:
                chosen += pick.ids
                continue
            if pick.question is not None:
                lead = t("items.for_item", item=current.name) if len(item_ids) > 1 else ""
                return Check(
                    False, message=lead + pick.question.text, buttons=pick.question.buttons
                )
            return Check(
                False,
                message=t("items.new_unclear", item=current.name),
            )
        return Check(True, value=chosen)

    def corrected_items(
        self, customer_id: str, order_id: str, text: str, current: Sequence[str]
    ) -> Check | None:
        """The items a message names instead of the ones chosen ("Sorry, I meant the espresso
        machine, not the t-shirt", said at the new-options question): the new choice, a
        question when it fits several, or None when it names no other item of the order."""
        order = self._order(customer_id, order_id)
        if isinstance(order, Refused):
            return None
        lines = self._open_lines(order)
        line_items = [_line_item(ln) for ln in lines]
        text = chinese.in_english(text, chinese.ITEM_WORDS)
        meant = items.without_negated(text)
        if not any(i.id not in set(current) for i in items.named_lines(meant, line_items)):
            return None  # the common case, without the catalogue look-ups below
        pick = items.corrected_items(
            text,
            line_items,
            current,
            self._universes({ln.product_id for ln in lines}),
            self._names_like(lines),
        )
        if pick is None:
            return None
        if pick.question is not None:
            return Check(False, message=pick.question.text, buttons=pick.question.buttons)
        return Check(True, value=pick.ids)

    def _swapped_items(self, customer_id: str, order_id: str, text: str) -> Check | None:
        """The items a swap request names by product; None when it names no product of the
        order (a description may still tell the item)."""
        order = self._order(customer_id, order_id)
        if isinstance(order, Refused):
            return Check(False, message=order.message)
        text = chinese.in_english(text, chinese.ITEM_WORDS)
        lines = [_line_item(ln) for ln in self._open_lines(order)]
        ids = items.swapped_items(text, lines)
        if not ids and not items.named_lines(text, lines):
            return None
        # Named but not told apart: asked, never read with the new options as the old
        # item's (that kept one of four swaps and would have locked the order).
        return Check(bool(ids), value=ids or None)

    def fill_from_request(
        self,
        customer_id: str,
        order_id: str | None,
        task: str,
        text: str,
        missing: Sequence[str],
        known: Mapping[str, Any],
    ) -> dict[str, Any]:
        """What the words of the request already answer among the ``missing`` slots, once
        the shopper and the order are known ("return the kettle and the clock from #W1. The
        refund should go to my mastercard ending in 4300": the items and the refund method).

        The request came before it could be resolved (who the shopper is, which order), so
        the form would ask again for what it said. Only what resolves without a question is
        taken; anything else is asked as usual, and the preview shows all before the yes.
        """
        found: dict[str, Any] = {}
        slots = dict(known)
        swap = "new_item_ids" in get_task(task).slots
        for slot in missing:
            if slot == "item_ids" and order_id:
                # In a swap the option words describe the new variant: read as the item's,
                # "the backpack for the green, small one" rules the (black) backpack out.
                check = self._swapped_items(customer_id, order_id, text) if swap else None
                if check is None:
                    check = self.resolve_items(customer_id, order_id, text)
            elif slot == "new_item_ids" and slots.get("item_ids"):
                check = self.resolve_new_items(list(slots["item_ids"]), text)
            elif slot == "payment_method_id":
                check = self.resolve_payment(customer_id, order_id, text, task)
                paid = {**slots, "payment_method_id": check.value}
                if check.ok and self.payment_refusal(task, paid):
                    continue  # asked, and refused there with the reason
            elif slot == "new_address" and parsing.parse_address(text) is not None:
                check = self.resolve_address(text)
            else:
                continue
            if check.ok:
                found[slot] = slots[slot] = check.value
        return found

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
        question = t(found.payment_question)
        if not methods:
            return Reply(t("payment.none_usable"))

        def title(m: PaymentMethodView) -> str:
            shown = payment_title(m)
            return t("payment.original", method=shown) if m.id == original else shown

        return choices(
            question,
            "",
            [(title(m), button(title(m), "inform", payment_method=m.id)) for m in methods],
        )

    def resolve_payment(
        self, customer_id: str, order_id: str | None, text: str, task: str
    ) -> Check:
        customer = self.orders.get_customer(customer_id)
        if isinstance(customer, Refused):
            return Check(False, message=customer.message)
        methods = list(customer.value.payment_methods)
        text = chinese.in_english(text, chinese.PAYMENT_WORDS)
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
                if (not kinds or m.kind == kinds[0]) and (not last_four or m.last_four == last_four)
            ]
            if (kinds or last_four) and len(candidates) == 1:
                chosen = candidates[0].id
            elif len(candidates) > 1 and (kinds or last_four):
                return Check(False, message=t("payment.which_of_several"))
        if not chosen:
            return Check(False, message=t("payment.pick_listed"))
        owned = {m.id: m for m in methods}
        if chosen not in owned:
            return Check(False, message=t("payment.not_owned_pick_listed"))
        return self._payment_fits_task(customer_id, order_id, owned[chosen], task)

    def payment_refusal(self, task: str, slots: Mapping[str, Any]) -> str | None:
        """Why the change can't be paid with the method in ``slots`` ("Your gift card has $36
        left, which doesn't cover $40.62"), checked when the method is named: refused at the
        preview instead, the shopper met a refusal where a yes/no was asked."""
        found = get_task(task)
        if "confirmed" not in found.slots:
            return None
        result = self.orders.preview_request(found, Request.from_slots(dict(slots)))
        if isinstance(result, Refused) and result.code == RefusalCode.INSUFFICIENT_BALANCE:
            return result.message
        return None

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
                False, message=t("payment.already_paid_with", method=payment_title(method))
            )
        if rule == "refund_destination" and method.id != original and method.kind != "gift_card":
            return Check(False, message=t("payment.refund_destination"))
        return Check(True, value=method.id)

    # -- addresses ----------------------------------------------------------------------

    @staticmethod
    def resolve_address(text: str) -> Check:
        parsed = parsing.parse_address(text)
        if parsed is None:
            return Check(False, message=t("address.unreadable"))
        return Check(True, value=parsed.as_dict())

    # -- previews and changes -------------------------------------------------------------

    def preview(self, task: str, slots: dict[str, Any]) -> Reply:
        """The summary shown before the shopper says yes; a refusal if the change can't happen."""
        found = get_task(task)
        result = self.orders.preview_request(found, Request.from_slots(slots))
        if isinstance(result, Refused):
            offer = found.offers.get(result.code)
            refused = t("change.refused", refusal=result.message)
            if offer is None:
                return Reply(refused)
            # The intent alone: with an entity the form would take it as an answer and carry
            # on; without one it lets go, and the rules start the other task's form (the order
            # id stays in its slot).
            title, other = offer
            buttons = [button(t(title), get_task(other).intents[0]), button(t("button.no"), "deny")]
            return Reply(refused, buttons=buttons)
        reminder = t(found.preview_reminder) if found.preview_reminder else ""
        return Reply(t("change.preview", summary=result.value.summary + reminder), buttons=yes_no())

    def execute(self, task: str, slots: dict[str, Any]) -> Reply:
        result = self.orders.change_request(get_task(task), Request.from_slots(slots))
        if isinstance(result, Refused):
            return Reply(t("change.refused", refusal=result.message), task=TaskOutcome(task, False))
        value = result.value
        done = TaskOutcome(task, True)
        if isinstance(value, OrderView):
            outcome = value.outcome or t(
                "change.done_order", order_id=value.id, status=status_words(value.status)
            )
            return Reply(outcome, payload=order_summary_payload(value), task=done)
        if isinstance(value, CustomerView):
            return Reply(t("change.done_address", address=value.address.one_line()), task=done)
        return Reply(t("change.done"), task=done)

    # -- policy answers -------------------------------------------------------------------

    def policy_answer(self, intent: str) -> Reply:
        """Answer a policy question from the shop's stored policy passages."""
        topics = POLICY_TOPICS.get(intent)
        if not topics:
            return Reply(self._contact_line(t("policy.no_note")))
        with self.db.session() as s:
            # the shopper's language; the English text where a passage has no translation
            repository = CatalogRepository(s)
            rows = repository.policy_passages(topics, language(None)) or (
                repository.policy_passages(topics, language(DEFAULT_LOCALE))
            )
            passages = sorted(rows, key=lambda p: (topics.index(p.topic), p.id))
            texts = [_clean_passage(p.body) for p in passages[:2]]
        if not texts:
            log.warning("no policy passage stored for topics %s", topics)
            return Reply(self._contact_line(t("policy.note_missing")))
        follow_ups = [button(t(title), i) for title, i in _FOLLOW_UPS.get(intent, ())]
        return Reply("\n\n".join(texts), buttons=follow_ups)

    def _contact_line(self, lead: str) -> str:
        contact = self.policy.contact
        hours = t("policy.contact_hours", hours=contact.hours) if contact.hours else ""
        return t("policy.contact", lead=lead, email=contact.email, hours=hours)


def _clean_passage(body: str) -> str:
    """A stored passage as the shopper reads it: no comments, no line breaks of the file."""
    return reflow(re.sub(r"<!--.*?-->", "", body, flags=re.S))


def _opts(options: Mapping[str, Any]) -> str:
    return describe_options(options) or t("item.standard")


def _line_item(line: OrderLineView) -> items.Item:
    return items.Item(line.variant_id, line.product_id, line.name, line.options, line.price)


def _variant_item(variant: Variant, name: str) -> items.Item:
    return items.Item(variant.id, variant.product_id, name, variant.options or {}, variant.price)


# -- hand-off, fallback and frustration ----------------------------------------------------


FALLBACKS_BEFORE_HANDOFF = 2


def complaint_reply(hand_off: bool, latest_text: str = "") -> tuple[Reply, str | None]:
    """An apology; a hand-off when the complaint asks for a person ("... can I talk to someone
    please?") or when frustration has built up (``hand_off``: ``Frustration.handoff_due`` of
    the one model, bot/insights/frustration.py)."""
    if asks_for_person(latest_text):
        return handoff_reply("shopper_asked"), "shopper_asked"
    if hand_off:
        return handoff_reply("frustration"), "frustration"
    return Reply(t("complaint.apology"), buttons=[person_button()]), None


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
SUGGESTION_TEXT = t("fallback.suggest")
REPHRASE_TEXT = t("fallback.rephrase")
SOMETHING_ELSE = button(t("fallback.something_else"), "nlu_fallback")
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.1

# What a suggestion button says for each intent the bot can offer (catalog keys; the words
# are in bot/texts, "intent.label.*").
INTENT_LABELS: dict[str, str] = {
    "track_order": "intent.label.track_order",
    "cancel_order": "intent.label.cancel_order",
    "change_order": "intent.label.change_order",
    "change_shipping_address": "intent.label.change_shipping_address",
    "delivery_options": "intent.label.delivery_options",
    "delivery_period": "intent.label.delivery_period",
    "place_order": "intent.label.place_order",
    "return_item": "intent.label.return_item",
    "exchange_item": "intent.label.exchange_item",
    "get_refund": "intent.label.get_refund",
    "track_refund": "intent.label.track_refund",
    "check_refund_policy": "intent.label.check_refund_policy",
    "check_cancellation_fee": "intent.label.check_cancellation_fee",
    "check_payment_methods": "intent.label.check_payment_methods",
    "payment_issue": "intent.label.payment_issue",
    "get_invoice": "intent.label.get_invoice",
    "change_payment_method": "intent.label.change_payment_method",
    "create_account": "intent.label.create_account",
    "edit_account": "intent.label.edit_account",
    "delete_account": "intent.label.delete_account",
    "recover_password": "intent.label.recover_password",
    "registration_problems": "intent.label.registration_problems",
    "search_product": "intent.label.search_product",
    "product_info": "intent.label.product_info",
    "check_availability": "intent.label.check_availability",
    "compare_products": "intent.label.compare_products",
    "recommend_product": "intent.label.recommend_product",
    "contact_human_agent": "intent.label.contact_human_agent",
    "ask_order_info": "intent.label.ask_order_info",
    "complaint": "intent.label.complaint",
    "review": "intent.label.review",
    "newsletter_subscription": "intent.label.newsletter_subscription",
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
    """Buttons for the likeliest offerable intents; each carries the message's entities (not
    its language: the conversation's slot already holds it)."""
    carried: dict[str, Any] = {}
    for entity in entities or []:
        name, value = entity.get("entity"), entity.get("value")
        if name == LANGUAGE_ENTITY:
            continue
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
        found.append(button(t(INTENT_LABELS[name]), name, **carried))
    return found


def fallback_reply(
    texts: list[str],
    intents: list[str],
    ranking: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> tuple[Reply, str | None]:
    """What to say when the latest message was not understood (or the dialogue is unsure).

    A message that asks for a person ("... can I talk to someone?") is handed over at once.

    The shopper's own messages not understood in a row count towards the hand-off; clicking
    "Something else" does not, it asks to rephrase. A first message not understood gets the
    likeliest meanings as buttons when the classifier has any, else the request to rephrase.
    """
    if texts and asks_for_person(texts[-1]):
        return handoff_reply("shopper_asked"), "shopper_asked"
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
            t("fallback.rephrase"),
            buttons=[button(t("button.where_is_my_order"), "track_order"), person_button()],
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

    text = t("handoff.requested")
    return Reply(text, payload=handoff_payload("requested", text))
