"""The identity step every task form starts with, on the real order service."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from actions.asks import ActionAskEmail, ActionAskZip
from actions.forms import ValidateCancelForm, ValidateIdentifyForm, ValidateOrderStatusForm
from actions.tasks import ActionIdentified
from bot.db.session import Database
from bot.safety.customer_token import sign_customer_token
from tests.actions.conftest import Conversation, find_order


def test_email_and_an_order_id_identify_the_shopper(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    chat = Conversation(form="identify_form")
    turn = chat.answer(
        ValidateIdentifyForm(), domain, "email", f"it's {order.customer.email.upper()}"
    )
    # An e-mail alone verifies nothing and says nothing about the account.
    assert "customer_id" not in turn.slots()
    assert order.customer.first_name not in turn.text
    assert turn.slots()["requested_slot"] == "zip"  # asked for the second fact
    asked = chat.run(ActionAskZip(), domain)
    assert "order numbers or your ZIP" in asked.text
    turn = chat.answer(ValidateIdentifyForm(), domain, "zip", f"sure, {order.id}")
    assert turn.slots()["customer_id"] == order.customer_id
    assert f"Thanks, {order.customer.first_name}" in turn.text
    # Nothing left to ask: the form ends.
    assert turn.slots()["requested_slot"] is None


def test_email_and_zip_in_one_message_identify_the_shopper(shop: Database, domain: dict) -> None:
    customer = find_order(shop, "pending").customer
    chat = Conversation(form="cancel_form")
    turn = chat.answer(ValidateCancelForm(), domain, "email", f"{customer.email} {customer.zip}")
    assert turn.slots()["customer_id"] == customer.id
    assert turn.texts.count(f"Thanks, {customer.first_name}, I've found your account.") == 1


def test_unknown_email_gets_the_same_answers_as_a_known_one(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    known, unknown = Conversation(form="cancel_form"), Conversation(form="cancel_form")
    first_known = known.answer(ValidateCancelForm(), domain, "email", order.customer.email)
    first_unknown = unknown.answer(
        ValidateCancelForm(), domain, "email", "nobody.at.all@example.com"
    )
    assert first_known.text == first_unknown.text
    assert first_known.slots()["requested_slot"] == first_unknown.slots()["requested_slot"]
    # A wrong second fact for a real account reads exactly like any fact for no account.
    wrong = known.answer(ValidateCancelForm(), domain, "zip", "00000")
    none = unknown.answer(ValidateCancelForm(), domain, "zip", order.id)
    assert "customer_id" not in wrong.slots() and "customer_id" not in none.slots()
    assert wrong.text == none.text and "couldn't verify an account" in wrong.text
    assert order.customer.first_name not in wrong.text + none.text


def test_text_that_is_no_email_is_explained(shop: Database, domain: dict) -> None:
    chat = Conversation(form="cancel_form")
    turn = chat.answer(ValidateCancelForm(), domain, "email", "hmm let me think")
    assert turn.slots()["email"] is None
    assert "doesn't look like an email" in turn.text


def test_name_and_zip_identify_the_shopper(shop: Database, domain: dict) -> None:
    order = find_order(shop, "delivered")
    customer = order.customer
    chat = Conversation(form="order_status_form")
    turn = chat.answer(
        ValidateOrderStatusForm(),
        domain,
        "email",
        f"{customer.first_name} {customer.last_name}, {customer.zip}",
    )
    assert turn.slots()["customer_id"] == customer.id
    # Next question is the order, not the email any more.
    assert turn.slots()["requested_slot"] == "order_id"


def test_wrong_zip_is_refused_and_both_parts_cleared(shop: Database, domain: dict) -> None:
    customer = find_order(shop, "delivered").customer
    chat = Conversation(form="order_status_form")
    turn = chat.answer(
        ValidateOrderStatusForm(),
        domain,
        "email",
        f"{customer.first_name} {customer.last_name} 00000",
    )
    assert turn.slots().get("customer_id") is None
    assert turn.slots()["person_name"] is None and turn.slots()["zip"] is None
    assert "couldn't verify an account" in turn.text


def test_signed_token_identifies_without_questions(shop: Database, domain: dict) -> None:
    from bot.bootstrap import Services, install
    from bot.settings import Settings

    order = find_order(shop, "pending")
    secret = SecretStr("token-secret-for-tests")
    install(Services(Settings(customer_token_secret=secret), database=shop))
    try:
        token = sign_customer_token(order.customer_id, SecretStr("token-secret-for-tests"), 600)
        chat = Conversation(form="cancel_form")
        turn = chat.run(
            ValidateCancelForm(), domain, "cancel my order", "cancel_order",
            metadata={"customer_token": token},
        )  # fmt: skip
        assert turn.slots()["customer_id"] == order.customer_id
        assert turn.slots()["requested_slot"] == "order_id"
        # A forged token is ignored: the shopper still has to identify.
        chat2 = Conversation(form="cancel_form")
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        turn2 = chat2.run(
            ValidateCancelForm(), domain, "cancel", "cancel_order",
            metadata={"customer_token": forged},
        )  # fmt: skip
        assert "customer_id" not in turn2.slots()
    finally:
        install(Services(Settings(), database=shop))


def test_identity_question_and_welcome(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    asked = Conversation().run(ActionAskEmail(), domain)
    assert "email address" in asked.text
    chat = Conversation(slots={"customer_id": order.customer_id, "order_id": order.id})
    turn = chat.run(ActionIdentified(), domain)
    assert order.customer.first_name in turn.text
    assert turn.payloads[0]["type"] == "order_summary"
    assert turn.payloads[0]["order"]["id"] == order.id


def test_name_and_zip_with_the_request_are_verified_at_once(shop: Database, domain: dict) -> None:
    """Issue 16: "I am Theo Brooks, zip 92145, where is my order?" was never verified."""
    order = find_order(shop, "delivered")
    customer = order.customer
    chat = Conversation(form="order_status_form")
    text = (
        f"Hi, I'm {customer.first_name} {customer.last_name} and my zip code is "
        f"{customer.zip}. Where is my order?"
    )
    turn = chat.run(ValidateOrderStatusForm(), domain, text, intent="track_order")
    assert turn.slots()["customer_id"] == customer.id
    assert "email" not in turn.text.lower()


def test_name_and_zip_answer_the_email_question_whatever_the_intent(
    shop: Database, domain: dict
) -> None:
    order = find_order(shop, "delivered")
    customer = order.customer
    chat = Conversation(form="order_status_form")
    answer = f"{customer.first_name} {customer.last_name}, {customer.zip}"
    turn = chat.answer(ValidateOrderStatusForm(), domain, "email", answer, intent="greet")
    assert turn.slots()["customer_id"] == customer.id


def test_a_name_the_classifier_missed_still_counts_once_the_zip_is_in(
    shop: Database, domain: dict
) -> None:
    """ "mason lopez 邮遍10257" at the e-mail question: the NLU found the ZIP (Rasa's mapping
    set it) but no name; the form then asks name + ZIP, so the e-mail reader no longer runs
    and the name was asked again (CI of 5 Dec)."""
    order = find_order(shop, "delivered")
    customer = order.customer
    chat = Conversation(form="order_status_form")
    answer = f"{customer.first_name.lower()} {customer.last_name.lower()} 邮遍{customer.zip}"
    turn = chat.answer(
        ValidateOrderStatusForm(), domain, "email", answer, mapped={"zip": customer.zip}
    )
    assert turn.slots()["customer_id"] == customer.id, turn.text


@pytest.mark.parametrize("mapped", [False, True])
def test_a_corrected_zip_goes_with_the_name_said_before(
    shop: Database, domain: dict, mapped: bool
) -> None:
    """Held-out train-330: "I'm Isabella Santos, zip 10002" fails, then "Sorry, typo! My zip
    code is 10020." was read as the name "Sorry Typo" and failed again."""
    customer = find_order(shop, "delivered").customer
    chat = Conversation(form="order_status_form")
    wrong = "99999" if customer.zip != "99999" else "99998"
    first = chat.answer(
        ValidateOrderStatusForm(),
        domain,
        "email",
        f"I'm {customer.first_name} {customer.last_name}, zip {wrong}",
    )
    assert not first.slots().get("customer_id")
    fixed = f"Sorry, typo! My zip code is {customer.zip}."
    turn = chat.answer(
        ValidateOrderStatusForm(),
        domain,
        "email",
        fixed,
        mapped={"zip": customer.zip} if mapped else {},
    )
    assert turn.slots()["customer_id"] == customer.id, turn.text


