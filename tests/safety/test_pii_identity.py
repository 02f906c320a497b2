"""Self-introduced names and stated ZIP codes are masked for the console (issue 14, finding 8)."""

from __future__ import annotations

import pytest

from bot.safety.pii import mask_identity, mask_pii


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("my name is yusuf rossi and my zip is 19122", "my name is [name] and my zip is [zip]"),
        ("I am Yusuf Rossi, zip 19122", "I am [name], zip [zip]"),
        ("I'm Mei", "I'm [name]"),
        ("call me Al please", "call me [name] please"),
        ("zip code: 10001-1234 thanks", "zip code: [zip] thanks"),
    ],
)
def test_names_and_zips_are_masked(said: str, shown: str) -> None:
    assert mask_identity(said) == shown


@pytest.mark.parametrize(
    "said",
    [
        "I am looking for running shoes",
        "I'm not happy with order #W2611340",
        "product 9523456873 in size 44",
        "it costs 12345 dollars",
    ],
)
def test_ordinary_sentences_are_left_alone(said: str) -> None:
    assert mask_identity(said) == said


def test_mask_pii_for_llm_prompts_is_unchanged() -> None:
    """The LLM still sees the name (to greet) and the ZIP (to look the order up)."""
    assert mask_pii("my name is Yusuf, zip 19122") == "my name is Yusuf, zip 19122"
