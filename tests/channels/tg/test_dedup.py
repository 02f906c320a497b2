"""A webhook the platform delivers again (after a timeout) is handled once."""

from __future__ import annotations

from rasa_addons.channels.dedup import SeenIds


def test_each_delivery_id_is_handled_once_within_the_window() -> None:
    seen = SeenIds(size=3)
    assert seen.first_time(1) and not seen.first_time(1) and not seen.first_time("1")
    assert seen.first_time(2) and seen.first_time(3) and seen.first_time(4)
    assert seen.first_time(1)  # forgotten: the window holds the last 3 ids
    assert seen.first_time(None) and seen.first_time(None)  # no id: nothing to compare
