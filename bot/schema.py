"""Every table of the shop database in one ``MetaData``: shop, console and insights tables.

Feature packages define their tables on :class:`bot.db.models.Base` in their own modules; this
module sits above them all and imports each, so ``create_all`` and Alembic's autogenerate see
every table. It is the one place that names them, which keeps ``bot.db`` below the features
(``bot.db`` importing ``bot.console`` closed an import cycle through nine packages).
"""

from __future__ import annotations

from bot.console import models as console_models
from bot.db import models as shop_models
from bot.db.session import Database
from bot.insights import models as insights_models

Base = shop_models.Base
metadata = Base.metadata
MODEL_MODULES = (shop_models, console_models, insights_models)


def create_all(db: Database) -> None:
    """Create every table directly (tests, demos, benchmarks); production runs migrations."""
    metadata.create_all(db.engine)


def drop_all(db: Database) -> None:
    metadata.drop_all(db.engine)


__all__ = ["Base", "MODEL_MODULES", "create_all", "drop_all", "metadata"]
