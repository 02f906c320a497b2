"""``_options_fit``: ``require=False`` means "no option contradicts" and now checks it.

The variants below differ in one option (colour, or size): naming the other value must rule
an item out, naming its own value or none must not.
"""

from __future__ import annotations

from bot.dialogue.conversation import _options_fit

BLUE_M = {"color": "blue", "size": "M"}
RED_M = {"color": "red", "size": "M"}
BLUE_L = {"color": "blue", "size": "L"}


def test_require_means_every_value_is_named() -> None:
    assert _options_fit("the blue one in m", BLUE_M)
    assert not _options_fit("the blue one", BLUE_M)
    assert not _options_fit("anything", {})


def test_no_contradiction_when_colour_is_the_difference() -> None:
    others = [BLUE_M, RED_M]
    text = "cancel the red t-shirt"
    assert _options_fit(text, RED_M, require=False, others=others)
    assert not _options_fit(text, BLUE_M, require=False, others=others)  # red contradicts blue


def test_no_contradiction_when_size_is_the_difference() -> None:
    others = [BLUE_M, BLUE_L]
    assert _options_fit("the t-shirt in l", BLUE_L, require=False, others=others)
    assert not _options_fit("the t-shirt in l", BLUE_M, require=False, others=others)


def test_naming_nothing_or_unknown_words_contradicts_nothing() -> None:
    others = [BLUE_M, RED_M]
    assert _options_fit("the t-shirt", BLUE_M, require=False, others=others)
    assert _options_fit("the green t-shirt", BLUE_M, require=False, others=others)
    assert _options_fit("the red t-shirt", BLUE_M, require=False)  # no rivals known
