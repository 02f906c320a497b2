"""The plan a confirmation applies: exactly what the shopper saw in the preview.

A "yes" must never apply something the shopper was not shown (``/affirm{"order_id": ...}``,
"yes, go ahead with <another address>"). The preview stores a fingerprint of the plan's
slots; a confirmation counts only while the current slots still have that fingerprint, and
anything else leads to a new preview.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from bot.orders.tasks import BY_NAME


def plan_fingerprint(task: str, slots: Mapping[str, Any]) -> str:
    """A stable digest of the task and every slot value its change would use."""
    plan = {
        "task": task,
        "customer_id": slots.get("customer_id"),
        # What the task's change reads (besides the verified customer); never "confirmed".
        **{slot: slots.get(slot) for slot in (BY_NAME[task].plan_slots if task in BY_NAME else ())},
    }
    raw = json.dumps(plan, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def matches_preview(task: str, slots: Mapping[str, Any]) -> bool:
    """Do the current slots describe exactly the plan the last preview showed?"""
    previewed = slots.get("previewed_plan")
    return bool(previewed) and previewed == plan_fingerprint(task, slots)
