"""Test modules have unique file names: the test folders are not packages, so pytest imports
each module by its base name and a second ``test_chinese.py`` stops the whole collection (CI,
5 Dec: tests/catalog and tests/texts)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_test_module_names_are_unique() -> None:
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert not {name: n for name, n in names.items() if n > 1}
