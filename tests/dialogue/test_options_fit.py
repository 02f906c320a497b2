"""``options_fit``: ``require=False`` means "no option contradicts", and checks it.

The products are shaped like τ-bench's: a mechanical keyboard whose variants differ in one
option at a time (switch type, backlight, size) and a t-shirt in colours × sizes. Naming
another value of an option must rule a variant out; naming its own value, or nothing about
that option, must not.
"""

from __future__ import annotations

import pytest

from bot.dialogue.items import changed_options, options_fit

KEYBOARD = {
    "switch type": ["clicky", "linear", "tactile"],
    "backlight": ["RGB", "none", "white"],
    "size": ["60%", "80%", "full size"],
}
CLICKY = {"switch type": "clicky", "backlight": "RGB", "size": "full size"}
LINEAR = {"switch type": "linear", "backlight": "RGB", "size": "full size"}
DARK = {"switch type": "clicky", "backlight": "none", "size": "full size"}
SMALL = {"switch type": "clicky", "backlight": "RGB", "size": "60%"}

SHIRT = {"color": ["blue", "red", "black"], "size": ["S", "M", "L", "XL"]}
BLUE_M = {"color": "blue", "size": "M"}
RED_M = {"color": "red", "size": "M"}
BLUE_L = {"color": "blue", "size": "L"}


def test_require_means_every_value_is_named() -> None:
    assert options_fit("the blue one in m", BLUE_M)
    assert options_fit("size M, colour blue", BLUE_M)  # any order, British spelling
    assert not options_fit("the blue one", BLUE_M)
    assert not options_fit("anything", {})
    assert options_fit("switch type clicky, backlight RGB, full size", CLICKY)
    assert not options_fit("switch type clicky, full size", CLICKY)


@pytest.mark.parametrize(
    ("text", "fits", "contradicted"),
    [
        ("the linear keyboard", [LINEAR], [CLICKY, DARK, SMALL]),
        ("the clicky one", [CLICKY, DARK, SMALL], [LINEAR]),
        ("the keyboard without backlight", [DARK], [CLICKY, LINEAR, SMALL]),
        ("backlight: none", [DARK], [CLICKY, LINEAR, SMALL]),
        ("the 60% keyboard", [SMALL], [CLICKY, LINEAR, DARK]),
        ("the full-size keyboard", [CLICKY, LINEAR, DARK], [SMALL]),
        ("the keyboard", [CLICKY, LINEAR, DARK, SMALL], []),  # nothing said: nothing contradicts
        ("the tactle keyboard", [], [CLICKY, LINEAR, DARK, SMALL]),  # a typo still names tactile
    ],
)
def test_keyboard_variants_differing_in_one_option(
    text: str, fits: list[dict], contradicted: list[dict]
) -> None:
    for options in fits:
        assert options_fit(text, options, require=False, universe=KEYBOARD), (text, options)
    for options in contradicted:
        assert not options_fit(text, options, require=False, universe=KEYBOARD), (text, options)


def test_tshirt_colours_and_sizes() -> None:
    assert options_fit("the red t-shirt", RED_M, require=False, universe=SHIRT)
    assert not options_fit("the red t-shirt", BLUE_M, require=False, universe=SHIRT)
    assert options_fit("the t-shirt in L", BLUE_L, require=False, universe=SHIRT)
    assert not options_fit("the t-shirt in L", BLUE_M, require=False, universe=SHIRT)
    assert options_fit("the t-shirt", BLUE_M, require=False, universe=SHIRT)
    # "I'm" is not size M, "back" is not black
    assert options_fit("I'm sending it back", RED_M, require=False, universe=SHIRT)
    assert options_fit("I'm sending it back", BLUE_L, require=False, universe=SHIRT)


def test_without_a_universe_only_the_variants_own_values_are_known() -> None:
    # Nothing says cotton is a material of this product, so "cotton" contradicts nothing...
    assert options_fit("the cotton t-shirt", BLUE_M, require=False)
    # ...but a colour word is a colour: a blue shirt is not "the green t-shirt".
    assert not options_fit("the green t-shirt", BLUE_M, require=False)
    assert not options_fit("the red t-shirt", BLUE_M, require=False, universe={"color": ["red"]})


def test_changed_options_is_what_the_shopper_has_to_say() -> None:
    assert changed_options(CLICKY, DARK) == {"backlight": "none"}
    assert changed_options(BLUE_M, BLUE_M) == {}
