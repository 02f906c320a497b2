"""Answers to Chinese shoppers: policy passages of policy.zh.md, Chinese product names, and
the grounding checker still holding a Chinese reply to the facts' numbers."""

from __future__ import annotations

from scripted import ScriptedBackend

from bot.texts import use_locale


async def test_a_chinese_policy_question_is_answered_from_the_chinese_passage(
    demo_shop, make_service
) -> None:
    with use_locale("zh"):
        a = await make_service(demo_shop).answer("收到货以后多少天内可以退货？", sender_id="zh1")
    assert a.kind == "policy"
    assert a.grounded and not a.fell_back
    policy_ids = [f["id"] for f in a.facts if f["kind"] == "policy"]
    assert policy_ids[0] == "zh-returns"
    assert all(pid.startswith("zh-") for pid in policy_ids)
    assert a.text.startswith("我们关于“已签收商品退货”的规定")
    assert "30 天内退货" in a.text


async def test_an_english_question_keeps_the_english_passages(demo_shop, make_service) -> None:
    a = await make_service(demo_shop).answer("how many days do I have to return", sender_id="en")
    assert [f["id"] for f in a.facts if f["kind"] == "policy"][0] == "returning-delivered-items"
    assert "within 30 days" in a.text


async def test_a_chinese_reply_with_a_wrong_number_is_rejected(demo_shop, make_service) -> None:
    wrong = "已签收的商品可以在 60 天内退货，退款 5 到 7 个工作日到账。"
    backend = ScriptedBackend([wrong, wrong])
    with use_locale("zh"):
        a = await make_service(demo_shop, backend=backend).answer(
            "收到货以后多少天内可以退货？", sender_id="zh2"
        )
    assert a.fell_back  # the checker refused both replies; the template answer was sent
    assert any("60" in p for p in a.problems)
    assert "30 天内退货" in a.text


async def test_a_chinese_shopper_sees_chinese_product_names(demo_shop, make_service) -> None:
    with use_locale("zh"):
        a = await make_service(demo_shop).answer("有没有防水冲锋衣？", sender_id="zh3")
    assert a.cards, a.text
    assert all("冲锋衣" in card["name"] for card in a.cards)
    assert any(card["name"] in a.text for card in a.cards)
