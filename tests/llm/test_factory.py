"""The backend factory reads SHOPBOT_LLM_* settings."""

from __future__ import annotations

import pytest

from bot.llm.base import LLMBackend, LLMError
from bot.llm.factory import make_backend
from bot.settings import Settings


def test_default_is_template() -> None:
    backend = make_backend(Settings())
    assert backend.name == "template" and isinstance(backend, LLMBackend)


def test_openai_from_env(monkeypatch) -> None:
    monkeypatch.setenv("SHOPBOT_LLM_BACKEND", "openai")
    monkeypatch.setenv("SHOPBOT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SHOPBOT_LLM_MODEL", "qwen")
    monkeypatch.setenv("SHOPBOT_LLM_API_KEY", "secret-key")
    backend = make_backend(Settings())
    assert backend.name == "openai" and backend.model == "qwen"
    assert "secret-key" not in repr(Settings())


def test_transformers_needs_a_model_folder() -> None:
    with pytest.raises(LLMError):
        make_backend(Settings(llm_backend="transformers"))
    backend = make_backend(Settings(llm_backend="transformers", llm_model="/models/x"))
    assert backend.name == "transformers"


async def test_template_backend_needs_facts() -> None:
    from bot.llm.base import ChatMessage

    with pytest.raises(LLMError):
        await make_backend(Settings()).generate(
            [ChatMessage("user", "hi")], max_new_tokens=5, timeout=1
        )
