"""Reading shop JSON files with errors that point at the file, record and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.shop.errors import FeedError
from bot.shop.records import money, parse_time


class JsonReader:
    """Field access that turns a missing or malformed key into a located FeedError."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def load(self, expect: type = dict) -> Any:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FeedError(self.file, None, None, "file not found") from None
        except json.JSONDecodeError as exc:
            raise FeedError(
                self.file,
                None,
                None,
                f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
            ) from None
        if not isinstance(data, expect):
            shape = "an object keyed by id" if expect is dict else "a list of records"
            raise FeedError(self.file, None, None, f"expected {shape} at the top level")
        return data

    def get(self, obj: Any, key: str, record: str, kind: type | tuple[type, ...] = object) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            raise FeedError(self.file, record, key, "missing")
        value = obj[key]
        if not isinstance(value, kind):
            raise FeedError(self.file, record, key, f"unexpected value {value!r}")
        return value

    def price(self, obj: Any, key: str, record: str) -> Any:
        value = self.get(obj, key, record, (int, float, str))
        try:
            amount = money(value)
        except Exception:
            raise FeedError(self.file, record, key, f"not a number: {value!r}") from None
        if amount < 0:
            raise FeedError(self.file, record, key, f"negative amount {value!r}")
        return amount

    def time(self, obj: Any, key: str, record: str) -> Any:
        value = self.get(obj, key, record, str)
        try:
            return parse_time(value)
        except ValueError:
            raise FeedError(self.file, record, key, f"not an ISO timestamp: {value!r}") from None
