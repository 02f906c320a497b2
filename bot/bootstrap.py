"""The services of one process, built once from one ``Settings``.

The action server, the web app and the CLI each get a :class:`Services` here and hand it to
what they call; library modules take what they need as arguments and never read the
environment themselves (tests/architecture/test_settings_access.py). This module is the one
place that calls ``get_settings()``.

Construction is cheap: every service is built on first use (a Redis client, an LLM backend,
the sentiment model), so a CLI command pays only for what it touches. Tests build
``Services(Settings(...), database=db)`` and :func:`install` it instead of patching the
environment.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from bot.catalog import embeddings
from bot.db.session import Database
from bot.insights import sentiment
from bot.orders.policy import ShopPolicy, get_policy
from bot.orders.service import OrderService
from bot.safety.attempts import IdentifyLimits, identify_limits
from bot.safety.client_address import Network, parse_networks
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.answers.service import AnswerService
    from bot.dialogue.conversation import ShopConversation
    from bot.insights.copy import Generator
    from bot.llm.base import LLMBackend
    from bot.memory import SessionMemory


class Services:
    """Database, policy, orders, conversation, answers, memory, LLM and limits of a process.

    ``database``, ``answers``, ``memory`` and ``llm`` may be given (tests, embedders); the
    rest follows from ``settings``.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        answers: AnswerService | None = None,
        memory: SessionMemory | None = None,
        llm: LLMBackend | None = None,
    ) -> None:
        self.settings = settings
        given = {"database": database, "answers": answers, "memory": memory, "llm": llm}
        for name, value in given.items():
            if value is not None:
                self.__dict__[name] = value  # what cached_property would have built

    @cached_property
    def database(self) -> Database:
        return Database(self.settings.database_url, ping_idle_s=self.settings.db_ping_idle_s)

    @property
    def policy(self) -> ShopPolicy:
        """The policy as it applies (the file, re-read when it changes, with
        ``SHOPBOT_IDENTIFICATION`` over it): the one source of the identification mode."""
        return get_policy(self.settings)

    @property
    def orders(self) -> OrderService:
        return OrderService(self.database, self.policy)

    @cached_property
    def identify_limits(self) -> IdentifyLimits:
        """Failed identifications, counted across the process's conversations (and replicas
        through Redis when configured)."""
        return identify_limits(self.settings)

    def conversation(self) -> ShopConversation:
        """The dialogue's service for one action run (the policy as it is now)."""
        from bot.dialogue.conversation import ShopConversation

        return ShopConversation(
            self.database,
            self.policy,
            identify=self.identify_limits,
            customer_token_secret=self.settings.customer_token_secret,
        )

    @cached_property
    def memory(self) -> SessionMemory:
        from bot.memory import make_memory

        return make_memory(self.settings)

    @cached_property
    def llm(self) -> LLMBackend:
        from bot.llm.factory import make_backend

        return make_backend(self.settings)

    @cached_property
    def answers(self) -> AnswerService:
        """Grounded answers over this database, LLM, session memory and read-only orders."""
        from bot.answers.service import AnswerService

        return AnswerService(
            self.database,
            backend=self.llm,
            memory=self.memory,
            orders=self.orders,
            timeout_s=self.settings.llm_timeout_s,
            max_new_tokens=self.settings.llm_max_new_tokens,
            max_message_chars=self.settings.max_message_chars,
        )

    def copy_generator(self) -> tuple[Generator, str]:
        """Product-copy generation with the configured LLM (the composer for ``template``)."""
        from bot.insights.copy import default_generator

        name = self.settings.llm_backend
        backend = self.llm if name != "template" else None
        return default_generator(backend, name, self.settings.llm_timeout_s)

    @cached_property
    def trusted_networks(self) -> tuple[Network, ...]:
        """Reverse proxies whose ``X-Forwarded-For`` is believed (``SHOPBOT_TRUSTED_PROXIES``)."""
        return parse_networks(self.settings.trusted_proxies)

    def configure_process(self) -> None:
        """Settle the caches shared by the whole process: the embedding model and vector
        index threshold, and the sentiment model that scores every shopper message."""
        s = self.settings
        embeddings.configure(s.embedding_model, s.embed_threads, s.ivf_min_vectors)
        sentiment.configure(s.sentiment_model)


_current: Services | None = None
_lock = threading.Lock()


def services() -> Services:
    """The process's services, built from the environment's settings on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = Services(get_settings())
            _current.configure_process()
        return _current


def of_app(state: object) -> Services:
    """The services ``create_app`` put on ``app.state``; a router mounted alone (tests) gets
    the process's."""
    found = getattr(state, "services", None)
    return found if isinstance(found, Services) else services()


def install(new: Services | None) -> None:
    """Make ``new`` the process's services (tests, embedders); ``None`` forgets them, so the
    next :func:`services` reads the environment again."""
    global _current
    with _lock:
        _current = new
        if new is None:
            get_settings.cache_clear()
            Services(Settings.model_construct()).configure_process()  # back to the defaults
        else:
            new.configure_process()
