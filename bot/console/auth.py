"""Staff accounts, server-side sessions, login rate limiting and the audit log.

Passwords use argon2id (argon2-cffi defaults). The session cookie carries a random token; the
database keeps only its SHA-256, so a leaked table cannot be replayed as cookies. Rate limits
count failed logins per client IP and per account in a sliding window, in the database, so
they hold across web workers.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from bot.console.models import AuditEntry, LoginAttempt, StaffSession, StaffUser
from bot.db.session import Database

log = logging.getLogger(__name__)

ROLES = ("agent", "admin")
WINDOW_S = 15 * 60
MAX_FAILS_PER_ACCOUNT = 5
MAX_FAILS_PER_IP = 20
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
        if session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
            raise StaffError(f"A staff account for {email} already exists.")
        user = StaffUser(email=email, password_hash=_hasher.hash(password), role=role)
        session.add(user)
        session.flush()
        return user.id


class RateLimited(Exception):
    """Too many failed logins recently for this IP or this account."""


def _recent_failures(db: Database, ip: str, email: str, now: float) -> tuple[int, int]:
    with db.session() as session:
        since = now - WINDOW_S
        by_ip = session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.ip == ip, LoginAttempt.at > since, LoginAttempt.success.is_(False))
        )
        by_account = session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.at > since,
                LoginAttempt.success.is_(False),
            )
        )
    return int(by_ip or 0), int(by_account or 0)


def login(db: Database, email: str, password: str, ip: str, ttl_s: int) -> str | None:
    """Check the password and open a session; returns the cookie token or None.

    Raises :class:`RateLimited` before checking anything when the limits are exceeded.
    """
    email = email.strip().lower()[:200]
    now = time.time()
    by_ip, by_account = _recent_failures(db, ip, email, now)
    if by_ip >= MAX_FAILS_PER_IP or by_account >= MAX_FAILS_PER_ACCOUNT:
        log.warning("console login rate-limited (ip=%s)", ip)
        raise RateLimited()
    with db.transaction() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.email == email)).first()
        ok = False
        try:
            if user is not None and user.active:
                ok = _hasher.verify(user.password_hash, password)
            else:
                _hasher.verify(_DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            ok = False
        session.add(LoginAttempt(ip=ip, email=email, at=now, success=ok))
        if not ok or user is None:
            log.info("console login failed for an account (ip=%s)", ip)
            return None
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
        session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
        return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def identify(db: Database, token: str | None) -> StaffIdentity | None:
    """The staff member behind a session cookie, or None when missing/expired/disabled."""
    if not token or len(token) > 200:
        return None
    with db.session() as session:
        row = session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.token_hash == _token_hash(token))
        ).first()
    if row is None:
        return None
    sess, user = row
    if sess.expires_at < time.time() or not user.active:
        return None
    return StaffIdentity(user.id, user.email, user.role, sess.csrf_token)


def logout(db: Database, token: str | None) -> None:
    if token:
        with db.transaction() as session:
            session.execute(
                delete(StaffSession).where(StaffSession.token_hash == _token_hash(token))
            )


def check_csrf(identity: StaffIdentity, submitted: str | None) -> bool:
    return bool(submitted) and secrets.compare_digest(identity.csrf_token, str(submitted))


def audit(
    db: Database, staff_email: str, action: str, sender_id: str | None, detail: str = ""
) -> None:
    """Record who did what to which conversation (open, reveal, delete, export, reply ...)."""
    with db.transaction() as session:
        session.add(
            AuditEntry(
                at=time.time(),
                staff_email=staff_email,
                action=action,
                sender_id=sender_id,
                detail=detail[:2000],
            )
        )