def test_a_name_and_zip_read_from_an_address_are_no_identity(shop: Database, domain: dict) -> None:
    """Train-76: "… Also, I'd like to change the shipping address of order #W8268610 to 227
    Oak Street, Suite 699, Washington, DC 20564." The NLU took "Suite" for a name and 20564 for
    a ZIP; Rasa hands a form only its own and the asked slots to validate, so the pair was never
    checked, the form went on to the items and said "I need to know who you are" at every
    question. Such a pair asks for the e-mail (which also takes name + ZIP)."""
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    order = find_order(shop, "pending")
    customer = order.customer
    form = ValidateCancelForm()
    chat = Conversation(
        slots={"person_name": "Suite", "zip": "20564", "order_id": order.id}, form="cancel_form"
    )
    text = (
        f"Please cancel {order.id}, and ship the other one to 227 Oak Street, Suite 699, DC 20564"
    )
    stale = chat.tracker(text, intent="cancel_order")
    required = asyncio.run(form.required_slots([], CollectingDispatcher(), stale, domain))
    assert required[0] == "email"
    # The answer to that question is checked as usual.
    answer = f"{customer.first_name} {customer.last_name}, {customer.zip}"
    turn = chat.answer(form, domain, "email", answer)
    assert turn.slots()["customer_id"] == customer.id
