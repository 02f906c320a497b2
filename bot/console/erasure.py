"""Erase one customer everywhere (the "right to erasure"): console, Rasa, memory, insights.

One function does it so the console button and ``shopbot customer erase`` cannot drift:

* every conversation of the customer (by customer id or e-mail in the summary, in Rasa's
  events, or in a Redis tracker): events rows, summary, facets, corrections, hand-offs,
  message sentiment, tags and notes;
* the Rasa trackers of those conversations in Redis (``<prefix>:tracker:<sender>``, the key
  format of rasa_addons/tracker_store.py; read with redis-py, Rasa is not imported), so the
  old sender id no longer carries the ``customer_id`` slot, plus their lock keys and
  lock-audit entries, and the session memory (``<prefix>:memory:<sender>``, bot/memory);
* the preference profile and its opt-out row (bot/insights);
* the shop's customer record: kept for the order and money history but pseudonymised (new id
  ``erased_<ref>``, name, e-mail, phone and addresses blanked, also on the orders);
* earlier audit rows naming the customer or their sender ids are rewritten to references.

The erasure itself is audited with pseudonymous references only. With the embedded default
(no Redis) the session memory lives in the action server's process and expires on its own.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.console.auth import audit
from bot.console.pseudonym import conversation_ref, customer_ref
from bot.console.repositories.erasure import ErasureRepository
from bot.db.session import Database, Session

log = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "shopbot"  # endpoints.yml: key_prefix of the tracker and lock stores


class ErasureError(ValueError):
    """The erasure cannot be done (message is safe to show)."""


@dataclass
class ErasureReport:
    customer_ref: str
    conversations: int = 0
    redis_keys: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    record_pseudonymised: bool = False

    def describe(self) -> str:
        rows = sum(self.rows.values())
        record = "record pseudonymised" if self.record_pseudonymised else "no shop record"
        return (
            f"customer {self.customer_ref}: {self.conversations} conversation(s), "
            f"{rows} database row(s), {self.redis_keys} Redis key(s), {record}"
        )


@dataclass
class _Target:
    customer_ids: set[str]
    emails: set[str]
    senders: set[str]

    @property
    def needles(self) -> list[str]:
        """Identifiers worth searching free text for (names alone would over-match)."""
        return sorted({n.lower() for n in self.customer_ids | self.emails if n})


def erase_customer(
    db: Database,
    who: str,
    *,
    staff: str,
    redis_url: str | None = None,
    key_prefix: str = DEFAULT_KEY_PREFIX,
    reason: str = "",
) -> ErasureReport:
    """Erase the customer ``who`` (e-mail or customer id) everywhere; audited as ``staff``."""
    who = who.strip()
    if not who:
        raise ErasureError("Give the customer's e-mail or customer id.")
    from bot.console.ingest import ingest_new_events

    try:  # so conversations not yet summarised are found too
        ingest_new_events(db)
    except Exception:
        log.warning("ingest before erasure failed; searching the events directly", exc_info=True)
    with db.session() as session:
        target = _resolve(session, who)
    red = _redis(redis_url) if redis_url else None
    if red is not None:
        target.senders |= _senders_in_trackers(red, key_prefix, target.needles)
    if not (target.customer_ids or target.emails or target.senders):
        raise ErasureError("No customer or conversation matches that e-mail or customer id.")
    main_id = sorted(target.customer_ids)[0] if target.customer_ids else sorted(target.emails)[0]
    report = ErasureReport(customer_ref=customer_ref(main_id))
    report.conversations = len(target.senders)
    with db.transaction() as session:
        report.rows = _erase_rows(session, target)
        report.record_pseudonymised = _pseudonymise_record(session, target)
        _rewrite_audit(session, target)
    if red is not None:
        report.redis_keys = _erase_redis(red, str(redis_url), key_prefix, target)
        red.close()
    detail = report.describe()
    if reason:
        detail += f" reason={reason[:500]}"
    audit(db, staff, "erase", None, detail)
    log.info("erased %s", report.describe())
    return report


# --- database -----------------------------------------------------------------------------
def _resolve(session: Session, who: str) -> _Target:
    email = who.lower()
    customers = ErasureRepository(session).customers_matching(who)
    convs = ErasureRepository(session).conversations_of(who, email)
    ids = {c.id for c in customers} | {c.customer_id for c in convs if c.customer_id}
    emails = {c.email.lower() for c in customers} | {
        c.customer_email for c in convs if c.customer_email
    }
    if "@" in who and not ids and not emails:
        emails.add(email)
    # A conversation keyed by one of the customer's ids or e-mails under the other key.
    more = ErasureRepository(session).conversations_of_any(ids, emails)
    senders = {c.sender_id for c in [*convs, *more]}
    target = _Target(ids, emails, senders)
    # Conversations not (yet) in the summary, or where the shopper only typed the e-mail.
    for needle in target.needles:
        senders |= ErasureRepository(session).senders_mentioning(needle)
    return target


def _erase_rows(session: Session, target: _Target) -> dict[str, int]:
    return ErasureRepository(session).delete_rows(
        sorted(target.senders), sorted(target.customer_ids)
    )


def _pseudonymise_record(session: Session, target: _Target) -> bool:
    """Keep orders and money movements, drop who they belonged to."""
    done = False
    for old in sorted(target.customer_ids):
        new = "erased_" + customer_ref(old).removeprefix("C-")
        done = ErasureRepository(session).pseudonymise_customer(old, new) or done
    ErasureRepository(session).forget_loaded_rows()
    return done


def _rewrite_audit(session: Session, target: _Target) -> None:
    """Earlier audit rows keep what happened, with references instead of identifiers."""
    replacements = {s: conversation_ref(s) for s in target.senders}
    replacements |= {c: customer_ref(c) for c in target.customer_ids}
    replacements |= {e: customer_ref(e) for e in target.emails}
    entries = ErasureRepository(session).audit_entries_about(
        sorted(target.senders), list(replacements)
    )
    for entry in entries:
        if entry.sender_id in replacements:
            entry.sender_id = replacements[entry.sender_id]
        entry.detail = _replace_all(entry.detail, replacements)


def _replace_all(text: str, replacements: dict[str, str]) -> str:
    for needle in sorted(replacements, key=len, reverse=True):
        if needle:
            text = re.sub(re.escape(needle), replacements[needle], text, flags=re.IGNORECASE)
    return text


# --- Redis --------------------------------------------------------------------------------
def _redis(url: str):  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)


def _scan_values(red, pattern: str) -> Iterable[tuple[str, str]]:  # type: ignore[no-untyped-def]
    for key in red.scan_iter(match=pattern, count=1000):
        if red.type(key) == "string":
            value = red.get(key)
            if value is not None:
                yield key, value


def _senders_in_trackers(red, prefix: str, needles: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """Trackers whose events mention the customer id or e-mail (the ``customer_id`` slot)."""
    if not needles:
        return set()
    head = f"{prefix}:tracker:"
    found = set()
    for key, value in _scan_values(red, _glob_escape(head) + "*"):
        low = value.lower()
        if any(n in low for n in needles):
            found.add(key[len(head) :])
    return found


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]\\" else c for c in text)


def _erase_redis(red, url: str, prefix: str, target: _Target) -> int:  # type: ignore[no-untyped-def]
    from bot.memory.redis_memory import RedisSessionMemory

    senders = sorted(target.senders)
    keys = [f"{prefix}:{kind}:{sender}" for sender in senders for kind in ("tracker", "lock")]
    deleted = int(red.delete(*keys)) if keys else 0
    memory = RedisSessionMemory(url, prefix=f"{prefix}:memory:")  # bot/memory's own key format
    try:
        deleted += sum(int(memory.erase(sender)) for sender in senders)
    finally:
        memory.close()
    audit_list = f"{prefix}:lock:lock_audit"  # rasa_addons/lock_store.py AUDIT_LIST
    if red.type(audit_list) == "list":
        for entry in red.lrange(audit_list, 0, -1):
            if any(json.dumps(s) in entry for s in senders):
                red.lrem(audit_list, 0, entry)
                deleted += 1
    return deleted
