"""Several requests in one message: clauses, the plan of requests, and what each one runs."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue import agenda, parsing
from bot.dialogue.requests import (
    first_request_entities,
    opens_request,
    plan,
    split_clauses,
)


def _texts(text: str) -> list[str]:
    return [c.text for c in split_clauses(text)]


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        (
            "cancel #W1 because I ordered by mistake, and also cancel #W2 because I changed "
            "my mind",
            ["cancel #W1 because I ordered by mistake", "cancel #W2 because I changed my mind"],
        ),
        ("return the kettle and exchange the clock", ["return the kettle", "exchange the clock"]),
        (
            "I want to return the lamp. Also, what is your return policy?",
            ["I want to return the lamp.", "Also, what is your return policy?"],
        ),
        # one request: a list of items, an address with abbreviations, options with ";"
        (
            "return the black mouse and the thermostat",
            ["return the black mouse and the thermostat"],
        ),
        (
            "ship it to 123 Main St. Apt 4, Springfield, IL 62704 please",
            ["ship it to 123 Main St. Apt 4, Springfield, IL 62704 please"],
        ),
        (
            "exchange the kettle for the 2L one; the clock for the white one",
            ["exchange the kettle for the 2L one; the clock for the white one"],
        ),
        ("", []),
    ],
)
def test_split_clauses(text: str, clauses: list[str]) -> None:
    assert _texts(text) == clauses
    for clause in split_clauses(text):
        assert text[clause.start : clause.end] == clause.text  # offsets into the message


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        # Chinese: no space after its punctuation, and a comma before 再/然后/另外 ...
        (
            "先帮我取消订单#W1111111，再查一下订单#W2222222到哪了",
            ["先帮我取消订单#W1111111", "再查一下订单#W2222222到哪了"],
        ),
        ("我想退货。另外，退货要多久？", ["我想退货。", "另外，退货要多久？"]),
        ("退货要多久?我还想换个颜色", ["退货要多久?", "我还想换个颜色"]),
        (
            "取消#W1111111，然后把#W2222222的地址改一下",
            ["取消#W1111111", "然后把#W2222222的地址改一下"],
        ),
        # one request: who the shopper is and the request, a correction, a change of mind
        (
            "我是 Yusuf Rossi，邮编 19122，订单 #W2378156 的机械键盘想换成 clicky 的",
            ["我是 Yusuf Rossi，邮编 19122，订单 #W2378156 的机械键盘想换成 clicky 的"],
        ),
        ("不对，是 #W1111111，不是 #W2222222", ["不对，是 #W1111111，不是 #W2222222"]),
        ("算了不换了，直接退货吧", ["算了不换了，直接退货吧"]),
    ],
)
def test_split_chinese_clauses(text: str, clauses: list[str]) -> None:
    assert _texts(text) == clauses
    for clause in split_clauses(text):
        assert text[clause.start : clause.end] == clause.text


def test_a_chinese_detail_does_not_open_a_request() -> None:
    for text in (
        "再查一下订单#W2222222到哪了",
        "另外，退货要多久？",
        "我还想换个颜色",
        "请问运费多少",
    ):
        assert opens_request(text), text
    for text in ("退款到礼品卡", "还有邮编是19122", "订单号#W2222222"):
        assert not opens_request(text), text


def test_a_cancellation_and_a_status_question_in_chinese() -> None:
    text = "先帮我取消订单#W1111111，再查一下订单#W2222222到哪了"
    requests = _plan(text, _parse("cancel_order"), _parse("track_order"))
    assert [r["intent"] for r in requests] == ["cancel_order", "track_order"]
    assert [agenda.order_of(r) for r in requests] == ["#W1111111", "#W2222222"]


def test_a_detail_does_not_open_a_request() -> None:
    assert opens_request("Also, I'd like to cancel order #W2")
    assert opens_request("what is your return policy?")
    assert not opens_request("The refund should go to my Visa ending 1234.")
    assert not opens_request("Hi, I'm Mia Silva and my zip code is 95173.")


def _parse(intent: str, *entities: tuple[str, str, int, int]) -> dict[str, Any]:
    return {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": e, "value": v, "start": s, "end": t} for e, v, s, t in entities],
    }


def _plan(text: str, *parses: dict[str, Any]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in plan(text, split_clauses(text), list(parses))]


def test_two_cancellations_keep_their_own_order_and_reason() -> None:
    text = (
        "Hi, my email is a@b.co. Cancel order #W1111111 because I ordered it by mistake, and "
        "also cancel order #W2222222 because I changed my mind"
    )
    first_clause, second_clause = split_clauses(text)[1:]
    assert first_clause.text.startswith("Cancel order #W1111111")
    requests = _plan(
        text,
        _parse("inform", ("email", "a@b.co", 16, 22)),
        _parse("cancel_order", ("order_id", "#W1111111", 13, 22)),
        _parse("cancel_order", ("order_id", "#W2222222", 13, 22)),
    )
    assert [r["intent"] for r in requests] == ["cancel_order", "cancel_order"]
    assert requests[0]["text"].startswith("Hi, my email")  # who the shopper is leads
    assert "#W2222222" not in requests[0]["text"]
    assert requests[1]["text"] == second_clause.text
    second_order = next(e for e in requests[1]["entities"] if e["entity"] == "order_id")
    assert text[second_order["start"] : second_order["end"]] == "#W2222222"
    # The message's own entities: the first request keeps its order, identity stays.
    message_entities = [
        {"entity": "email", "value": "a@b.co", "start": 16, "end": 22},
        {"entity": "order_id", "value": "#W1111111", "start": 36, "end": 45},
        {"entity": "order_id", "value": "#W2222222", "start": text.index("#W2"), "end": 999},
        {"entity": "cancel_reason", "value": "changed my mind", "start": 90, "end": len(text)},
    ]
    kept = first_request_entities(message_entities, requests[0])
    assert [e["value"] for e in kept] == ["a@b.co", "#W1111111"]


def test_same_request_twice_on_one_order_is_one_request() -> None:
    text = "I want to return the kettle. And return the clock too."
    assert len(_plan(text, _parse("return_item"), _parse("return_item"))) == 1


def test_a_detail_sentence_joins_its_request() -> None:
    text = "I'd like to return the lamp from my order. The refund should go to PayPal."
    requests = _plan(text, _parse("return_item"), _parse("change_payment_method"))
    assert len(requests) == 1 and requests[0]["text"] == text


def test_request_and_question_in_order() -> None:
    text = "I'd like to return the lamp. Also, what is your return policy?"
    requests = _plan(text, _parse("return_item"), _parse("check_refund_policy"))
    assert [r["intent"] for r in requests] == ["return_item", "check_refund_policy"]


def test_what_each_request_runs() -> None:
    cancel = {"intent": "cancel_order", "text": "cancel #W1234567", "entities": []}
    item = {
        "intent": "cancel_order",
        "text": "cancel the lamp",
        "entities": [{"entity": "product", "value": "lamp"}],
    }
    question = {"intent": "check_refund_policy", "text": "what is your return policy?"}
    assert agenda.task_for(cancel).form == "cancel_form"
    assert agenda.task_for(item).form == "cancel_item_form"
    assert agenda.task_for(question) is None
    assert agenda.answer_action_for(question) == "action_answer_policy"
    assert agenda.answer_action_for(cancel) is None


def test_the_next_request_keeps_the_order_only_when_it_names_none() -> None:
    assert agenda.keeps_order({"text": "and exchange the clock"})
    assert not agenda.keeps_order({"text": "and exchange the clock from my other order"})
    assert not agenda.keeps_order({"text": "cancel #W7654321 too"})
    assert agenda.keeps_order({"text": "再把耳机退了"})
    assert not agenda.keeps_order({"text": "再查一下我另一个订单到哪了"})


def test_the_plan_is_said_first() -> None:
    requests = [
        {"intent": "cancel_order", "text": "cancel #W1234567"},
        {"intent": "return_item", "text": "return the kettle"},
    ]
    said = agenda.plan_text(requests)
    assert said.startswith("I'll take your 2 requests one at a time")
    assert "#W1234567" in said and "Return an item" in said
    assert "First: Cancel an order (order #W1234567)" in said
    assert agenda.next_text(requests[1], "#W1234567") == "Next: Return an item (order #W1234567)."


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, I'm Omar Silva and my zip code is 92107. I'd like to ...", "Omar Silva"),
        ("hi i am theo brooks, zip 92145, where is my order?", "Theo Brooks"),
        ("My name is Yusuf Rossi and I want to return a lamp", "Yusuf Rossi"),
        ("I'm looking for a jacket", None),
        ("I'm not happy with my order", None),
        ("我是 Yusuf Rossi，邮编 19122，订单 #W2378156 的机械键盘想换成 clicky 的", "Yusuf Rossi"),
        ("您好我叫lei li，邮编85033", "Lei Li"),
        ("我是想问一下退货", None),
    ],
)
def test_a_name_introduced_in_a_longer_message(text: str, name: str | None) -> None:
    assert parsing.introduced_name(text) == name


# -- the words a task's form started on --------------------------------------------------------


def _user(text: str, **metadata: Any) -> dict[str, Any]:
    return {"event": "user", "text": text, "metadata": metadata}


def _slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def _loop(name: str | None) -> dict[str, Any]:
    return {"event": "active_loop", "name": name}


def test_opening_is_the_message_that_started_the_form_and_survives_later_turns() -> None:
    request = "I'd like to return the kettle from #W6067464. Refund to my paypal."
    events = [
        _user("hi"),
        {"event": "bot", "text": "Hello!"},
        _user(request),
        _loop("return_form"),
        _slot("requested_slot", "email"),
        _user("omar@example.com, zip 19031"),
        _slot("customer_id", "omar_1"),
        _user("what is your return policy?"),  # a digression does not start the form again
        _slot("requested_slot", "item_ids"),
    ]
    found = agenda.opening(events, "return_form", "current_request")
    assert found.text == request
    assert found.asked == {"email", "item_ids"}


def test_opening_of_a_queued_request_and_of_the_first_of_several() -> None:
    first = {"text": "cancel #W1, ordered by mistake", "intent": "cancel_order"}
    second = {"text": "return the clock from #W2", "intent": "return_item"}
    both = f"{first['text']}. Also {second['text']}"
    events = [
        _user(both, requests=[first, second]),
        _loop("cancel_form"),
        _slot("requested_slot", "confirmed"),
        _user("yes"),
        _loop(None),
        _slot("current_request", {"turn": 2, "request": second}),
        _loop("return_form"),
    ]
    assert agenda.opening(events, "return_form", "current_request").text == second["text"]
    assert agenda.opening(events, "cancel_form", "current_request").text == first["text"]
    assert agenda.opening(events, "exchange_form", "current_request").text == ""
