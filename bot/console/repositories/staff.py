"""Staff accounts, sessions, login buckets and the audit log: their queries.

The rules (password hashing, which buckets an attempt counts in, what is audited) stay in
bot/console/auth.py; this module only reads and writes the rows, inside the caller's session.
"""

from __future__ import annotations

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.console.models import AuditEntry, LoginBucket, StaffSession, StaffUser

_TAKE = text(
    "UPDATE staff_login_buckets SET "
    "count = CASE WHEN window_start <= :since THEN 1 ELSE count + 1 END, "
    "window_start = CASE WHEN window_start <= :since THEN :now ELSE window_start END "
    "WHERE key = :key AND (count < :limit OR window_start <= :since) "
    "RETURNING count"
)


class StaffRepository:
    """Staff-side queries on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- accounts -------------------------------------------------------------------------

    def user_id_by_email(self, email: str) -> int | None:
        return self.session.scalar(select(StaffUser.id).where(StaffUser.email == email))

    def user_by_email(self, email: str) -> StaffUser | None:
        return self.session.scalars(select(StaffUser).where(StaffUser.email == email)).first()

    def email_if_exists(self, email: str) -> str | None:
        """The stored e-mail of the account with this e-mail, None without such an account."""
        return self.session.scalar(select(StaffUser.email).where(StaffUser.email == email))

    def users_by_email(self) -> list[StaffUser]:
        """Every staff account, by e-mail."""
        return list(self.session.scalars(select(StaffUser).order_by(StaffUser.email)))

    # -- login buckets --------------------------------------------------------------------

    def take_bucket_slot(self, key: str, limit: int, window: float, now: float) -> bool:
        """Count one attempt in ``key`` unless it is full; atomic (the row is locked/updated)."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            insert(LoginBucket)
            .values(key=key, window_start=now, count=0)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        taken = self.session.execute(
            _TAKE, {"key": key, "limit": limit, "since": now - window, "now": now}
        ).first()
        return taken is not None

    def drop_bucket(self, key: str) -> None:
        self.session.execute(delete(LoginBucket).where(LoginBucket.key == key))

    def give_back_slot(self, keys: list[str]) -> None:
        """One attempt fewer in each of these buckets (never below zero)."""
        self.session.execute(
            update(LoginBucket)
            .where(LoginBucket.key.in_(keys), LoginBucket.count > 0)
            .values(count=LoginBucket.count - 1)
        )

    # -- sessions -------------------------------------------------------------------------

    def session_with_user(self, token_hash: str) -> tuple[StaffSession, StaffUser] | None:
        row = self.session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.token_hash == token_hash)
        ).first()
        return None if row is None else (row[0], row[1])

    def drop_session(self, token_hash: str) -> None:
        self.session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))

    def drop_expired_sessions(self, now: float) -> None:
        self.session.execute(delete(StaffSession).where(StaffSession.expires_at < now))

    # -- audit ----------------------------------------------------------------------------

    def recent_audit(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries first."""
        return list(
            self.session.scalars(
                select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            ).all()
        )
