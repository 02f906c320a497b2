"""Typed import errors: what a shop owner needs to fix a file, never a traceback."""

from __future__ import annotations

from pathlib import Path


class ShopDataError(Exception):
    """Any import failure that should reach the user as one clear sentence."""


class FeedError(ShopDataError):
    """Bad input in a source file, located by file, row (or record) and field.

    ``row`` is the spreadsheet line number for CSV (the header is row 1) or the 1-based record
    number in a JSON list (shown "row N"), or a record id/path such as ``"#W2611340/items[0]"``
    (shown "record ..."); ``field`` is the column or key that is wrong.
    """

    def __init__(
        self,
        file: str | Path,
        row: int | str | None,
        field: str | None,
        message: str,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if isinstance(self.row, int):
            where.append(f"row {self.row}")
        elif self.row is not None:
            where.append(f"record {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"
