"""Staff accounts, server-side sessions, login rate limiting and the audit log.

Passwords use argon2id (argon2-cffi defaults). The session cookie carries a random token; the
database keeps only its SHA-256, so a leaked table cannot be replayed as cookies.

Login limits are keyed so one attacker cannot lock staff out: per account *and* client address
(the attacker's pair blocks, the real owner elsewhere does not), per client address (one
address guessing many accounts), and per account from everywhere with a short cool-down
(a distributed attack slows down, it never locks an account for good). The client address
comes from bot/safety/client_address.py (trusted proxies only). Each attempt reserves a slot in
every bucket with one conditional ``UPDATE ... RETURNING`` in the database before the password is
checked, so parallel attempts cannot all pass the check; a successful login refunds it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.console.models import AuditEntry, LoginAttempt, StaffSession, StaffUser
from bot.console.repositories.staff import StaffRepository
from bot.db.session import Database, Session

log = logging.getLogger(__name__)

ROLES = ("agent", "supervisor", "admin")
# Bulk exports (CSV/JSONL) take data out of the console: masked for these roles; unmasked
# only for an admin who gives a reason (bot/console/routes.py). Agents review in the console.
EXPORT_ROLES = ("supervisor", "admin")
WINDOW_S = 15 * 60
MAX_FAILS_PER_ACCOUNT = 5  # per account from one client address, per WINDOW_S
MAX_FAILS_PER_IP = 20  # per client address over all accounts, per WINDOW_S
ACCOUNT_COOLDOWN_FAILS = 50  # per account from all addresses, per ACCOUNT_COOLDOWN_S
ACCOUNT_COOLDOWN_S = 5 * 60
_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class StaffError(ValueError):
    """A staff-account request that cannot be done (message is safe to show)."""


@dataclass(frozen=True)
class StaffIdentity:
    user_id: int
    email: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_export(self) -> bool:
        return self.role in EXPORT_ROLES


def add_staff(db: Database, email: str, password: str, role: str) -> int:
    """Create a staff account; refuses weak input with a readable message."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 200:
        raise StaffError("That is not an e-mail address.")
    if role not in ROLES:
        raise StaffError(f"Role must be one of: {', '.join(ROLES)}.")
    if len(password) < 10:
        raise StaffError("The password must have at least 10 characters.")
    with db.transaction() as session:
        if StaffRepository(session).user_id_by_email(email):
            raise StaffError(f"A staff account for {email} already exists.")
        user = StaffUser(email=email, password_hash=_hasher.hash(password), role=role)
        session.add(user)
        session.flush()
        return user.id


class RateLimited(Exception):
    """Too many failed logins recently for this IP or this account."""


def _buckets(ip: str, email: str) -> list[tuple[str, int, float]]:
    """(key, limit, window) of every bucket an attempt counts in; fixed order (no deadlock)."""
    return [
        (f"acct-ip:{email}|{ip}", MAX_FAILS_PER_ACCOUNT, WINDOW_S),
        (f"acct:{email}", ACCOUNT_COOLDOWN_FAILS, ACCOUNT_COOLDOWN_S),
        (f"ip:{ip}", MAX_FAILS_PER_IP, WINDOW_S),
    ]


def _reserve(db: Database, ip: str, email: str, now: float) -> bool:
    """Reserve this attempt in every bucket, or in none (one transaction)."""
    try:
        with db.transaction() as session:
            for key, limit, window in _buckets(ip, email):
                if not StaffRepository(session).take_bucket_slot(key, limit, window, now):
                    raise RateLimited()  # rolls back the slots taken in earlier buckets
    except RateLimited:
        return False
    return True


def _refund(session: Session, ip: str, email: str) -> None:
    """A successful login: the account+address bucket starts over, the others get one back."""
    keys = _buckets(ip, email)
    StaffRepository(session).drop_bucket(keys[0][0])
    StaffRepository(session).give_back_slot([k for k, _, _ in keys[1:]])


