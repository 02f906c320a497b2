"""An intent the message contradicts gives way to the next one of the ranking."""

from __future__ import annotations

from bot.dialogue.intent_evidence import reranked

ORDER = [{"entity": "order_id", "value": "#W6319233"}]


def _ranking(*pairs: tuple[str, float]) -> list[dict]:
    return [{"name": n, "confidence": c} for n, c in pairs]


def test_an_order_number_is_no_new_order() -> None:
    text = "I'd like to exchange the bookshelf for the brown, 5 ft one in order #W6319233."
    found = reranked(
        text,
        _ranking(("place_order", 0.73), ("exchange_item", 0.22), ("change_order", 0.05)),
        ORDER,
    )
    assert found is not None
    # renormalised (0.22 / 0.27), then with its counterpart's share: not a fallback
    assert [r["name"] for r in found] == ["exchange_item"]
    assert abs(found[0]["confidence"] - 1.0) < 1e-9
    # without an order number, placing an order stays
    assert reranked("I want to order the red one", _ranking(("place_order", 0.9)), []) is None


def test_a_payment_change_names_a_way_to_pay() -> None:
    ranking = _ranking(("change_payment_method", 0.6), ("change_order", 0.3), ("inform", 0.1))
    found = reranked("swap them for a different version", ranking, [])
    assert found is not None and found[0]["name"] == "change_order"
    assert reranked("I'd like to pay with PayPal instead", ranking, []) is None
    pm = [{"entity": "payment_method", "value": "mastercard"}]
    assert reranked("use the one ending 4410", ranking, pm) is None


def test_other_intents_and_buttons_stand() -> None:
    ranking = _ranking(("place_order", 1.0))
    assert reranked("/place_order", ranking, ORDER) is None  # a button says what it means
    assert reranked("cancel #W6319233", _ranking(("cancel_order", 0.9)), ORDER) is None
    assert reranked("order #W6319233", ranking, ORDER) is None  # nothing else to choose


def test_a_card_that_is_a_product_option_is_no_way_to_pay() -> None:
    ranking = _ranking(("change_payment_method", 0.55), ("change_order", 0.4), ("inform", 0.05))
    text = "I'd like to change the digital camera for the 30MP, 5x, CF card one in order #W3657213."
    found = reranked(text, ranking, ORDER)
    assert found is not None and found[0]["name"] == "change_order"
    assert reranked("pay order #W3657213 with my card instead", ranking, ORDER) is None
    assert reranked("use the gift card for the SD card order", ranking, []) is None


def test_stating_ones_zip_is_an_identity_correction_not_an_address_change() -> None:
    ranking = _ranking(("change_shipping_address", 0.55), ("inform", 0.35), ("greet", 0.1))
    zip_entity = [{"entity": "zip", "value": "94120"}]
    for text in ("Sorry, typo! My zip code is 94120.", "my zip is 94120", "我的邮编是94120"):
        found = reranked(text, ranking, zip_entity)
        assert found is not None and found[0]["name"] == "inform", text
    # a zip that belongs to an address change keeps the address change
    for text in (
        "I entered the wrong zip code on my order",
        "my zip code is 94120 now, please update the shipping address",
        "I moved, my zip code is 94120",
        "收货地址的邮编是94120",
    ):
        assert reranked(text, ranking, zip_entity) is None, text


def _span(text: str, value: str, entity: str) -> dict:
    start = text.index(value)
    return {"entity": entity, "value": value, "start": start, "end": start + len(value)}


def test_a_bare_identity_value_is_an_answer_when_the_classifier_is_unsure() -> None:
    ranking = _ranking(("ask_order_info", 0.38), ("inform", 0.33), ("track_order", 0.29))
    for text, value, entity in (
        ("订单#W2611340", "#W2611340", "order_id"),
        ("it's S1000029", "S1000029", "order_id"),
        ("我的邮箱是 noah@example.com", "noah@example.com", "email"),
    ):
        found = reranked(text, ranking, [_span(text, value, entity)])
        assert found is not None and found[0]["name"] == "inform", text
        assert found[0]["confidence"] == 1.0
    # inform on top but under the fallback's threshold (the Chinese address form, 5 Dec)
    unsure_inform = _ranking(("inform", 0.36), ("return_item", 0.12))
    found = reranked(
        "订单#W2611340", unsure_inform, [_span("订单#W2611340", "W2611340", "order_id")]
    )
    assert found is not None and found[0] == {"name": "inform", "confidence": 1.0}
    # words beside the value ask for something: the classifier decides
    text = "订单#W2611340买的是什么"
    assert reranked(text, ranking, [_span(text, "#W2611340", "order_id")]) is None
    # a confident guess stands; a product is no identity value
    sure = _ranking(("track_order", 0.9), ("inform", 0.1))
    assert reranked("S1000029", sure, [_span("S1000029", "S1000029", "order_id")]) is None
    assert reranked("the yoga mat", ranking, [_span("the yoga mat", "yoga mat", "product")]) is None


