"""Every module that defines tables registers here, so metadata and Alembic see them all.

Feature packages (console, insights, ...) put their models in their own module and add
the module name to ``MODEL_MODULES``; they share :class:`Base` from ``bot.db.models``.
"""

from __future__ import annotations

import importlib

from bot.db.models import Base

MODEL_MODULES: list[str] = [
    "bot.db.models",
    "bot.console.models",
    "bot.insights.models",
]


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


__all__ = ["Base", "MODEL_MODULES", "import_all_models"]