def login(db: Database, email: str, password: str, ip: str, ttl_s: int) -> str | None:
    """Check the password and open a session; returns the cookie token or None.

    Raises :class:`RateLimited` before checking anything when a limit is reached.
    """
    email = email.strip().lower()[:200]
    ip = ip[:64]
    now = time.time()
    if not _reserve(db, ip, email, now):
        log.warning("console login rate-limited (ip=%s)", ip)
        audit(db, _account_label(db, email), "login-limited", None, f"ip={ip}")
        raise RateLimited()
    with db.transaction() as session:
        user = StaffRepository(session).user_by_email(email)
        ok = False
        try:
            if user is not None and user.active:
                ok = _hasher.verify(user.password_hash, password)
            else:
                _hasher.verify(_DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            ok = False
        session.add(LoginAttempt(ip=ip, email=email, at=now, success=ok))
        # A failed attempt names the account only if it exists: what was typed into the
        # e-mail field may be a password or someone's private address.
        label = user.email if user is not None else UNKNOWN_ACCOUNT
        session.add(_audit_entry(label, "login" if ok else "login-failed", None, f"ip={ip}"))
        if not ok or user is None:
            log.info("console login failed for an account (ip=%s)", ip)
            return None
        _refund(session, ip, email)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        token = secrets.token_urlsafe(32)
        session.add(
            StaffSession(
                token_hash=_token_hash(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + ttl_s,
                ip=ip[:64],
            )
        )
        # Drop expired sessions opportunistically.
        StaffRepository(session).drop_expired_sessions(now)
        return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def identify(db: Database, token: str | None) -> StaffIdentity | None:
    """The staff member behind a session cookie, or None when missing/expired/disabled."""
    if not token or len(token) > 200:
        return None
    with db.session() as session:
        row = StaffRepository(session).session_with_user(_token_hash(token))
    if row is None:
        return None
    sess, user = row
    if sess.expires_at < time.time() or not user.active:
        return None
    return StaffIdentity(user.id, user.email, user.role, sess.csrf_token)


def logout(db: Database, token: str | None) -> None:
    if token:
        with db.transaction() as session:
            StaffRepository(session).drop_session(_token_hash(token))


def check_csrf(identity: StaffIdentity, submitted: str | None) -> bool:
    return bool(submitted) and secrets.compare_digest(identity.csrf_token, str(submitted))


# What the audit log records: acts that show unmasked data, take data out, remove it, take a
# conversation over, change access, and sign-ins. Reading a masked conversation is not one
# (the live view polls it every 2 s: an audit row per poll buried the rows that matter).
AUDITED_ACTIONS = frozenset(
    {
        "login",
        "login-failed",
        "login-limited",
        "reveal",
        "export",
        "export-unmasked",
        "export-refused",
        "export-nlu",
        "story",
        "erase",
        "take",
        "staff-add",
        "role",
    }
)


def audit(
    db: Database, staff_email: str, action: str, sender_id: str | None, detail: str = ""
) -> None:
    """Record who did what to which conversation; only :data:`AUDITED_ACTIONS` are kept."""
    with db.transaction() as session:
        session.add(_audit_entry(staff_email, action, sender_id, detail))


def _audit_entry(staff_email: str, action: str, sender_id: str | None, detail: str) -> AuditEntry:
    if action not in AUDITED_ACTIONS:
        raise ValueError(f"{action!r} is not an audited action")
    return AuditEntry(
        at=time.time(),
        staff_email=staff_email[:200],
        action=action,
        sender_id=sender_id,
        detail=detail[:2000],
    )


UNKNOWN_ACCOUNT = "(unknown account)"


def _account_label(db: Database, email: str) -> str:
    """The account's e-mail if such an account exists, else a fixed label (see ``login``)."""
    with db.session() as session:
        found = StaffRepository(session).email_if_exists(email)
    return found or UNKNOWN_ACCOUNT


def set_role(db: Database, email: str, role: str, actor: str) -> str:
    """Change a staff member's role (audited with who did it); returns the previous role."""
    email = email.strip().lower()
    if role not in ROLES:
        raise StaffError(f"Role must be one of: {', '.join(ROLES)}.")
    with db.transaction() as session:
        user = StaffRepository(session).user_by_email(email)
        if user is None:
            raise StaffError(f"No staff account for {email}.")
        previous, user.role = user.role, role
        session.add(_audit_entry(actor, "role", None, f"{email}: {previous} -> {role}"))
    return previous


def recent_audit(db: Database, limit: int = 500) -> list[AuditEntry]:
    """The newest audit entries first (the admin's audit page)."""
    with db.session() as session:
        return StaffRepository(session).recent_audit(limit)


def staff_accounts(db: Database) -> list[tuple[str, str, bool]]:
    """(email, role, active) of every staff account, by email."""
    with db.session() as session:
        users = StaffRepository(session).users_by_email()
        return [(user.email, user.role, bool(user.active)) for user in users]