def test_a_chinese_payment_change_names_a_way_to_pay() -> None:
    """The payment words were English only: every Chinese payment change was vetoed."""
    ranking = _ranking(("change_payment_method", 0.6), ("exchange_item", 0.3), ("inform", 0.1))
    for text in ("我想换一种付款方式", "订单改用礼品卡支付", "能换张信用卡扣款吗"):
        assert reranked(text, ranking, []) is None, text
    found = reranked("我想换个颜色", ranking, [])
    assert found is not None and found[0]["name"] == "exchange_item"


def test_a_message_naming_an_order_is_not_out_of_scope() -> None:
    """The out-of-scope detector took a swap request with an order number for off-topic."""
    ranking = _ranking(("out_of_scope", 0.9), ("change_order", 0.07), ("greet", 0.03))
    text = "Also, I'd like to change the patio umbrella for the 6 ft, blue one in order #W5442520."
    found = reranked(text, ranking, ORDER)
    assert found is not None and found[0]["name"] == "change_order"
    assert reranked("what's the capital of Peru?", ranking, []) is None
    kettle = [{"entity": "product", "value": "Electric Kettle"}]
    product_question = _ranking(("out_of_scope", 0.94), ("product_info", 0.06))
    found = reranked("how much is the Electric Kettle?", product_question, kettle)
    assert found is not None and found[0]["name"] == "product_info"


def test_counterpart_intents_are_one_request() -> None:
    """train-18: exchange_item 0.39 / change_order 0.28 went to the fallback (threshold 0.4,
    ambiguity 0.1); the order's status decides between the two, so the first takes both."""
    text = (
        "Hi, I'm Mia Silva and my zip code is 95173. I'd like to exchange the 3 ft bookshelf "
        "for the brown, 5 ft one in order #W6319233."
    )
    ranking = _ranking(("exchange_item", 0.39), ("change_order", 0.28), ("return_item", 0.2))
    found = reranked(text, ranking, ORDER)
    assert found is not None
    assert [r["name"] for r in found] == ["exchange_item", "return_item"]
    assert abs(found[0]["confidence"] - 0.67) < 1e-9
    # a counterpart that is only the third guess merges nothing
    other = _ranking(("return_item", 0.39), ("exchange_item", 0.3), ("change_order", 0.2))
    assert reranked("send back the bookshelf", other, []) is None
    # after a veto the new first two may be counterparts
    vetoed = _ranking(("place_order", 0.5), ("change_order", 0.3), ("exchange_item", 0.2))
    found = reranked(text, vetoed, ORDER)
    assert found is not None and found[0]["name"] == "change_order"
    assert abs(found[0]["confidence"] - 1.0) < 1e-9 and len(found) == 1


def test_counterpart_intents_agree_with_the_task_registry() -> None:
    from bot.dialogue.intent_evidence import COUNTERPART_INTENTS
    from bot.orders.tasks import TASKS

    by_name = {task.name: task for task in TASKS}
    derived = {
        frozenset({intent, other})
        for task in by_name.values()
        if task.counterpart
        for intent in task.intents
        for other in by_name[task.counterpart].intents
    }
    assert derived == set(COUNTERPART_INTENTS)


def test_a_contradicted_runner_up_gives_way_too() -> None:
    """train-352: change_order 0.47 / change_payment_method 0.46 was ambiguous; the message
    names no way to pay (an "SD card" is a camera's option), so the change stands alone."""
    text = (
        "Hi, I'd like to change the digital camera for the 30MP, 3x, SD card one; the low "
        "electric toothbrush for the blue, AA batteries one in order #W6711349."
    )
    ranking = _ranking(("change_order", 0.47), ("change_payment_method", 0.46), ("inform", 0.07))
    found = reranked(text, ranking, ORDER)
    assert found is not None and [r["name"] for r in found] == ["change_order", "inform"]
    assert abs(found[0]["confidence"] - 0.47 / 0.54) < 1e-9
    # a way to pay named: both readings stay
    assert reranked("change the camera and pay with my visa", ranking, ORDER) is None
