"""Two confirmations of the same change at once (double click, two tabs) must act only once.

Only PostgreSQL has real row locks (SQLite serialises whole-database writes instead), so this
runs on the ``pg_db`` fixture. A held row lock makes both requests wait at the same point, so
the test fails if the service reads the order without ``FOR UPDATE``.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from sqlalchemy import text

from bot.db.session import Database
from bot.orders.policy import load_policy
from bot.orders.results import Ok, RefusalCode, Refused
from bot.orders.service import OrderService
from tests.orders.conftest import (
    ADA,
    ADA_GIFT,
    BOTTLE_500,
    BOTTLE_1000,
    balance,
    build_shop,
    transactions,
)


def test_item_change_confirmed_twice_at_once_happens_once(pg_db: Database) -> None:
    build_shop(pg_db)
    service = OrderService(pg_db, load_policy())
    results: list[object] = []

    def confirm() -> None:
        results.append(
            service.change("modify_items", ADA, "#S1000001", {BOTTLE_500: BOTTLE_1000}, ADA_GIFT)
        )

    with pg_db.engine.connect() as blocker:
        blocker.execute(text("SELECT id FROM orders WHERE id = '#S1000001' FOR UPDATE"))
        threads = [threading.Thread(target=confirm) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # both requests are now waiting for the order row
        assert results == []
        blocker.rollback()  # release the lock
    for thread in threads:
        thread.join(timeout=30)

    oks = [r for r in results if isinstance(r, Ok)]
    refusals = [r for r in results if isinstance(r, Refused)]
    assert len(oks) == 1 and len(refusals) == 1, results
    assert refusals[0].code == RefusalCode.ALREADY_MODIFIED
    assert balance(pg_db, ADA_GIFT) == Decimal("40.00")
    assert transactions(pg_db, "#S1000001")[1:] == [("payment", ADA_GIFT, Decimal("10.00"))]
