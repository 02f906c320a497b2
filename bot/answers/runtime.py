"""The process-wide answer service, built once from settings (action server, web app, CLI)."""

from __future__ import annotations

from bot.answers.service import AnswerService
from bot.settings import Settings, get_settings

_service: AnswerService | None = None


def build_answer_service(settings: Settings | None = None) -> AnswerService:
    """Database, LLM backend, session memory and read-only orders from the settings."""
    from bot.db.session import get_database
    from bot.llm.factory import make_backend
    from bot.memory import make_memory
    from bot.orders.policy import get_policy
    from bot.orders.service import OrderService

    settings = settings or get_settings()
    db = get_database()
    return AnswerService(
        db,
        backend=make_backend(settings),
        memory=make_memory(settings),
        orders=OrderService(db, get_policy(settings)),
        timeout_s=settings.llm_timeout_s,
        max_new_tokens=settings.llm_max_new_tokens,
        max_message_chars=settings.max_message_chars,
    )


def answer_service() -> AnswerService:
    global _service
    if _service is None:
        _service = build_answer_service()
    return _service


def set_answer_service(service: AnswerService | None) -> None:
    """Tests and embedders install their own service (or reset with None)."""
    global _service
    _service = service
