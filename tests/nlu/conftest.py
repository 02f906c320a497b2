"""Fixtures for the NLU data checks: the parsed training data and the domain's NLU part."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.nlu.data import NluData, load_nlu

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = PROJECT_ROOT / "data" / "nlu"

# The intent taxonomy of issue 3, by concern.
ISSUE_INTENTS: dict[str, list[str]] = {
    "orders": [
        "track_order",
        "cancel_order",
        "change_order",
        "change_shipping_address",
        "delivery_options",
        "delivery_period",
        "place_order",
    ],
    "returns": [
        "return_item",
        "exchange_item",
        "get_refund",
        "track_refund",
        "check_refund_policy",
        "check_cancellation_fee",
    ],
    # Issue 16: questions about one's own order (contents, totals, card used, refunds).
    "order_questions": ["ask_order_info"],
    "payments": ["check_payment_methods", "payment_issue", "get_invoice", "change_payment_method"],
    "account": [
        "create_account",
        "edit_account",
        "delete_account",
        "recover_password",
        "registration_problems",
    ],
    "products": [
        "search_product",
        "product_info",
        "check_availability",
        "compare_products",
        "recommend_product",
    ],
    "people": ["contact_human_agent", "complaint", "review", "newsletter_subscription"],
    "conversation": [
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "inform",
        "bot_challenge",
        "out_of_scope",
        "stop",
    ],
}


@pytest.fixture(scope="session")
def nlu() -> NluData:
    return load_nlu(NLU_DIR)


@pytest.fixture(scope="session")
def nlu_domain() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "domain" / "nlu.yml").read_text(encoding="utf-8"))
